import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, createApiClient } from '../../../lib/cli/api-client.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A real HTTP server answering from a script, one reply per request (the last one repeats). */
async function scriptedServer(replies: Reply[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)] ?? { status: 500 };
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const client = (apiUrl: string) =>
  createApiClient({ apiUrl, apiKey: 'sk-test-secret', timeoutMs: 2000, backoffMs: 1 });

describe('createApiClient', () => {
  it('sends the API key, JSON body and Idempotency-Key on create', async () => {
    const server = await scriptedServer([{ status: 201, body: { id: '01ABC' } }]);
    try {
      const response = await client(server.url).createCustomer(
        { reference: 'r-1', kind: 'individual' },
        ['mollie'],
        'key-1',
      );
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: '01ABC' });
      const [request] = server.seen;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/customers');
      expect(request?.headers['x-api-key']).toBe('sk-test-secret');
      expect(request?.headers['idempotency-key']).toBe('key-1');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request?.body ?? '')).toEqual({
        customer: { reference: 'r-1', kind: 'individual' },
        providers: ['mollie'],
      });
    } finally {
      await server.close();
    }
  });

  it('builds the history query and encodes the id', async () => {
    const server = await scriptedServer([{ status: 200, body: { items: [], cursor: null } }]);
    try {
      await client(server.url).getHistory('01A/B', 'delos', 5, 'abc');
      expect(server.seen[0]?.url).toBe('/customers/01A%2FB/history?provider=delos&limit=5&cursor=abc');
    } finally {
      await server.close();
    }
  });

  it('turns a problem+json answer into an ApiError with status, detail and field names', async () => {
    const server = await scriptedServer([
      {
        status: 400,
        body: {
          type: 't',
          title: 'Bad Request',
          status: 400,
          detail: 'The body is invalid.',
          errors: [{ field: 'body.customer.email', message: 'Invalid email address' }],
        },
      },
    ]);
    try {
      const error = await client(server.url)
        .createCustomer({ reference: 'r', kind: 'individual' }, ['mollie'], 'k')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      const apiError = error as ApiError;
      expect(apiError.status).toBe(400);
      expect(apiError.message).toBe('POST /customers: HTTP 400: The body is invalid.');
      expect(apiError.fieldIssues).toEqual([
        { field: 'body.customer.email', message: 'Invalid email address' },
      ]);
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('retries GETs and keyed POSTs on 503 and 429, honouring Retry-After', async () => {
    const server = await scriptedServer([
      { status: 503 },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200, body: { id: 'x' } },
    ]);
    try {
      const response = await client(server.url).getCustomer('x');
      expect(response.status).toBe(200);
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 201, body: {} }]);
    try {
      await expect(client(server.url).request('POST', '/customers', { body: {} })).rejects.toMatchObject({
        status: 503,
      });
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('reports a refused connection at once, without the key in the message', async () => {
    const server = await scriptedServer([]);
    await server.close();
    const error = await client(server.url)
      .getCustomer('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect((error as ApiError).message).not.toContain('sk-test-secret');
  });
});
