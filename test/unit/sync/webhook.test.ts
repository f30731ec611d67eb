import { createHmac } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { Secret } from '../../../lib/config/providers.ts';
import type { WebhookSecrets } from '../../../lib/config/webhooks.ts';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { fixedClock } from '../../../lib/sync/clock.ts';
import { SyncMetricsRecorder } from '../../../lib/sync/metrics.ts';
import { InMemorySyncQueue, type SyncQueue } from '../../../lib/sync/queue.ts';
import { handleWebhook, type WebhookDeps, type WebhookHttpRequest } from '../../../lib/sync/webhook.ts';
import { InMemoryWebhookDedupe } from '../../../lib/sync/webhook-dedupe.ts';
import { decodeSignature, parseEventTime } from '../../../lib/sync/webhook-verify.ts';
import { FakeStore } from './fakes.ts';

const NOW = '2024-06-01T12:00:00.000Z';
const SECRETS = {
  palommaKey: 'palomma-integrity-key',
  mollieSecret: 'mollie-signing-secret',
  juspayUser: 'juspay-hook',
  juspayPassword: 'juspay-hook-password',
  delosToken: 'delos-hook-token',
};
const secrets: WebhookSecrets = {
  palomma: { integrityKey: new Secret(SECRETS.palommaKey) },
  mollie: { signingSecret: new Secret(SECRETS.mollieSecret) },
  juspay: { username: new Secret(SECRETS.juspayUser), password: new Secret(SECRETS.juspayPassword) },
  delos: { token: new Secret(SECRETS.delosToken) },
};
const PROVIDER_IDS: Record<ProviderName, string> = {
  palomma: '01HPALOMMACUSTOMER0000000',
  mollie: 'cst_8wmqcHMN4U',
  juspay: 'cst_juspay_1',
  delos: 'DqCsgSE-4e95-ViYbNI',
};

async function setup(overrides: Partial<WebhookDeps> = {}) {
  const store = new FakeStore();
  await store.createCustomer({
    customerId: 'C1',
    input: { reference: 'merchant-0001', kind: 'individual' },
    providers: [],
    now: NOW,
  });
  for (const provider of Object.keys(PROVIDER_IDS) as ProviderName[]) {
    await store.linkProvider({
      customerId: 'C1',
      provider,
      providerCustomerId: PROVIDER_IDS[provider],
      now: NOW,
    });
  }
  const queue = new InMemorySyncQueue();
  const metrics = new SyncMetricsRecorder();
  const rejected: string[] = [];
  const deps: WebhookDeps = {
    store,
    queue,
    dedupe: new InMemoryWebhookDedupe(),
    secrets: async () => secrets,
    clock: fixedClock(NOW),
    toleranceSeconds: 300,
    dedupeTtlSeconds: 3600,
    metrics,
    onRejected: (_provider, reason) => rejected.push(reason),
    ...overrides,
  };
  const send = (request: Partial<WebhookHttpRequest> & { provider: string }) =>
    handleWebhook(deps, { headers: {}, query: null, body: null, ...request });
  return { store, queue, metrics, deps, send, rejected };
}

