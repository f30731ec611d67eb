import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { type RunningLocalStack, startLocalStack } from '../../../lib/local/start.ts';
import { SANDBOX_CREDENTIALS } from '../../../sandbox/index.ts';
import { testEndpoint } from '../../helpers/dynamodb.ts';
import { jsonOf, runCli, spawnCli } from './run-cli.ts';

const KEY = 'cli-integration-api-key-0123456789';
const HEADER =
  'reference,kind,givenName,familyName,companyName,email,phone,documentType,documentNumber,locale';

interface CreateResult {
  customerId: string;
  reference: string;
  providers: Partial<Record<ProviderName, { status: string; providerCustomerId?: string }>>;
}

interface ImportSummary {
  rows: number;
  created: number;
  existing: number;
  skipped: number;
  failed: number;
  failures: { row: number; type: string; fields: { field: string }[] }[];
}

function csv(prefix: string, count: number, extra: string[] = []): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return `${prefix}-${n},individual,Given${n},Family${n},,${prefix}-${n}@example.com,+5730131${n}1,cc,10375${n}2,en_US`;
  });
  return `${[HEADER, ...rows, ...extra].join('\n')}\n`;
}

describe('customer-sync API commands (CLI against the local stack)', () => {
  let stack: RunningLocalStack;
  let dir: string;
  let env: Record<string, string>;
  const suffix = `${process.pid}-${Date.now()}`;
  const tableName = `cli-customers-${suffix}`;
  const idempotencyTableName = `cli-idempotency-${suffix}`;
  const raw = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: testEndpoint(),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  const created = async (provider: ProviderName) =>
    (await stack.sandboxes[provider]?.control.stats())?.created ?? -1;
  const createdAt = async (providers: ProviderName[]) =>
    Object.fromEntries(await Promise.all(providers.map(async (p) => [p, await created(p)] as const)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-api-'));
    stack = await startLocalStack({
      config: {
        port: 0,
        apiKey: KEY,
        dataDir: join(dir, '.local'),
        dynamoDbEndpoint: testEndpoint(),
        tableName,
        idempotencyTableName,
        seed: 0,
        handlerLogs: 'silent',
        backfill: false,
        externalProviders: [],
        env: {},
      },
      print: () => {},
      // The schedules must not sync behind the tests' back: `sync` below is the CLI's own pass.
      syncIntervalSeconds: 3600,
      logRequests: false,
    });
    env = {
      CUSTOMER_SYNC_API_URL: stack.url,
      CUSTOMER_SYNC_API_KEY: KEY,
      LOCAL_DATA_DIR: join(dir, 'elsewhere'),
    };
    writeFileSync(
      join(dir, 'ana.json'),
      JSON.stringify({
        reference: `cli-ana-${suffix}`,
        givenName: 'Ana',
        familyName: 'Gómez',
        email: 'ana.gomez@example.com',
        phone: '+573013111111',
        document: { type: 'cc', number: '1037551022' },
        locale: 'en_US',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled(
      [tableName, idempotencyTableName].map((TableName) => raw.send(new DeleteTableCommand({ TableName }))),
    );
    raw.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('create, get, history', () => {
    let customerId: string;

    it('creates a customer at every provider, and a re-run with the same key creates nothing new', async () => {
      const all: ProviderName[] = ['palomma', 'delos', 'mollie', 'juspay'];
      const before = await createdAt(all);
      const args = [
        'create',
        '--file',
        join(dir, 'ana.json'),
        '--providers',
        all.join(','),
        '--idempotency-key',
        `k-${suffix}`,
      ];
      const first = await runCli([...args, '--json'], { env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const result = jsonOf<CreateResult>(first);
      customerId = result.customerId;
      for (const provider of all) expect(result.providers[provider]?.status).toBe('created');
      expect(await createdAt(all)).toEqual(Object.fromEntries(all.map((p) => [p, (before[p] ?? 0) + 1])));

      const again = await runCli(args, { env });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('replayed');
      expect(again.stdout).toMatch(new RegExp(`^customerId +${customerId}$`, 'm'));
      expect(await createdAt(all)).toEqual(Object.fromEntries(all.map((p) => [p, (before[p] ?? 0) + 1])));
    }, 90_000);

    it('gets the customer as a readable view and as JSON', async () => {
      const readable = await runCli(['get', customerId], { env });
      expect(readable.code).toBe(0);
      expect(readable.stdout).toMatch(new RegExp(`^id +${customerId}$`, 'm'));
      expect(readable.stdout).toMatch(/^PROVIDER +STATUS +PROVIDER ID/m);
      expect(readable.stdout).toMatch(/^mollie +active +cst_/m);
      expect(readable.stdout).toContain('── mollie (version 1) ──');

      const json = jsonOf<{ id: string; providers: { provider: string; status: string }[] }>(
        await runCli(['get', customerId, '--json'], { env }),
      );
      expect(json.id).toBe(customerId);
      expect(json.providers.map((link) => link.status)).toEqual(['active', 'active', 'active', 'active']);
    }, 30_000);

    it('lists history, and a sync pass after a change at the provider adds a version', async () => {
      const history = async () =>
        jsonOf<{ items: { version: number }[] }>(
          await runCli(['history', customerId, '--provider', 'mollie', '--limit', '10', '--json'], { env }),
        ).items;
      expect((await history()).map((item) => item.version)).toEqual([1]);

      const customer = jsonOf<{ providers: { provider: string; providerCustomerId: string }[] }>(
        await runCli(['get', customerId, '--json'], { env }),
      );
      const mollieId =
        customer.providers.find((link) => link.provider === 'mollie')?.providerCustomerId ?? '';
      await stack.sandboxes.mollie?.control.patchCustomer(mollieId, { name: 'Ana María Gómez' });

      const sync = await runCli(['sync', '--provider', 'mollie', '--all', '--json'], {
        env: {
          DYNAMODB_ENDPOINT: testEndpoint(),
          TABLE_NAME: tableName,
          MOLLIE_BASE_URL: stack.sandboxes.mollie?.url ?? '',
          MOLLIE_API_KEY: SANDBOX_CREDENTIALS.mollie.apiKey,
        },
      });
      expect(sync.code).toBe(0);
      const summary = jsonOf<{
        providers: { provider: string; due: number; changed: number; failed: number }[];
      }>(sync);
      expect(summary.providers).toHaveLength(1);
      expect(summary.providers[0]).toMatchObject({ provider: 'mollie', changed: 1, failed: 0 });
      expect(summary.providers[0]?.due).toBeGreaterThanOrEqual(1);
      expect(sync.stderr).toMatch(/^sync: \d+\/\d+ \(100%\)$/m);

      expect((await history()).map((item) => item.version)).toEqual([2, 1]);
      const readable = await runCli(['history', customerId, '--provider', 'mollie'], { env });
      expect(readable.stdout).toMatch(/^2 +\S+ +- +\S+ +Ana María Gómez$/m);
    }, 60_000);

    it('prints ApiError with the HTTP status for an unknown customer, exit 1', async () => {
      const result = await runCli(['get', '01JD5N6ZB0W1S4Q6YF6S5C5V4N'], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ApiError: GET \/customers\/01JD5N6ZB0W1S4Q6YF6S5C5V4N: HTTP 404/);
    }, 30_000);

    it('reports a wrong API key without printing it', async () => {
      const wrong = 'wrong-key-that-must-not-be-printed-000';
      const result = await runCli(['get', customerId], { env: { ...env, CUSTOMER_SYNC_API_KEY: wrong } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^ApiError: .*HTTP 403/);
      expect(result.stderr).not.toContain(wrong);
      expect(result.stderr).not.toContain(KEY);
    }, 30_000);

    it('finds the local stack by itself through <LOCAL_DATA_DIR>/stack.json and api-key', async () => {
      const dataDir = join(dir, '.local');
      writeFileSync(
        join(dataDir, 'stack.json'),
        JSON.stringify({
          pid: process.pid,
          apiUrl: stack.url,
          dynamoDbEndpoint: testEndpoint(),
          tableName,
          region: 'us-east-1',
          sandboxes: {},
        }),
      );
      const result = await runCli(['get', customerId, '--json'], { env: { LOCAL_DATA_DIR: dataDir } });
      expect(result.code).toBe(0);
      expect(jsonOf<{ id: string }>(result).id).toBe(customerId);
      rmSync(join(dataDir, 'stack.json'));
    }, 30_000);
  });

  describe('import', () => {
    const providers: ProviderName[] = ['mollie', 'delos'];

    it('imports every valid row, reports bad rows by number and field, and a second run creates nothing', async () => {
      const file = join(dir, 'customers.csv');
      writeFileSync(
        file,
        csv(`cli-imp-${suffix}`, 6, [
          `cli-bad-${suffix},individual,Bad,,,private-not-an-email,,,,en_US`,
          `cli-imp-${suffix}-0002,individual,Dup,,,,,,,`,
        ]),
      );
      const before = await createdAt(providers);
      const first = await runCli(['import', file, '--providers', providers.join(','), '--json'], { env });
      expect(first.code).toBe(1);
      const summary = jsonOf<ImportSummary>(first);
      expect(summary).toMatchObject({ rows: 8, created: 6, skipped: 0, failed: 2 });
      expect(summary.failures.map((f) => [f.row, f.type, f.fields.map((x) => x.field)])).toEqual([
        [7, 'InvalidRow', ['email']],
        [8, 'DuplicateReference', ['reference']],
      ]);
      expect(first.stdout + first.stderr).not.toContain('private-not-an-email');
      expect(await createdAt(providers)).toEqual({
        mollie: (before.mollie ?? 0) + 6,
        delos: (before.delos ?? 0) + 6,
      });
      expect(readFileSync(`${file}.progress.jsonl`, 'utf8').trim().split('\n')).toHaveLength(6);

      const second = await runCli(['import', file, '--providers', providers.join(','), '--json'], { env });
      expect(second.code).toBe(1);
      expect(jsonOf<ImportSummary>(second)).toMatchObject({ created: 0, existing: 0, skipped: 6, failed: 2 });
      expect(await createdAt(providers)).toEqual({
        mollie: (before.mollie ?? 0) + 6,
        delos: (before.delos ?? 0) + 6,
      });

      // Without the journal every row is sent again, under the same keys: replayed, not created.
      rmSync(`${file}.progress.jsonl`);
      const third = await runCli(['import', file, '--providers', providers.join(',')], { env });
      expect(third.stdout).toMatch(/: 0 created, 6 already existed, 0 skipped/);
      expect(await createdAt(providers)).toEqual({
        mollie: (before.mollie ?? 0) + 6,
        delos: (before.delos ?? 0) + 6,
      });
    }, 120_000);

    it('resumes after being killed mid-way without creating anyone twice', async () => {
      const rows = 12;
      const file = join(dir, 'killed.jsonl');
      const references = Array.from(
        { length: rows },
        (_, i) => `cli-kill-${suffix}-${String(i).padStart(3, '0')}`,
      );
      writeFileSync(
        file,
        `${references
          .map((reference, i) =>
            JSON.stringify({
              reference,
              givenName: `K${i}`,
              email: `${reference}@example.com`,
              locale: 'en_US',
            }),
          )
          .join('\n')}\n`,
      );
      const journal = `${file}.progress.jsonl`;
      const before = await createdAt(providers);
      // Slow creates down so the kill lands with rows done, rows in flight and rows not started.
      for (const provider of providers) {
        await stack.sandboxes[provider]?.control.addFault({
          route: 'create',
          kind: 'latency',
          ms: 400,
          times: 1000,
        });
      }
      try {
        const run = spawnCli(['import', file, '--providers', providers.join(','), '--concurrency', '2'], {
          env,
        });
        const deadline = Date.now() + 60_000;
        while (!(existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 3)) {
          if (Date.now() > deadline) throw new Error('the import journaled nothing in time');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        run.child.kill('SIGKILL');
        const killed = await run.done;
        expect(killed.signal).toBe('SIGKILL');
      } finally {
        for (const provider of providers) await stack.sandboxes[provider]?.control.clearFaults();
      }
      const journaled = readFileSync(journal, 'utf8').trim().split('\n').length;
      expect(journaled).toBeLessThan(rows);

      const resumed = await runCli(['import', file, '--providers', providers.join(','), '--json'], { env });
      expect(resumed.code).toBe(0);
      const summary = jsonOf<ImportSummary>(resumed);
      expect(summary.failed).toBe(0);
      expect(summary.skipped).toBeGreaterThanOrEqual(journaled - 1);
      expect(summary.created + summary.existing + summary.skipped).toBe(rows);
      expect(await createdAt(providers)).toEqual({
        mollie: (before.mollie ?? 0) + rows,
        delos: (before.delos ?? 0) + rows,
      });
      // One customer per reference in the store too.
      for (const reference of references) {
        const found = await fetch(`${stack.url}/customers?reference=${encodeURIComponent(reference)}`, {
          headers: { 'x-api-key': KEY },
        });
        expect(((await found.json()) as { items: unknown[] }).items).toHaveLength(1);
      }
    }, 180_000);
  });
});
