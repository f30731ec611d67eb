/**
 * DynamoDB failing under a running sync:
 * - DynamoDB Local (persisted to disk, on a fixed port so a restart keeps data and endpoint) is stopped
 *   in the middle of a sync run, with creates arriving while it is down, and started again. The run
 *   fails cleanly (messages fail, are retried or dead-lettered, nothing half-written is taken for
 *   done) or resumes; after the next run nothing the test's ledger expects is lost or duplicated, and
 *   every stored snapshot is the provider's current state.
 * - Throttling that lasts longer than every retry (SDK attempts, then queue deliveries): the messages
 *   reach the DLQ instead of being dropped or marked synced, and a redrive completes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageConfig } from '../../infra/stages.ts';
import { PROVIDERS } from '../../lib/customer/snapshot.ts';
import { freePort, type RunningDynamoDbLocal, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { countFaults, countScenario } from '../helpers/reliability/counters.ts';
import {
  type CreatedCustomer,
  createCustomer,
  customerInput,
  idAt,
  nameFields,
  postCustomer,
  sleep,
  waitFor,
} from '../helpers/reliability/fixtures.ts';
import { Ledger } from '../helpers/reliability/ledger.ts';
import { type ReliabilityStack, startReliabilityStack } from '../helpers/reliability/stack.ts';
import { describeChaos } from '../helpers/reliability/suite.ts';
import { installThrottling, type SimulatedThrottling } from '../helpers/reliability/throttle.ts';

const MAX_RECEIVES = stageConfig('local').sync.dlqMaxReceiveCount;

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(fn))));
  }
  return results;
}

describeChaos('DynamoDB Local stopped and restarted during a sync run', () => {
  const CUSTOMERS = 24;
  let dbPath: string;
  let port: number;
  let dynamo: RunningDynamoDbLocal | null = null;
  let stack: ReliabilityStack;
  const ledger = new Ledger();
  let customers: CreatedCustomer[] = [];

  beforeAll(async () => {
    dbPath = mkdtempSync(join(tmpdir(), 'customer-sync-chaos-dynamo-'));
    port = await freePort();
    dynamo = await startDynamoDbLocal({ port, dbPath });
    stack = await startReliabilityStack({ tablePrefix: 'chaos-restart', endpoint: dynamo.endpoint });
    customers = await inBatches(
      Array.from({ length: CUSTOMERS }, (_, index) => index),
      6,
      (index) => createCustomer(stack, `chaos-restart-${index}-${Date.now()}`, PROVIDERS),
    );
    for (const customer of customers) ledger.expect(customer.reference, PROVIDERS);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await dynamo?.stop();
    rmSync(dbPath, { recursive: true, force: true });
  });

  it('loses and duplicates nothing, and the next run brings every customer current', async () => {
    countScenario();
    const marker = 'Restarted';
    await inBatches(customers, 6, async (customer) => {
      for (const provider of PROVIDERS) {
        await stack.sandboxes[provider].control.patchCustomer(
          idAt(customer, provider),
          nameFields(provider, marker),
        );
      }
    });
    // Slow providers keep the run going long enough to stop DynamoDB in its middle.
    for (const provider of PROVIDERS)
      await stack.sandboxes[provider].control.addFault({ route: 'get', kind: 'latency', ms: 250 });

    const written = async () => {
      let count = 0;
      for (const customer of customers.slice(0, 8)) {
        const record = await stack.store.getCustomer(customer.customerId);
        count += record?.links.filter((link) => link.snapshot?.givenName === marker).length ?? 0;
      }
      return count;
    };
    const fetchesBefore = stack.fetches.length;
    const deadBefore = stack.deadLetters().length;
    const run = Promise.all(PROVIDERS.map((provider) => stack.runScheduler(provider)));
    await waitFor('the first writes of the run', async () => (await written()) > 0, 30_000);

    // DynamoDB goes away mid-run, and merchants keep creating customers meanwhile.
    await dynamo?.stop();
    dynamo = null;
    countFaults();
    const during = Array.from({ length: 3 }, (_, index) => ({
      reference: `chaos-outage-${index}-${Date.now()}`,
      key: `chaos-outage-key-${index}-${Date.now()}`,
    }));
    const outageAnswers = await Promise.all(
      during.map((item) =>
        postCustomer(stack, { customer: customerInput(item.reference), providers: [...PROVIDERS] }, item.key),
      ),
    );
    for (const answer of outageAnswers) {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    await sleep(2_000);
    dynamo = await startDynamoDbLocal({ port, dbPath });
    // Same port, same files: the stack's client reconnects to the same endpoint and data.
    expect(dynamo.port).toBe(port);

    // The interrupted run ends (failed messages retried or dead-lettered), then the next run resumes.
    await run.catch(() => undefined);
    await stack.settle(120_000);
    // The outage hit the run: messages failed and were redelivered (more fetches than links) or dead-lettered.
    const refetched = stack.fetches.length - fetchesBefore - CUSTOMERS * PROVIDERS.length;
    expect(refetched + stack.deadLetters().length - deadBefore).toBeGreaterThan(0);
    for (const provider of PROVIDERS) await stack.sandboxes[provider].control.clearFaults();
    await stack.syncAll(PROVIDERS, 120_000);

    // The merchants retry the creates refused during the outage, with the same keys.
    for (const item of during) {
      const retry = await postCustomer(
        stack,
        { customer: customerInput(item.reference), providers: [...PROVIDERS] },
        item.key,
      );
      expect(retry.status).toBe(201);
      ledger.expect(item.reference, PROVIDERS);
    }
    await stack.syncAll(PROVIDERS, 120_000);

    for (const customer of customers) {
      const record = await stack.store.getCustomer(customer.customerId);
      for (const link of record?.links ?? []) {
        expect({ provider: link.provider, name: link.snapshot?.givenName }).toEqual({
          provider: link.provider,
          name: marker,
        });
      }
    }
    const report = await ledger.verify(stack, { compareLatest: true });
    expect(report).toMatchObject({ checked: CUSTOMERS + during.length, lost: [], duplicated: [], stale: [] });
  }, 300_000);
});

describeChaos('DynamoDB throttling that outlasts every retry', () => {
  let stack: ReliabilityStack;
  let throttling: SimulatedThrottling | undefined;
  const ledger = new Ledger();

  beforeAll(async () => {
    stack = await startReliabilityStack({
      tablePrefix: 'chaos-throttle',
      providers: ['juspay'],
      configureDynamo: (client) => {
        throttling = installThrottling(client);
      },
    });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('dead-letters the messages instead of dropping them or marking them synced, and a redrive completes them', async () => {
    countScenario();
    const customers = await Promise.all(
      [0, 1].map((index) => createCustomer(stack, `chaos-throttle-${index}-${Date.now()}`, ['juspay'])),
    );
    for (const customer of customers) {
      ledger.expect(customer.reference, ['juspay']);
      await stack.sandboxes.juspay.control.patchCustomer(
        idAt(customer, 'juspay'),
        nameFields('juspay', 'AfterThrottling'),
      );
    }
    const states = async () =>
      Promise.all(
        customers.map(
          async (customer) => (await stack.store.getCustomer(customer.customerId))?.syncStates[0],
        ),
      );
    const before = await states();
    if (!throttling) throw new Error('throttling middleware not installed');
    throttling.arm(Number.MAX_SAFE_INTEGER, { error: 'Throttling' });
    countFaults();
    const deadBefore = stack.deadLetters().length;
    await stack.runScheduler('juspay');
    await stack.settle(180_000);
    throttling.disarm();

    const letters = stack.deadLetters().slice(deadBefore);
    expect(letters.map((letter) => letter.message.customerId).sort()).toEqual(
      customers.map((customer) => customer.customerId).sort(),
    );
    expect(letters.every((letter) => letter.receiveCount === MAX_RECEIVES)).toBe(true);
    // Every SDK attempt of every delivery was refused, and nothing was recorded as a success.
    expect(new Set(throttling.attempts.map((attempt) => attempt.attempt))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(await states()).toEqual(before);
    for (const customer of customers) {
      const link = (await stack.store.getCustomer(customer.customerId))?.links[0];
      expect(link?.snapshot?.givenName).toBe('Ana');
    }

    await stack.queue.send(letters.map((letter) => letter.message));
    await stack.settle();
    for (const customer of customers) {
      const record = await stack.store.getCustomer(customer.customerId);
      expect(record?.links[0]?.snapshot?.givenName).toBe('AfterThrottling');
      expect(record?.syncStates[0]).toMatchObject({ consecutiveFailures: 0, lastError: null });
    }
    const report = await ledger.verify(stack, { compareLatest: true });
    expect(report).toMatchObject({ lost: [], duplicated: [], stale: [] });
  }, 300_000);
});