const json = (response: APIGatewayProxyResult) => JSON.parse(response.body);
const hmac = (key: string, data: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', key).update(data).digest(encoding);

// --- Palomma ---------------------------------------------------------------------------------------
function palomma(
  payload: Record<string, unknown>,
  options: { key?: string; encoding?: 'hex' | 'base64'; signature?: string | null } = {},
) {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64');
  const signature =
    options.signature === undefined
      ? hmac(options.key ?? SECRETS.palommaKey, encoded, options.encoding ?? 'hex')
      : options.signature;
  return {
    provider: 'palomma',
    headers: { 'X-Encoded-Data': encoded, ...(signature === null ? {} : { 'X-Signature': signature }) },
    body: JSON.stringify(payload),
  };
}
const palommaEvent = (overrides: Record<string, unknown> = {}) => ({
  webhookId: 'wh_1',
  timestamp: NOW,
  eventType: 'payin-request.update',
  event: { id: 'pr_1', customerId: PROVIDER_IDS.palomma },
  ...overrides,
});

describe('provider-webhook: Palomma', () => {
  it('accepts a hex or base64 signature of X-Encoded-Data and enqueues a re-fetch', async () => {
    const { send, queue } = await setup();
    expect(json(await send(palomma(palommaEvent())))).toEqual({ status: 'enqueued' });
    expect(json(await send(palomma(palommaEvent({ webhookId: 'wh_2' }), { encoding: 'base64' })))).toEqual({
      status: 'enqueued',
    });
    expect(queue.messages).toEqual([
      { customerId: 'C1', provider: 'palomma', reason: 'webhook' },
      { customerId: 'C1', provider: 'palomma', reason: 'webhook' },
    ]);
  });

  it('refuses a bad or missing signature with 401 and enqueues nothing', async () => {
    const { send, queue, rejected, metrics } = await setup();
    const bad = await send(palomma(palommaEvent(), { key: 'wrong-key' }));
    expect(bad.statusCode).toBe(401);
    expect(bad.headers?.['content-type']).toBe('application/problem+json');
    expect((await send(palomma(palommaEvent(), { signature: null }))).statusCode).toBe(401);
    expect((await send(palomma(palommaEvent(), { signature: 'not-a-signature' }))).statusCode).toBe(401);
    expect(queue.messages).toEqual([]);
    expect(rejected).toEqual(['signature mismatch', 'signature missing', 'signature mismatch']);
    expect(metrics.total('WebhooksRejected', 'palomma')).toBe(3);
  });

  it('refuses a replayed event outside the time window', async () => {
    const { send, queue } = await setup();
    const old = await send(palomma(palommaEvent({ timestamp: '2024-06-01T11:54:59.000Z' })));
    expect(old.statusCode).toBe(401);
    const epochSeconds = Date.parse('2024-06-01T11:58:00.000Z') / 1000;
    expect((await send(palomma(palommaEvent({ timestamp: epochSeconds })))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
  });

  it('answers a redelivered event id as a duplicate without enqueueing it again', async () => {
    const { send, queue } = await setup();
    await send(palomma(palommaEvent()));
    expect(json(await send(palomma(palommaEvent())))).toEqual({ status: 'duplicate' });
    expect(queue.messages).toHaveLength(1);
  });

  it('accepts events that name no linked customer and enqueues nothing', async () => {
    const { send, queue } = await setup();
    expect(json(await send(palomma(palommaEvent({ event: { id: 'po_1' } }))))).toEqual({ status: 'ignored' });
    expect(
      json(await send(palomma(palommaEvent({ webhookId: 'wh_9', event: { customerId: 'unknown' } })))),
    ).toEqual({
      status: 'ignored',
    });
    expect(queue.messages).toEqual([]);
  });
});

// --- Mollie ----------------------------------------------------------------------------------------
const mollieEvent = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    resource: 'event',
    id: 'event_GvJ8WHrp5isUdRub9CJyH',
    type: 'payment-link.paid',
    entityId: 'pl_qng5gbbv8NAZ5gpM5ZYgx',
    createdAt: '2024-06-01T11:59:30+00:00',
    _embedded: { entity: { resource: 'payment-link', customerId: PROVIDER_IDS.mollie } },
    ...overrides,
  });
const mollie = (body: string, signature?: string | null) => ({
  provider: 'mollie',
  headers: {
    'Content-Type': 'application/json',
    ...(signature === null
      ? {}
      : { 'X-Mollie-Signature': signature ?? hmac(SECRETS.mollieSecret, body, 'hex') }),
  },
  body,
});

describe('provider-webhook: Mollie', () => {
  it('accepts a next-gen event signed over the raw body, with or without the sha256= prefix', async () => {
    const { send, queue } = await setup();
    expect(json(await send(mollie(mollieEvent())))).toEqual({ status: 'enqueued' });
    const second = mollieEvent({ id: 'event_2' });
    expect(json(await send(mollie(second, `sha256=${hmac(SECRETS.mollieSecret, second, 'hex')}`)))).toEqual({
      status: 'enqueued',
    });
    expect(queue.messages).toHaveLength(2);
  });

  it('refuses a bad or missing signature and a replayed event', async () => {
    const { send, queue } = await setup();
    expect((await send(mollie(mollieEvent(), hmac('other', mollieEvent(), 'hex')))).statusCode).toBe(401);
    expect((await send(mollie(mollieEvent(), null))).statusCode).toBe(401);
    // A signature over other bytes (the body was altered) fails too.
    expect(
      (await send({ ...mollie(mollieEvent()), body: mollieEvent({ type: 'payment.paid' }) })).statusCode,
    ).toBe(401);
    expect((await send(mollie(mollieEvent({ createdAt: '2024-06-01T12:06:00+00:00' })))).statusCode).toBe(
      401,
    );
    expect(queue.messages).toEqual([]);
  });

  it('takes a classic unsigned `id=` hint, enqueueing only when the id is a linked customer', async () => {
    const { send, queue } = await setup();
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect(json(await send({ provider: 'mollie', headers: form, body: 'id=tr_d0b0E3EA3v' }))).toEqual({
      status: 'ignored',
    });
    expect(
      json(await send({ provider: 'mollie', headers: form, body: `id=${PROVIDER_IDS.mollie}` })),
    ).toEqual({
      status: 'enqueued',
    });
    expect(queue.messages).toEqual([{ customerId: 'C1', provider: 'mollie', reason: 'webhook' }]);
  });

  it('takes classic hints even when no signing secret is configured, but refuses unsigned JSON', async () => {
    const { send } = await setup({ secrets: async () => ({}) });
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect((await send({ provider: 'mollie', headers: form, body: 'id=tr_1' })).statusCode).toBe(200);
    expect((await send(mollie(mollieEvent()))).statusCode).toBe(401);
  });
});

// --- Juspay ----------------------------------------------------------------------------------------
const juspayBody = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'evt_V2_1',
    event_name: 'ORDER_SUCCEEDED',
    date_created: '2024-06-01T11:58:00Z',
    content: { order: { order_id: 'o1', customer_id: PROVIDER_IDS.juspay } },
    ...overrides,
  });
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('provider-webhook: Juspay', () => {
  it('accepts HTTP Basic with the configured credentials', async () => {
    const { send, queue } = await setup();
    const response = await send({
      provider: 'juspay',
      headers: { Authorization: basic(SECRETS.juspayUser, SECRETS.juspayPassword) },
      body: juspayBody(),
    });
    expect(json(response)).toEqual({ status: 'enqueued' });
    expect(queue.messages).toHaveLength(1);
  });

  it('finds the customer by merchant reference when the order names it instead of Juspay’s id', async () => {
    const { send, queue } = await setup();
    const body = juspayBody({ id: 'evt_2', content: { order: { customer_id: 'merchant-0001' } } });
    const response = await send({
      provider: 'juspay',
      headers: { authorization: basic(SECRETS.juspayUser, SECRETS.juspayPassword) },
      body,
    });
    expect(json(response)).toEqual({ status: 'enqueued' });
    expect(queue.messages).toEqual([{ customerId: 'C1', provider: 'juspay', reason: 'webhook' }]);
  });

  it('refuses wrong, missing or malformed credentials and replays', async () => {
    const { send, queue } = await setup();
    const attempts = [
      { Authorization: basic(SECRETS.juspayUser, 'wrong') },
      { Authorization: basic('someone', SECRETS.juspayPassword) },
      {},
      { Authorization: 'Bearer abc' },
    ];
    for (const headers of attempts) {
      const response = await send({ provider: 'juspay', headers, body: juspayBody() });
      expect(response.statusCode).toBe(401);
      expect(response.headers?.['www-authenticate']).toContain('Basic');
    }
    const replay = await send({
      provider: 'juspay',
      headers: { Authorization: basic(SECRETS.juspayUser, SECRETS.juspayPassword) },
      body: juspayBody({ date_created: '2024-05-31T12:00:00Z' }),
    });
    expect(replay.statusCode).toBe(401);
    expect(queue.messages).toEqual([]);
  });
});

