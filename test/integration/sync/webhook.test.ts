import { createServer, type Server } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createWebhookHandler } from '../../../functions/provider-webhook/handler.ts';
import { Secret } from '../../../lib/config/providers.ts';
import { createLogger } from '../../../lib/observability/index.ts';
import { systemClock } from '../../../lib/sync/clock.ts';
import { handleCreateCustomer } from '../../../lib/sync/create-customer.ts';
import { localContext } from '../../../lib/sync/lambda.ts';
import { DynamoWebhookDedupe } from '../../../lib/sync/webhook-dedupe.ts';
import { processSyncBatch } from '../../../lib/sync/worker.ts';
import { type SyncHarness, sqsEvent, startSyncHarness } from './harness.ts';

const DELOS_TOKEN = 'it-delos-webhook-token';

let h: SyncHarness;
let server: Server;
let webhookUrl: string;
let dedupe: DynamoWebhookDedupe;

beforeAll(async () => {
  h = await startSyncHarness();
  dedupe = new DynamoWebhookDedupe({ doc: h.idempotency.doc, tableName: h.idempotency.tableName });
  const handler = createWebhookHandler({
    store: h.store,
    queue: h.queue,
    dedupe,
    secrets: async () => ({ delos: { token: new Secret(DELOS_TOKEN) } }),
    toleranceSeconds: 300,
    dedupeTtlSeconds: 3600,
    clock: systemClock,
    logger: createLogger('provider-webhook', { level: 'SILENT' }),
  });
  // A stand-in for API Gateway: `POST /webhooks/{provider}` onto the handler, as the local gateway does.
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const event: APIGatewayProxyEvent = {
        httpMethod: request.method ?? 'POST',
        path: url.pathname,
        resource: '/webhooks/{provider}',
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
        multiValueHeaders: {},
        queryStringParameters: Object.fromEntries(url.searchParams),
        multiValueQueryStringParameters: null,
        pathParameters: { provider: url.pathname.split('/')[2] ?? '' },
        stageVariables: null,
        requestContext: {} as APIGatewayProxyEvent['requestContext'],
        body,
        isBase64Encoded: false,
      };
      const result = await handler(event, localContext('provider-webhook'));
      response.writeHead(result.statusCode, {
        'content-type': String(result.headers?.['content-type'] ?? 'application/json'),
      });
      response.end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await h?.stop();
});

describe('DynamoWebhookDedupe', () => {
  it('claims an event id once within its TTL, and again after it expired or was released', async () => {
    const now = new Date('2024-06-01T12:00:00.000Z');
    expect(await dedupe.claim('palomma', 'wh_1', now, 60)).toBe(true);
    expect(await dedupe.claim('palomma', 'wh_1', now, 60)).toBe(false);
    // Same id at another provider is another event.
    expect(await dedupe.claim('juspay', 'wh_1', now, 60)).toBe(true);
    expect(await dedupe.claim('palomma', 'wh_1', new Date(now.getTime() + 61_000), 60)).toBe(true);
    await dedupe.release('palomma', 'wh_1');
    expect(await dedupe.claim('palomma', 'wh_1', now, 60)).toBe(true);
  });
});

describe('Delos customer webhook, end to end', () => {
  it('re-fetches the customer a delivered hook names and stores the change', async () => {
    const created = await handleCreateCustomer(h.createDeps(), {
      headers: { 'content-type': 'application/json', 'Idempotency-Key': `delos-hook-${Date.now()}` },
      body: JSON.stringify({
        customer: { reference: 'it-delos-hook-1', givenName: 'Dora', familyName: 'Delos' },
        providers: ['delos'],
      }),
    });
    expect(created.statusCode).toBe(201);
    const { customerId, providers } = JSON.parse(created.body);
    const cuid: string = providers.delos.providerCustomerId;

    // Delos can only be given a URL: the token rides in the query.
    await h.sandboxes.delos.control.setWebhook(`${webhookUrl}/webhooks/delos?token=${DELOS_TOKEN}`);
    await h.sandboxes.delos.control.patchCustomer(cuid, { lastname: 'Changed' });
    const deliveries = await h.sandboxes.delos.control.webhookDeliveries();
    expect(deliveries.at(-1)?.status).toBe(200);
    const messages = h.queue.drain();
    expect(messages).toEqual([{ customerId, provider: 'delos', reason: 'webhook' }]);

    const worked = await processSyncBatch(h.workerDeps(), sqsEvent(messages));
    expect(worked.batchItemFailures).toEqual([]);
    const link = (await h.store.getCustomer(customerId))?.links.find((item) => item.provider === 'delos');
    expect(link?.snapshot?.familyName).toBe('Changed');
    expect(link?.version).toBe(2);
  });

  it('refuses hooks with a wrong token: 401 and nothing enqueued', async () => {
    await h.sandboxes.delos.control.setWebhook(`${webhookUrl}/webhooks/delos?token=wrong`);
    const inserted = await h.sandboxes.delos.control.insertCustomer({
      name: 'Eve',
      lastname: 'Intruder',
      type: 'INDIVIDUAL',
    });
    expect(inserted).toBeDefined();
    const deliveries = await h.sandboxes.delos.control.webhookDeliveries();
    expect(deliveries.at(-1)?.status).toBe(401);
    expect(h.queue.drain()).toEqual([]);
    await h.sandboxes.delos.control.setWebhook(null);
  });
});
