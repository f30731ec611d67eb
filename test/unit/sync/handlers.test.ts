import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import { createCreateCustomerHandler } from '../../../functions/create-customer/handler.ts';
import { createWebhookHandler } from '../../../functions/provider-webhook/handler.ts';
import { createSchedulerHandler } from '../../../functions/sync-scheduler/handler.ts';
import { createWorkerHandler } from '../../../functions/sync-worker/handler.ts';
import { Secret } from '../../../lib/config/providers.ts';
import { createLogger } from '../../../lib/observability/index.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { localContext } from '../../../lib/sync/lambda.ts';
import { InMemorySyncQueue } from '../../../lib/sync/queue.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { InMemoryWebhookDedupe } from '../../../lib/sync/webhook-dedupe.ts';
import { FakeAdapter, FakeStore, snapshotOf } from './fakes.ts';
import { createIdempotencyTestTable, type IdempotencyTestTable } from './idempotency-table.ts';

const schedule = createSyncSchedule({
  intervalSeconds: { palomma: 60, delos: 60, mollie: 60, juspay: 60 },
  retryBaseSeconds: 60,
  maxBackoffSeconds: 3600,
  jitter: 0,
});
const logger = createLogger('test', { level: 'SILENT' });
const clock = fixedClock('2024-06-01T12:00:00.000Z');

function apiEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: false,
    path: '/',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    resource: '/',
    ...overrides,
  };
}

/** EMF lines written while `fn` runs. */
async function emf<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) lines.push(JSON.parse(text));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), lines };
  } finally {
    process.stdout.write = original;
  }
}

describe('sync handlers (factories)', () => {
  let table: IdempotencyTestTable;
  beforeAll(async () => {
    table = await createIdempotencyTestTable();
  });
  afterAll(async () => table.drop());

  it('create → scheduler → worker → webhook work end to end through the handler factories', async () => {
    const store = new FakeStore();
    const mollie = new FakeAdapter('mollie');
    const queue = new InMemorySyncQueue();
    const create = createCreateCustomerHandler({
      store,
      adapters: { mollie },
      schedule,
      persistenceStore: table.persistence(),
      idempotencyTtlSeconds: 600,
      inProgressWaitMs: 1000,
      createLeaseSeconds: 60,
      clock,
      logger,
    });
    const created = await create(
      apiEvent({
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'handler-test-1' },
        body: JSON.stringify({
          customer: { reference: 'merchant-77', givenName: 'Ana' },
          providers: ['mollie'],
        }),
      }),
      localContext('create-customer'),
    );
    expect(created.statusCode).toBe(201);
    const { customerId } = JSON.parse(created.body);

    clock.advance(120_000);
    const scheduler = createSchedulerHandler({
      store,
      dueLinks: store,
      queue,
      adapters: {},
      schedule,
      pageSize: 10,
      clock,
      logger,
    });
    const summary = await scheduler({ provider: 'mollie', mode: 'due' }, localContext('sync-scheduler'));
    expect(summary).toMatchObject({ provider: 'mollie', enqueued: 1 });

    mollie.customers.set(
      'mol_1',
      snapshotOf('mollie', 'mol_1', {
        givenName: 'Changed',
        reference: 'merchant-77',
        providerUpdatedAt: '2024-06-01T12:01:00.000Z',
      }),
    );
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'sync-worker' });
    const worker = createWorkerHandler({
      store,
      adapters: { mollie },
      schedule,
      createLeaseSeconds: 60,
      clock,
      logger,
      metrics,
    });
    const event: SQSEvent = {
      Records: queue.drain().map((message, index) => ({
        messageId: `m${index}`,
        receiptHandle: `r${index}`,
        body: JSON.stringify(message),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(clock.now().getTime()),
          SenderId: 's',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:1:q',
        awsRegion: 'us-east-1',
      })),
    };
    const { result, lines } = await emf(() => worker(event, localContext('sync-worker')));
    expect(result.batchItemFailures).toEqual([]);
    expect(store.link(customerId, 'mollie')?.snapshot?.givenName).toBe('Changed');
    const synced = lines.find((line) => 'CustomersSynced' in line);
    expect(synced).toMatchObject({ provider: 'mollie', CustomersSynced: 1, CustomersChanged: 1 });

    const webhook = createWebhookHandler({
      store,
      queue,
      dedupe: new InMemoryWebhookDedupe(),
      secrets: async () => ({ delos: { token: new Secret('t') } }),
      toleranceSeconds: 300,
      dedupeTtlSeconds: 60,
      clock,
      logger,
    });
    const hint = await webhook(
      apiEvent({ pathParameters: { provider: 'mollie' }, body: 'id=mol_1' }),
      localContext('provider-webhook'),
    );
    expect(JSON.parse(hint.body)).toEqual({ status: 'enqueued' });
    const wrong = await webhook(
      apiEvent({ pathParameters: { provider: 'nope' }, body: '{}' }),
      localContext('provider-webhook'),
    );
    expect(wrong.statusCode).toBe(404);
  });

  it('stops a due run the safety margin before the Lambda timeout, reporting it truncated', async () => {
    const store = new FakeStore();
    for (let i = 0; i < 3; i++) {
      await store.createCustomer({
        customerId: `T${i}`,
        input: { reference: `ref-T${i}`, kind: 'individual' },
        providers: [],
        now: '2024-06-01T11:00:00.000Z',
      });
      await store.linkProvider({
        customerId: `T${i}`,
        provider: 'mollie',
        providerCustomerId: `cst_T${i}`,
        now: '2024-06-01T11:00:00.000Z',
      });
    }
    const queue = new InMemorySyncQueue();
    const scheduler = createSchedulerHandler({
      store,
      dueLinks: store,
      queue,
      adapters: {},
      schedule,
      pageSize: 1,
      clock,
      safetyMarginMs: 20_000,
      logger,
    });
    // 15 s left of the invocation: inside the margin, so one page and no more.
    const short = await scheduler(
      { provider: 'mollie', mode: 'due' },
      localContext('sync-scheduler', 15_000),
    );
    expect(short).toMatchObject({ pages: 1, enqueued: 1, truncated: true });
    const long = await scheduler({ provider: 'mollie', mode: 'due' }, localContext('sync-scheduler', 60_000));
    expect(long).toMatchObject({ pages: 3, enqueued: 3, truncated: false });
  });

  it('fails a scheduler invocation with a malformed event', async () => {
    const store = new FakeStore();
    const scheduler = createSchedulerHandler({
      store,
      dueLinks: store,
      queue: new InMemorySyncQueue(),
      adapters: {},
      schedule,
      pageSize: 10,
      clock,
      logger,
    });
    await expect(scheduler({ provider: 'stripe' }, localContext('sync-scheduler'))).rejects.toThrow();
  });
});