// --- Delos -----------------------------------------------------------------------------------------
const delosBody = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    hook_id: '2f0c6b0e-5c2b-4b0e-9d1e-0c8c1b1a0d01',
    hook_type: 3,
    Data: {
      Client: {
        cuid: PROVIDER_IDS.delos,
        status: 3,
        create_at: { seconds: 1718787385 },
        update_at: { seconds: 1718787385 },
        name: 'Ana',
        lastname: 'Gómez',
      },
    },
    ...overrides,
  });

describe('provider-webhook: Delos', () => {
  it('accepts the token in the X-Webhook-Token header or the token query parameter', async () => {
    const { send, queue } = await setup();
    const viaHeader = await send({
      provider: 'delos',
      headers: { 'X-Webhook-Token': SECRETS.delosToken },
      body: delosBody(),
    });
    expect(json(viaHeader)).toEqual({ status: 'enqueued' });
    const viaQuery = await send({
      provider: 'delos',
      query: { token: SECRETS.delosToken },
      body: delosBody({ hook_id: 'second' }),
    });
    expect(json(viaQuery)).toEqual({ status: 'enqueued' });
    expect(queue.messages).toHaveLength(2);
  });

  it('does not apply a time window: a late retry of a genuine event still counts (its id dedupes it)', async () => {
    const { send, queue } = await setup();
    const late = await send({
      provider: 'delos',
      headers: { 'x-webhook-token': SECRETS.delosToken },
      body: delosBody(),
    });
    expect(json(late)).toEqual({ status: 'enqueued' });
    const again = await send({
      provider: 'delos',
      headers: { 'x-webhook-token': SECRETS.delosToken },
      body: delosBody(),
    });
    expect(json(again)).toEqual({ status: 'duplicate' });
    expect(queue.messages).toHaveLength(1);
  });

  it('ignores hooks of other types than CLIENT', async () => {
    const { send, queue } = await setup();
    const response = await send({
      provider: 'delos',
      headers: { 'x-webhook-token': SECRETS.delosToken },
      body: delosBody({ hook_type: 1, Data: { Operation: { id: 'op1' } } }),
    });
    expect(json(response)).toEqual({ status: 'ignored' });
    expect(queue.messages).toEqual([]);
  });

  it('refuses a wrong or missing token', async () => {
    const { send, queue } = await setup();
    expect(
      (await send({ provider: 'delos', headers: { 'x-webhook-token': 'nope' }, body: delosBody() }))
        .statusCode,
    ).toBe(401);
    expect((await send({ provider: 'delos', body: delosBody() })).statusCode).toBe(401);
    expect(queue.messages).toEqual([]);
  });
});

