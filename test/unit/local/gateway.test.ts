import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type RunningGateway, startGateway } from '../../../lib/local/gateway.ts';

const KEY = 'local-test-key-0123456789';

describe('local gateway', () => {
  let gateway: RunningGateway;
  const calls: Array<{ fn: string; event: APIGatewayProxyEvent }> = [];
  const answer =
    (fn: string) =>
    async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
      calls.push({ fn, event });
      if (event.headers['x-fail'] === 'yes') throw new Error('handler crashed');
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fn }),
      };
    };

  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      apiKey: KEY,
      maxBodyBytes: 1024,
      handlers: {
        'read-api': answer('read-api'),
        'create-customer': answer('create-customer'),
        'provider-webhook': answer('provider-webhook'),
      },
    });
  });
  afterAll(async () => gateway.stop());
  beforeEach(() => {
    calls.length = 0;
  });

  it('answers 403 like API Gateway, as a problem, without calling any function', async () => {
    for (const headers of [{}, { 'x-api-key': 'wrong-key-0000000000000' }, { 'x-api-key': `${KEY}x` }]) {
      const response = await fetch(`${gateway.url}/customers`, { headers });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ message: 'Forbidden', status: 403, title: 'Forbidden' });
    }
    const post = await fetch(`${gateway.url}/customers`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('builds a REST API v1 proxy event for the function that owns the route', async () => {
    const response = await fetch(
      `${gateway.url}/customers/01ABC/history?provider=mollie&x=1&x=2&email=a+b%40c.io`,
      {
        headers: { 'X-Api-Key': KEY, 'X-Custom-Header': 'Value' },
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ fn: 'read-api' });
    const event = calls[0]?.event;
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/customers/01ABC/history',
      resource: '/customers/{id}/history',
      pathParameters: { id: '01ABC' },
      queryStringParameters: { provider: 'mollie', x: '2', email: 'a+b@c.io' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      body: null,
      isBase64Encoded: false,
      requestContext: { stage: 'local', identity: { apiKey: KEY } },
    });
    // The client's header casing is kept, as API Gateway does.
    expect(event?.headers['X-Custom-Header']).toBe('Value');
  });

  it('routes creates and webhooks, and lets webhooks in without a key', async () => {
    await fetch(`${gateway.url}/customers`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    const webhook = await fetch(`${gateway.url}/webhooks/mollie`, { method: 'POST', body: 'id=cst_1' });
    expect(webhook.status).toBe(200);
    expect(calls.map((call) => [call.fn, call.event.body])).toEqual([
      ['create-customer', '{"a":1}'],
      ['provider-webhook', 'id=cst_1'],
    ]);
    expect(calls[1]?.event.pathParameters).toEqual({ provider: 'mollie' });
  });

  it('passes unknown routes (with a key) to the read API, which answers 404/405', async () => {
    await fetch(`${gateway.url}/nope`, { headers: { 'x-api-key': KEY } });
    expect(calls.map((call) => call.fn)).toEqual(['read-api']);
  });

  it('answers 413 above the payload limit and 502 when a function throws', async () => {
    const big = await fetch(`${gateway.url}/webhooks/mollie`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(big.status).toBe(413);
    const crashed = await fetch(`${gateway.url}/customers`, {
      headers: { 'x-api-key': KEY, 'x-fail': 'yes' },
    });
    expect(crashed.status).toBe(502);
    expect(await crashed.text()).not.toContain('handler crashed');
  });
});
