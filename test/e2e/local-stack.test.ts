import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PROVIDERS, type ProviderName } from '../../lib/customer/snapshot.ts';
import { type RunningLocalStack, startLocalStack } from '../../lib/local/start.ts';
import { testEndpoint } from '../helpers/dynamodb.ts';

const KEY = 'e2e-local-api-key-0123456789';

interface Json {
  [key: string]: unknown;
}

interface CustomerBody {
  id: string;
  providers: Array<{
    provider: ProviderName;
    providerCustomerId: string | null;
    status: string;
    version: number;
    snapshot: { givenName: string | null; email: string | null } | null;
    sync: { lastSuccessAt: string | null; consecutiveFailures: number; lastError: unknown } | null;
  }>;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('local stack (npm start runtime) end to end', () => {
  let stack: RunningLocalStack;
  let dataDir: string;
  const lines: string[] = [];
  const suffix = `${process.pid}-${Date.now()}`;
  const tableName = `e2e-customers-${suffix}`;
  const idempotencyTableName = `e2e-idempotency-${suffix}`;
  const raw = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: testEndpoint(),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(raw);

  const api = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set('x-api-key', init.key ?? KEY);
    return fetch(`${stack.url}${path}`, { ...init, headers });
  };
  const getCustomer = async (id: string): Promise<CustomerBody> => {
    const response = await api(`/customers/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as CustomerBody;
  };
  const linkOf = (customer: CustomerBody, provider: ProviderName) => {
    const link = customer.providers.find((item) => item.provider === provider);
    if (!link) throw new Error(`no ${provider} link`);
    return link;
  };
  const historyLength = async (id: string, provider: ProviderName) => {
    const response = await api(`/customers/${id}/history?provider=${provider}&limit=100`);
    return ((await response.json()) as { items: unknown[] }).items.length;
  };
  const create = (body: unknown, key: string) =>
    api('/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
  const customerInput = (reference: string) => ({
    reference,
    kind: 'individual',
    givenName: 'Ana',
    familyName: 'Gómez',
    email: `${reference}@example.com`,
    phone: '+573013111111',
    document: { type: 'cc', number: '1037551022' },
    locale: 'en_US',
  });

  async function itemCounts(): Promise<[number, number]> {
    const count = async (TableName: string) => {
      let total = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({ TableName, Select: 'COUNT', ExclusiveStartKey: start }),
        );
        total += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return total;
    };
    return [await count(tableName), await count(idempotencyTableName)];
  }
  const createdAtSandboxes = async () =>
    Promise.all(
      PROVIDERS.map(async (provider) => (await stack.sandboxes[provider]?.control.stats())?.created ?? -1),
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'customer-sync-e2e-'));
    stack = await startLocalStack({
      config: {
        port: 0,
        apiKey: KEY,
        dataDir,
        dynamoDbEndpoint: testEndpoint(),
        tableName,
        idempotencyTableName,
        seed: 1,
        handlerLogs: 'file',
        backfill: true,
        externalProviders: [],
        // Delos is left to webhooks: its schedule must not be what picks a change up.
        env: { SYNC_INTERVAL_SECONDS_DELOS: '3600' },
      },
      print: (line) => lines.push(line),
      syncIntervalSeconds: 1,
      retryBaseSeconds: 1,
      redeliveryScale: 0.01,
    });
    await stack.demoLinked;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled(
      [tableName, idempotencyTableName].map((TableName) => raw.send(new DeleteTableCommand({ TableName }))),
    );
    raw.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with the sandboxes, prints the URL and key, and links the demo customers', async () => {
    expect(lines.join('\n')).toContain(`API        ${stack.url}`);
    expect(lines.join('\n')).toContain(KEY);
    expect(
      lines.some((line) => /^backfill (palomma|mollie): \d+ listed, [1-9]\d* imported$/.test(line)),
    ).toBe(true);
    const response = await api('/customers?limit=100');
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: unknown[] };
    expect(page.items.length).toBeGreaterThan(4);
  });

  it('refuses requests without or with a wrong API key, reading and writing nothing', async () => {
    const before = [await itemCounts(), await createdAtSandboxes()];
    const attempts = [
      api('/customers', { key: null }),
      api('/customers', { key: 'wrong-key-but-long-enough-000' }),
      api('/customers/01JD5N6ZB0W1S4Q6YF6S5C5V4N', { key: null }),
      api('/openapi.json', { key: '' }),
      api('/customers', {
        key: null,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-403' },
        body: JSON.stringify({ customer: customerInput('forbidden-ref-1'), providers: ['mollie'] }),
      }),
      api('/customers/01JD5N6ZB0W1S4Q6YF6S5C5V4N/links', {
        key: 'nope-nope-nope-nope-nope',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'mollie', providerCustomerId: 'cst_x' }),
      }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ message: 'Forbidden', status: 403 });
    }
    expect([await itemCounts(), await createdAtSandboxes()]).toEqual(before);
  });

  let customerId: string;

  it('creates a customer at all four providers and reads back four snapshots', async () => {
    const response = await create(
      { customer: customerInput(`e2e-main-${suffix}`), providers: [...PROVIDERS] },
      `key-main-${suffix}`,
    );
    const body = (await response.json()) as {
      customerId: string;
      providers: Record<string, { status: string }>;
    };
    expect(response.status).toBe(201);
    expect(Object.values(body.providers).map((result) => result.status)).toEqual([
      'created',
      'created',
      'created',
      'created',
    ]);
    customerId = body.customerId;
    const customer = await getCustomer(customerId);
    expect(customer.providers.map((link) => link.provider).sort()).toEqual([...PROVIDERS].sort());
    for (const link of customer.providers) {
      expect(link).toMatchObject({ status: 'active', snapshot: { givenName: 'Ana' } });
      expect(link.providerCustomerId).toEqual(expect.any(String));
    }
  });

  it('picks up a change made at the provider on the next scheduled run, with one history item', async () => {
    const before = await getCustomer(customerId);
    const palomma = linkOf(before, 'palomma');
    const historyBefore = await historyLength(customerId, 'palomma');
    await stack.sandboxes.palomma?.control.patchCustomer(palomma.providerCustomerId ?? '', {
      name: 'Beatriz Gómez',
    });
    const after = await waitFor('the scheduled palomma sync', async () => {
      const customer = await getCustomer(customerId);
      return linkOf(customer, 'palomma').snapshot?.givenName === 'Beatriz' ? customer : null;
    });
    expect(linkOf(after, 'palomma').version).toBe(palomma.version + 1);
    expect(await historyLength(customerId, 'palomma')).toBe(historyBefore + 1);
    expect(
      lines.some((line) => /^sync palomma due: \d+ fetched, [1-9]\d* changed, \d+ failed/.test(line)),
    ).toBe(true);
  });

  it('re-fetches on a Delos customer webhook (token-verified), adding one history item', async () => {
    const before = await getCustomer(customerId);
    const delos = linkOf(before, 'delos');
    const historyBefore = await historyLength(customerId, 'delos');
    await stack.sandboxes.delos?.control.patchCustomer(delos.providerCustomerId ?? '', { name: 'Carla' });
    // Delos syncs hourly in this test: only the webhook can bring the change in quickly.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(linkOf(await getCustomer(customerId), 'delos').snapshot?.givenName).toBe('Ana');

    const response = await api('/webhooks/delos', {
      key: null,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-token': stack.webhook.delosToken },
      body: JSON.stringify({
        hook_id: `hook-${suffix}`,
        hook_type: 3,
        Data: { Client: { cuid: delos.providerCustomerId } },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'enqueued' });
    await waitFor('the webhook-triggered delos sync', async () => {
      const customer = await getCustomer(customerId);
      return linkOf(customer, 'delos').snapshot?.givenName === 'Carla';
    });
    expect(await historyLength(customerId, 'delos')).toBe(historyBefore + 1);
  });

  it('creates one provider customer per provider for sequential and 20 concurrent duplicate creates', async () => {
    const before = await createdAtSandboxes();
    const body = { customer: customerInput(`e2e-dup-${suffix}`), providers: [...PROVIDERS] };
    const first = await create(body, `key-dup-a-${suffix}`);
    expect(first.status).toBe(201);
    const { customerId: duplicateId } = (await first.json()) as { customerId: string };
    const replay = await create(body, `key-dup-a-${suffix}`);
    expect(replay.status).toBe(201);
    expect(((await replay.json()) as { customerId: string }).customerId).toBe(duplicateId);
    const newKey = await create(body, `key-dup-b-${suffix}`);
    expect(((await newKey.json()) as { customerId: string }).customerId).toBe(duplicateId);
    expect(await createdAtSandboxes()).toEqual(before.map((count) => count + 1));

    const concurrentBody = { customer: customerInput(`e2e-conc-${suffix}`), providers: [...PROVIDERS] };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => create(concurrentBody, `key-conc-${suffix}`)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 202 || status === 409)).toBe(true);
    const ids = new Set<string>();
    for (const response of responses) {
      const json = (await response.json()) as Json;
      if (response.status < 300) ids.add(String(json.customerId));
    }
    expect(ids.size).toBe(1);
    expect(await createdAtSandboxes()).toEqual(before.map((count) => count + 2));
  });

  it('survives a provider outage: others keep syncing, stored data stays, and it recovers', async () => {
    const before = await getCustomer(customerId);
    const juspayBefore = linkOf(before, 'juspay');
    const mollieSuccess = linkOf(before, 'mollie').sync?.lastSuccessAt ?? '';
    const juspay = stack.sandboxes.juspay;
    if (!juspay) throw new Error('no juspay sandbox');
    await juspay.control.addFault({ route: 'get', kind: 'error', status: 503 });
    try {
      const failing = await waitFor('a failed juspay sync', async () => {
        const customer = await getCustomer(customerId);
        return (linkOf(customer, 'juspay').sync?.consecutiveFailures ?? 0) > 0 ? customer : null;
      });
      expect(linkOf(failing, 'juspay').snapshot).toEqual(juspayBefore.snapshot);
      expect(linkOf(failing, 'juspay').version).toBe(juspayBefore.version);
      await waitFor('mollie syncing during the outage', async () => {
        const customer = await getCustomer(customerId);
        const mollie = linkOf(customer, 'mollie');
        return (mollie.sync?.lastSuccessAt ?? '') > mollieSuccess && mollie.sync?.consecutiveFailures === 0;
      });
    } finally {
      await juspay.control.clearFaults();
    }
    await juspay.control.patchCustomer(juspayBefore.providerCustomerId ?? '', { first_name: 'Dalia' });
    const healed = await waitFor(
      'juspay to recover',
      async () => {
        const customer = await getCustomer(customerId);
        const link = linkOf(customer, 'juspay');
        return link.snapshot?.givenName === 'Dalia' && link.sync?.consecutiveFailures === 0 ? customer : null;
      },
      30_000,
    );
    expect(linkOf(healed, 'juspay').sync?.lastError).toBeNull();
  }, 60_000);

  it('answers bad input on every route with a 4xx problem and writes nothing', async () => {
    const before = [await itemCounts(), await createdAtSandboxes()];
    const json = { 'content-type': 'application/json' };
    const requests: Array<[string, number, () => Promise<Response>]> = [
      ['GET /customers?limit=0', 400, () => api('/customers?limit=0')],
      ['GET /customers?bogus=1', 400, () => api('/customers?bogus=1')],
      ['GET /customers/{bad id}', 400, () => api('/customers/not-a-ulid')],
      ['GET history without provider', 400, () => api(`/customers/${customerId}/history`)],
      [
        'GET history of an unknown provider',
        400,
        () => api(`/customers/${customerId}/history?provider=stripe`),
      ],
      ['GET /openapi.json?x=1', 400, () => api('/openapi.json?x=1')],
      [
        'POST links, malformed JSON',
        400,
        () => api(`/customers/${customerId}/links`, { method: 'POST', headers: json, body: '{"provider":' }),
      ],
      [
        'POST links, text/plain',
        415,
        () =>
          api(`/customers/${customerId}/links`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'x',
          }),
      ],
      [
        'POST links, 70 KB',
        413,
        () =>
          api(`/customers/${customerId}/links`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ provider: 'mollie', providerCustomerId: 'c', pad: 'x'.repeat(70_000) }),
          }),
      ],
      [
        'POST /customers without a key header',
        400,
        () =>
          api('/customers', {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ customer: customerInput(`bad-1-${suffix}`), providers: ['mollie'] }),
          }),
      ],
      [
        'POST /customers, invalid email',
        400,
        () =>
          create(
            { customer: { ...customerInput(`bad-2-${suffix}`), email: 'nope' }, providers: ['mollie'] },
            `bad-2-${suffix}`,
          ),
      ],
      [
        'POST /customers, malformed JSON',
        400,
        () =>
          api('/customers', {
            method: 'POST',
            headers: { ...json, 'idempotency-key': `bad-3-${suffix}` },
            body: '{"customer":',
          }),
      ],
      [
        'POST /customers, unknown provider',
        400,
        () =>
          create({ customer: customerInput(`bad-4-${suffix}`), providers: ['stripe'] }, `bad-4-${suffix}`),
      ],
      [
        'POST /webhooks/stripe',
        404,
        () => api('/webhooks/stripe', { key: null, method: 'POST', headers: json, body: '{}' }),
      ],
      [
        'POST /webhooks/delos, wrong token',
        401,
        () =>
          api('/webhooks/delos', {
            key: null,
            method: 'POST',
            headers: { ...json, 'x-webhook-token': 'wrong' },
            body: '{}',
          }),
      ],
      [
        'POST /webhooks/delos, unreadable body',
        400,
        () =>
          api('/webhooks/delos', {
            key: null,
            method: 'POST',
            headers: { ...json, 'x-webhook-token': stack.webhook.delosToken },
            body: '{"hook_id":',
          }),
      ],
      ['DELETE /customers/{id}', 405, () => api(`/customers/${customerId}`, { method: 'DELETE' })],
      ['GET /nope', 404, () => api('/nope')],
    ];
    for (const [name, status, send] of requests) {
      const response = await send();
      const text = await response.text();
      expect({ name, status: response.status, type: response.headers.get('content-type') }).toEqual({
        name,
        status,
        type: 'application/problem+json',
      });
      expect(JSON.parse(text)).toMatchObject({ status, title: expect.any(String) });
    }
    expect([await itemCounts(), await createdAtSandboxes()]).toEqual(before);
  }, 60_000);
});