// --- all providers ---------------------------------------------------------------------------------
describe('provider-webhook', () => {
  it('answers 404 for a provider that is not ours or not enabled', async () => {
    const { send } = await setup({ providers: ['mollie'] });
    expect((await send({ provider: 'stripe', body: '{}' })).statusCode).toBe(404);
    expect((await send(palomma(palommaEvent()))).statusCode).toBe(404);
  });

  it('refuses every provider’s webhooks when its secret is not configured', async () => {
    const { send } = await setup({ secrets: async () => ({}) });
    expect((await send(palomma(palommaEvent()))).statusCode).toBe(401);
    expect(
      (
        await send({
          provider: 'delos',
          headers: { 'x-webhook-token': SECRETS.delosToken },
          body: delosBody(),
        })
      ).statusCode,
    ).toBe(401);
  });

  it('answers 400 for an authenticated body it cannot read', async () => {
    const { send } = await setup();
    const body = '{"no": "id"}';
    expect((await send(mollie(body))).statusCode).toBe(400);
  });

  it('answers 413 for an oversized body', async () => {
    const { send } = await setup();
    expect((await send({ provider: 'mollie', body: 'x'.repeat(300 * 1024) })).statusCode).toBe(413);
  });

  it('reads a base64-encoded body (binary media types) before verifying it', async () => {
    const { send } = await setup();
    const request = mollie(mollieEvent());
    const response = await send({
      ...request,
      body: Buffer.from(request.body).toString('base64'),
      isBase64Encoded: true,
    });
    expect(json(response)).toEqual({ status: 'enqueued' });
  });

  it('forgets the event id when the enqueue fails, so the provider’s retry is processed', async () => {
    let fail = true;
    const sent: unknown[] = [];
    const queue: SyncQueue = {
      send: async (messages) => {
        if (fail) throw new Error('queue down');
        sent.push(...messages);
      },
    };
    const { send } = await setup({ queue });
    expect((await send(mollie(mollieEvent()))).statusCode).toBe(500);
    fail = false;
    expect(json(await send(mollie(mollieEvent())))).toEqual({ status: 'enqueued' });
    expect(sent).toHaveLength(1);
  });
});

describe('webhook helpers', () => {
  it('decodes hex and base64 signatures and rejects anything else', () => {
    const digest = createHmac('sha256', 'k').update('d').digest();
    expect(decodeSignature(digest.toString('hex'))?.equals(digest)).toBe(true);
    expect(decodeSignature(`sha256=${digest.toString('base64')}`)?.equals(digest)).toBe(true);
    expect(decodeSignature(digest.toString('base64url'))?.equals(digest)).toBe(true);
    expect(decodeSignature('abc')).toBeNull();
  });

  it('reads ISO times and epoch seconds or milliseconds', () => {
    expect(parseEventTime('2024-06-01T12:00:00Z')?.toISOString()).toBe(NOW);
    expect(parseEventTime(1717243200)?.toISOString()).toBe(NOW);
    expect(parseEventTime('1717243200000')?.toISOString()).toBe(NOW);
    expect(parseEventTime('yesterday')).toBeNull();
  });
});
