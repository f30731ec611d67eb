import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  ProviderAuthError,
  ProviderContractError,
  ProviderRateLimitedError,
  ProviderUnavailableError,
} from '../../../lib/http/errors.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { PoisonMessageError } from '../../../lib/sync/errors.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import type { SyncMessage, SyncReason } from '../../../lib/sync/queue.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import {
  processSyncBatch,
  processSyncMessage,
  redeliveryDelaySeconds,
  type WorkerDeps,
} from '../../../lib/sync/worker.ts';
import { FakeAdapter, FakeStore, snapshotOf } from './fakes.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});

let sequence = 0;
function record(body: unknown, attributes: Partial<SQSRecord['attributes']> = {}): SQSRecord {
  sequence++;
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `rh-${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.parse('2024-06-01T11:00:00.000Z')),
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
      ...attributes,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:mollie-sync',
    awsRegion: 'us-east-1',
  };
}

async function setup(customers = ['C1', 'C2', 'C3']) {
  const store = new FakeStore();
  const mollie = new FakeAdapter('mollie');
  const clock = fixedClock('2024-06-01T12:00:00.000Z');
  const metrics = new SyncMetricsRecorder();
  const delays: Array<[string, number]> = [];
  for (const [index, customerId] of customers.entries()) {
    await store.createCustomer({
      customerId,
      input: { reference: `ref-${customerId}`, kind: 'individual' },
      providers: [],
      now: '2024-06-01T00:00:00.000Z',
    });
    const id = `cst_${index + 1}`;
    await store.linkProvider({
      customerId,
      provider: 'mollie',
      providerCustomerId: id,
      now: '2024-06-01T00:00:00.000Z',
    });
    mollie.customers.set(id, snapshotOf('mollie', id));
  }
  const deps: WorkerDeps = {
    store,
    adapters: { mollie },
    clock,
    schedule,
    metrics,
    createLeaseSeconds: 120,
    retryDelay: async (handle, seconds) => {
      delays.push([handle, seconds]);
    },
  };
  return { store, mollie, clock, metrics, deps, delays };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const msg = (customerId: string, reason: SyncReason = 'scheduled'): SyncMessage => ({
  customerId,
  provider: 'mollie',
  reason,
});

describe('sync worker', () => {
  it('refreshes each customer of a batch and reports no failures', async () => {
    const { deps, store, metrics } = await setup();
    const response = await processSyncBatch(
      deps,
      batch(record(msg('C1')), record(msg('C2')), record(msg('C3'))),
    );
    expect(response.batchItemFailures).toEqual([]);
    // One read for the batch's links, none per record.
    expect(store.linkReads).toEqual([3]);
    expect(store.history).toHaveLength(3);
    expect(metrics.total('CustomersSynced', 'mollie')).toBe(3);
    expect(metrics.total('CustomersChanged', 'mollie')).toBe(3);
  });

  it('lets each record read its own link when the batch read fails, and leaves unparsable ones out of it', async () => {
    const { deps, store } = await setup();
    store.failNext.set(
      'getLinksForSync',
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );
    const poison = record('{not json');
    const response = await processSyncBatch(deps, batch(record(msg('C1')), poison, record(msg('C2'))));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(store.linkReads).toEqual([2, 1, 1]);
    expect(store.link('C1', 'mollie')?.version).toBe(1);
    expect(store.link('C2', 'mollie')?.version).toBe(1);
  });

  it('fails only the record whose provider call failed transiently, and backs its redelivery off', async () => {
    const { deps, mollie, store, delays } = await setup();
    const failing = record(msg('C2'), { ApproximateReceiveCount: '3' });
    // Records run in parallel: fail exactly the C2 fetch whatever the order.
    const original = mollie.getCustomer.bind(mollie);
    mollie.getCustomer = async (id) => {
      if (id === 'cst_2')
        throw new ProviderUnavailableError({ provider: 'mollie', operation: 'getCustomer', status: 503 });
      return original(id);
    };
    const response = await processSyncBatch(deps, batch(record(msg('C1')), failing, record(msg('C3'))));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(store.sync('C2', 'mollie')?.consecutiveFailures).toBe(1);
    expect(store.link('C1', 'mollie')?.version).toBe(1);
    expect(store.link('C3', 'mollie')?.version).toBe(1);
    expect(delays).toEqual([[failing.receiptHandle, 120]]);
  });

  it('treats a contract violation as retryable (fails the record)', async () => {
    const { deps, mollie } = await setup(['C1']);
    mollie.getErrors.push(
      new ProviderContractError({ provider: 'mollie', operation: 'getCustomer', issues: ['id'] }),
    );
    const failing = record(msg('C1'));
    const response = await processSyncBatch(deps, batch(failing));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  });

  it('records a non-retryable provider failure and succeeds the record', async () => {
    const { deps, mollie, store, metrics } = await setup(['C1']);
    mollie.getErrors.push(
      new ProviderAuthError({ provider: 'mollie', operation: 'getCustomer', status: 401 }),
    );
    const response = await processSyncBatch(deps, batch(record(msg('C1'))));
    expect(response.batchItemFailures).toEqual([]);
    expect(store.sync('C1', 'mollie')?.lastError?.name).toBe('ProviderAuthError');
    expect(metrics.total('SyncFailures', 'mollie')).toBe(1);
  });

  it('marks a customer deleted at the provider gone and succeeds the record', async () => {
    const { deps, mollie, store } = await setup(['C1']);
    mollie.customers.delete('cst_1');
    const response = await processSyncBatch(deps, batch(record(msg('C1'))));
    expect(response.batchItemFailures).toEqual([]);
    expect(store.link('C1', 'mollie')?.status).toBe('gone');
  });

  it('fails poison messages (bad JSON, wrong shape, unknown customer, no adapter) so they reach the DLQ', async () => {
    const { deps, delays } = await setup(['C1']);
    const poison = [
      record('{not json'),
      record({ customerId: 'C1', provider: 'mollie' }),
      record(msg('NOPE')),
      record({ customerId: 'C1', provider: 'juspay', reason: 'scheduled' }),
    ];
    const response = await processSyncBatch(deps, batch(record(msg('C1')), ...poison));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      poison.map((item) => item.messageId).sort(),
    );
    // Poison is not backed off: it is not going to get better.
    expect(delays).toEqual([]);
  });

  it('reports a fully failed batch as failures instead of throwing', async () => {
    const { deps } = await setup(['C1']);
    const records = [record('x'), record('y')];
    const response = await processSyncBatch(deps, batch(...records));
    expect(response.batchItemFailures).toHaveLength(2);
  });

  it('fails the record on a store failure (throttling) so SQS retries it', async () => {
    const { deps, store } = await setup(['C1']);
    store.failNext.set(
      'writeSnapshot',
      Object.assign(new Error('throttled'), { name: 'ThrottlingException' }),
    );
    const failing = record(msg('C1'));
    const response = await processSyncBatch(deps, batch(failing));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  });
});

describe('processSyncMessage', () => {
  it('completes a pending create with the stored idempotency key and the profile input', async () => {
    const { deps, store, mollie } = await setup([]);
    await store.createCustomer({
      customerId: 'P1',
      input: { reference: 'ref-pending', kind: 'individual', givenName: 'Pía' },
      providers: ['mollie'],
      createIdempotencyKeys: { mollie: 'key-P1-mollie' },
      now: '2024-06-01T00:00:00.000Z',
    });
    expect(await processSyncMessage(deps, msg('P1', 'pending-create'))).toBe('created');
    expect(mollie.createKeys).toEqual(['key-P1-mollie']);
    const link = store.link('P1', 'mollie');
    expect(link?.status).toBe('active');
    expect(link?.snapshot?.givenName).toBe('Pía');
  });

  it('completes a pending link even when the message says scheduled', async () => {
    const { deps, store, mollie } = await setup([]);
    await store.createCustomer({
      customerId: 'P1',
      input: { reference: 'ref-pending', kind: 'individual' },
      providers: ['mollie'],
      now: '2024-06-01T00:00:00.000Z',
    });
    expect(
      await processSyncMessage(deps, { customerId: 'P1', provider: 'mollie', reason: 'scheduled' }),
    ).toBe('created');
    expect(mollie.calls).toMatchObject({ get: 0, create: 1 });
  });

  it('throws a transient error for a retryable create failure and records it', async () => {
    const { deps, store, mollie } = await setup([]);
    await store.createCustomer({
      customerId: 'P1',
      input: { reference: 'ref-pending', kind: 'individual' },
      providers: ['mollie'],
      now: '2024-06-01T00:00:00.000Z',
    });
    mollie.createErrors.push(
      new ProviderRateLimitedError({
        provider: 'mollie',
        operation: 'createCustomer',
        status: 429,
        retryAfterSeconds: 30,
      }),
    );
    await expect(
      processSyncMessage(deps, { customerId: 'P1', provider: 'mollie', reason: 'pending-create' }),
    ).rejects.toMatchObject({ name: 'TransientSyncError', retryAfterSeconds: 30 });
    expect(store.sync('P1', 'mollie')?.consecutiveFailures).toBe(1);
  });

  it('does nothing for a pending link whose create another attempt holds', async () => {
    const { deps, store, mollie } = await setup([]);
    await store.createCustomer({
      customerId: 'P1',
      input: { reference: 'ref-pending', kind: 'individual' },
      providers: ['mollie'],
      now: '2024-06-01T00:00:00.000Z',
    });
    await store.claimCreateAttempt({
      customerId: 'P1',
      provider: 'mollie',
      attemptId: 'other',
      now: '2024-06-01T11:59:00.000Z',
      leaseSeconds: 120,
    });
    expect(
      await processSyncMessage(deps, { customerId: 'P1', provider: 'mollie', reason: 'pending-create' }),
    ).toBe('create-pending');
    expect(mollie.calls.create).toBe(0);
  });

  it('skips a scheduled message for a link synced after the message was sent', async () => {
    const { deps, mollie } = await setup(['C1']);
    const sentAt = new Date('2024-06-01T11:00:00.000Z');
    expect(
      await processSyncMessage(
        deps,
        { customerId: 'C1', provider: 'mollie', reason: 'scheduled' },
        { sentAt },
      ),
    ).toBe('changed');
    expect(
      await processSyncMessage(
        deps,
        { customerId: 'C1', provider: 'mollie', reason: 'scheduled' },
        { sentAt },
      ),
    ).toBe('skipped');
    // A webhook is a change signal: it is always fetched.
    expect(
      await processSyncMessage(deps, { customerId: 'C1', provider: 'mollie', reason: 'webhook' }, { sentAt }),
    ).toBe('unchanged');
    expect(mollie.calls.get).toBe(2);
  });

  it('names unknown customers and missing links as poison', async () => {
    const { deps, store } = await setup([]);
    await expect(
      processSyncMessage(deps, { customerId: 'X', provider: 'mollie', reason: 'manual' }),
    ).rejects.toThrow(new PoisonMessageError('unknown customer X'));
    await store.createCustomer({
      customerId: 'C9',
      input: { reference: 'ref-0009', kind: 'individual' },
      providers: [],
      now: '2024-06-01T00:00:00.000Z',
    });
    await expect(
      processSyncMessage(deps, { customerId: 'C9', provider: 'mollie', reason: 'manual' }),
    ).rejects.toThrow(new PoisonMessageError('customer C9 has no mollie link'));
  });
});

describe('redeliveryDelaySeconds', () => {
  it('doubles from 30 s per receive, caps at 15 minutes, and honours Retry-After', () => {
    expect([1, 2, 3, 10].map((n) => redeliveryDelaySeconds(n))).toEqual([30, 60, 120, 900]);
    expect(redeliveryDelaySeconds(1, 300)).toBe(300);
  });
});
