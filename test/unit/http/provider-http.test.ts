import { inspect } from 'node:util';
import * as z from 'zod';
import { type ErrorMapper, errorFromStatus } from '../../../lib/http/error-mapping.ts';
import {
  ProviderAuthError,
  ProviderContractError,
  ProviderNotFoundError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../../../lib/http/errors.ts';
import { createProviderHttp, type ProviderHttpOptions } from '../../../lib/http/provider-http.ts';
import { type LocalServer, sendJson, sequence, startLocalServer } from './local-server.ts';

const Body = z.object({ id: z.string(), count: z.number() });
const ok = { id: 'abc', count: 1 };

/** Reads `{ message }` bodies, like Palomma. */
const messageMapper: ErrorMapper = (context) => {
  const parsed = z.object({ message: z.string() }).safeParse(context.body);
  return errorFromStatus(
    context,
    parsed.success ? { message: parsed.data.message, recognized: true } : { recognized: false },
  );
};

function options(url: string, overrides: Partial<ProviderHttpOptions> = {}): ProviderHttpOptions {
  return {
    provider: 'palomma',
    baseUrl: `${url}/v0`,
    timeoutMs: 1000,
    totalBudgetMs: 5000,
    retry: { limit: 3, backoffBaseMs: 10, maxBackoffMs: 50, maxRetryAfterSeconds: 5 },
    rateLimit: null,
    mapError: messageMapper,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('rejected with a non-Error');
  }
  throw new Error('expected the call to fail');
}

describe('createProviderHttp', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('returns the parsed body of a 2xx and sends search params and headers', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 200, ok)));
    const http = createProviderHttp(options(server.url, { headers: { accept: 'application/json' } }));
    const response = await http.request({
      operation: 'getCustomer',
      path: 'customers/abc',
      searchParams: { limit: 5, cursor: undefined },
      schema: Body,
    });
    expect(response.data).toEqual(ok);
    expect(server.requests[0]?.url).toBe('/v0/customers/abc?limit=5');
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it.each([500, 502, 503, 504, 408, 429])('retries a GET after %i and then succeeds', async (status) => {
    server = await startLocalServer(
      sequence(
        (res) => sendJson(res, status, { message: 'try again' }),
        (res) => sendJson(res, 200, ok),
      ),
    );
    const http = createProviderHttp(options(server.url));
    await expect(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    ).resolves.toMatchObject({
      data: ok,
    });
    expect(server.requests).toHaveLength(2);
    expect(http.counters()).toMatchObject({
      requests: 1,
      attempts: 2,
      retries: 1,
      rateLimited: status === 429 ? 1 : 0,
    });
  });

  it.each([
    [400, ProviderRejectedError],
    [401, ProviderAuthError],
    [403, ProviderAuthError],
    [404, ProviderNotFoundError],
    [410, ProviderNotFoundError],
    [422, ProviderRejectedError],
  ])('does not retry a %i and throws the typed error', async (status, type) => {
    server = await startLocalServer(sequence((res) => sendJson(res, status, { message: 'nope' })));
    const http = createProviderHttp(options(server.url));
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(
      `palomma getCustomer: ${
        {
          400: 'request rejected',
          401: 'authentication failed',
          403: 'authentication failed',
          404: 'not found',
          410: 'not found',
          422: 'request rejected',
        }[status]
      } (HTTP ${status}): nope`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('treats a 404 without the provider error body as unavailable, never as not found', async () => {
    server = await startLocalServer(
      sequence((res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html>no route</html>');
      }),
    );
    const http = createProviderHttp(options(server.url));
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
  });

  it('gives up after the retry limit with the last typed error', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 503, { message: 'down' })));
    const http = createProviderHttp(
      options(server.url, {
        retry: { limit: 2, backoffBaseMs: 1, maxBackoffMs: 5, maxRetryAfterSeconds: 5 },
      }),
    );
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toBe('palomma getCustomer: unavailable (HTTP 503): down');
    expect(server.requests).toHaveLength(3);
    expect(http.counters()).toMatchObject({ attempts: 3, retries: 2, serverErrors: 3 });
  });

  it('retries network errors (connection reset) and reports them as unavailable', async () => {
    server = await startLocalServer((_request, res) => res.socket?.destroy());
    const http = createProviderHttp(
      options(server.url, {
        retry: { limit: 1, backoffBaseMs: 1, maxBackoffMs: 5, maxRetryAfterSeconds: 5 },
      }),
    );
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error.message).toMatch(/^palomma getCustomer: unavailable: network error \w+$/);
    expect(server.requests).toHaveLength(2);
    expect(http.counters().networkErrors).toBe(2);
  });

  it('waits full-jitter exponential backoff between retries, capped at maxBackoffMs', async () => {
    server = await startLocalServer(
      sequence(
        (res) => sendJson(res, 500, {}),
        (res) => sendJson(res, 500, {}),
        (res) => sendJson(res, 500, {}),
        (res) => sendJson(res, 200, ok),
      ),
    );
    const draws = [0.5, 0.999, 0.25];
    const slept: number[] = [];
    const http = createProviderHttp(
      options(server.url, {
        retry: { limit: 3, backoffBaseMs: 100, maxBackoffMs: 150, maxRetryAfterSeconds: 5 },
      }),
      {
        random: () => draws.shift() ?? 0,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    );
    await http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body });
    // attempt n waits random * min(maxBackoffMs, base * 2^(n-1)): 0.5*100, 0.999*150 (200 capped), 0.25*150
    expect(slept).toEqual([50, 149.85, 37.5]);
  });

  it('honours Retry-After in seconds', async () => {
    server = await startLocalServer(
      sequence(
        (res) => sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '1' }),
        (res) => sendJson(res, 200, ok),
      ),
    );
    const http = createProviderHttp(options(server.url), { random: () => 0 });
    await http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body });
    const [first, second] = server.requests.map((request) => request.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('honours Retry-After as an HTTP date', async () => {
    server = await startLocalServer(
      sequence(
        (res) =>
          sendJson(
            res,
            503,
            { message: 'maintenance' },
            { 'retry-after': new Date(Date.now() + 2000).toUTCString() },
          ),
        (res) => sendJson(res, 200, ok),
      ),
    );
    const http = createProviderHttp(options(server.url), { random: () => 0 });
    await http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body });
    const [first, second] = server.requests.map((request) => request.at);
    // The date has whole-second precision, so the wait is between 1 and 2 s.
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('does not wait out a Retry-After above the cap: fails at once, carrying the wait', async () => {
    server = await startLocalServer(
      sequence((res) => sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '120' })),
    );
    const http = createProviderHttp(options(server.url));
    const started = Date.now();
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderRateLimitedError);
    expect(error instanceof ProviderRateLimitedError && error.retryAfterSeconds).toBe(120);
    expect(Date.now() - started).toBeLessThan(500);
    expect(server.requests).toHaveLength(1);
  });

  it('stops retrying when the next wait would pass the total budget', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 503, { message: 'down' })));
    const http = createProviderHttp(
      options(server.url, {
        totalBudgetMs: 400,
        retry: { limit: 10, backoffBaseMs: 150, maxBackoffMs: 150, maxRetryAfterSeconds: 5 },
      }),
      { random: () => 0.999 },
    );
    const started = Date.now();
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(3);
  });

  it('times out an attempt that never answers', async () => {
    server = await startLocalServer(() => {
      // never answers
    });
    const http = createProviderHttp(
      options(server.url, {
        timeoutMs: 150,
        retry: { limit: 0, backoffBaseMs: 1, maxBackoffMs: 1, maxRetryAfterSeconds: 1 },
      }),
    );
    const started = Date.now();
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error.message).toBe('palomma getCustomer: timed out: attempt exceeded 150 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('times out an attempt whose body stalls after the headers, then retries it', async () => {
    server = await startLocalServer(
      sequence(
        (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"id":');
        },
        (res) => sendJson(res, 200, ok),
      ),
    );
    const http = createProviderHttp(options(server.url, { timeoutMs: 150 }), { random: () => 0 });
    await expect(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    ).resolves.toMatchObject({
      data: ok,
    });
    expect(http.counters()).toMatchObject({ attempts: 2, timeouts: 1 });
  });

  it('ends the whole call at the total budget even when attempts hang', async () => {
    server = await startLocalServer(() => {
      // never answers
    });
    const http = createProviderHttp(
      options(server.url, {
        timeoutMs: 200,
        totalBudgetMs: 500,
        retry: { limit: 10, backoffBaseMs: 1, maxBackoffMs: 1, maxRetryAfterSeconds: 1 },
      }),
      { random: () => 0 },
    );
    const started = Date.now();
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests.length).toBe(3);
  });

  it('does not retry a POST unless the call says it is safe', async () => {
    server = await startLocalServer(
      sequence(
        (res) => sendJson(res, 503, { message: 'down' }),
        (res) => sendJson(res, 201, ok),
      ),
    );
    const http = createProviderHttp(options(server.url), { random: () => 0 });
    const error = await rejection(
      http.request({
        operation: 'createCustomer',
        method: 'POST',
        path: 'customers',
        json: { a: 1 },
        schema: Body,
      }),
    );
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(server.requests).toHaveLength(1);

    const response = await http.request({
      operation: 'createCustomer',
      method: 'POST',
      path: 'customers',
      json: { a: 1 },
      schema: Body,
      retryable: true,
    });
    expect(response.status).toBe(201);
    expect(server.requests[1]?.body).toBe('{"a":1}');
    expect(server.requests[1]?.headers['content-type']).toBe('application/json');
  });

  it('sends form bodies url-encoded', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 200, ok)));
    const http = createProviderHttp(options(server.url));
    await http.request({
      operation: 'createCustomer',
      method: 'POST',
      path: 'customers',
      form: { object_reference_id: 'ref 1&2', first_name: undefined, 'options.x': 'true' },
      schema: Body,
    });
    expect(server.requests[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(server.requests[0]?.body).toBe('object_reference_id=ref+1%262&options.x=true');
  });

  it('paces requests with the token bucket', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 200, ok)));
    const http = createProviderHttp(options(server.url, { rateLimit: { requestsPerSecond: 10, burst: 2 } }));
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
      ),
    );
    // 2 from the burst, then 4 more at 100 ms each
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    const times = server.requests.map((request) => request.at).sort((a, b) => a - b);
    expect((times[5] ?? 0) - (times[2] ?? 0)).toBeGreaterThanOrEqual(280);
    expect(http.counters().rateLimitWaitMs).toBeGreaterThan(0);
  });

  it('awaits the token bucket before retries too', async () => {
    server = await startLocalServer(
      sequence(
        (res) => sendJson(res, 500, {}),
        (res) => sendJson(res, 200, ok),
      ),
    );
    // A recording limiter instead of wall-clock gaps: the point is that every attempt asks for a token.
    const takes: number[] = [];
    const rateLimiter = {
      async take(maxWaitMs = Number.POSITIVE_INFINITY) {
        takes.push(maxWaitMs);
        return { ok: true as const, waitedMs: 0 };
      },
    };
    const http = createProviderHttp(options(server.url, { rateLimit: { requestsPerSecond: 4, burst: 1 } }), {
      random: () => 0,
      rateLimiter,
    });
    await http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body });
    expect(server.requests).toHaveLength(2);
    expect(takes).toHaveLength(2);
  });

  it('rejects a 2xx body that is not JSON as a contract violation', async () => {
    server = await startLocalServer(
      sequence((res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "abc", oops');
      }),
    );
    const http = createProviderHttp(options(server.url));
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderContractError);
    expect(error.message).toBe(
      'palomma getCustomer: response violates the wire contract (HTTP 200): body is not JSON',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a 2xx body that fails the wire schema, naming paths but no values', async () => {
    server = await startLocalServer(
      sequence((res) => sendJson(res, 200, { id: 'jane@example.com', count: 'many' })),
    );
    const http = createProviderHttp(options(server.url));
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderContractError);
    expect(error instanceof ProviderContractError && error.issues).toEqual(['count: invalid_type']);
    expect(error.message).not.toContain('many');
    expect(error.message).not.toContain('jane');
  });

  it('keeps secrets and personal data out of error messages, inspection and JSON', async () => {
    const apiKey = 'sk_9f8e7d6c5b4a39281706';
    server = await startLocalServer(
      sequence((res, request) =>
        sendJson(res, 401, {
          message: `Key ${apiKey} (${request.headers.authorization}) is not valid for jane.doe@example.com / +57 301 311 1111`,
        }),
      ),
    );
    const http = createProviderHttp(
      options(server.url, {
        auth: {
          authorize: (request) => {
            request.headers.set('authorization', `Bearer ${apiKey}`);
          },
        },
        secrets: () => [apiKey],
      }),
    );
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    for (const text of [
      error.message,
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
      String(error.stack),
    ]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain('jane.doe');
      expect(text).not.toContain('311 1111');
      expect(text).not.toContain(server.url);
    }
  });

  it('keeps the URL and credentials out of network and timeout errors', async () => {
    server = await startLocalServer((_request, res) => res.socket?.destroy());
    const http = createProviderHttp(
      options(server.url, {
        retry: { limit: 0, backoffBaseMs: 1, maxBackoffMs: 1, maxRetryAfterSeconds: 1 },
        auth: { authorize: (request) => request.headers.set('authorization', 'Bearer top-secret-value') },
      }),
    );
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/cst_1', schema: Body }),
    );
    const text = `${error.message} ${inspect(error, { depth: 10 })}`;
    expect(text).not.toContain('top-secret-value');
    expect(text).not.toContain('127.0.0.1');
  });

  it('retries once with fresh credentials after a 401 when the auth hook asks to', async () => {
    let token = 'old';
    server = await startLocalServer((request, res) =>
      request.headers.authorization === 'Bearer new'
        ? sendJson(res, 200, ok)
        : sendJson(res, 401, { message: 'expired' }),
    );
    const refreshed: string[] = [];
    const http = createProviderHttp(
      options(server.url, {
        auth: {
          authorize: (request) => request.headers.set('authorization', `Bearer ${token}`),
          onUnauthorized: (request) => {
            refreshed.push(request.headers.get('authorization') ?? '');
            token = 'new';
            return true;
          },
        },
      }),
    );
    await expect(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    ).resolves.toMatchObject({
      data: ok,
    });
    expect(refreshed).toEqual(['Bearer old']);
    expect(http.counters()).toMatchObject({ attempts: 2, retries: 0, authRetries: 1 });
  });

  it('fails with ProviderAuthError when the 401 persists after one refresh', async () => {
    server = await startLocalServer((_request, res) => sendJson(res, 401, { message: 'Unauthorized' }));
    let refreshes = 0;
    const http = createProviderHttp(
      options(server.url, {
        auth: {
          authorize: (request) => request.headers.set('authorization', 'Bearer x'),
          onUnauthorized: () => {
            refreshes++;
            return true;
          },
        },
      }),
    );
    const error = await rejection(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    );
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(refreshes).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('passes typed errors thrown by the auth hook through unchanged', async () => {
    server = await startLocalServer(sequence((res) => sendJson(res, 200, ok)));
    const loginFailure = new ProviderAuthError({ provider: 'delos', operation: 'login', status: 401 });
    const http = createProviderHttp(
      options(server.url, {
        auth: {
          authorize: () => {
            throw loginFailure;
          },
        },
      }),
    );
    await expect(
      http.request({ operation: 'getCustomer', path: 'customers/abc', schema: Body }),
    ).rejects.toBe(loginFailure);
    expect(server.requests).toHaveLength(0);
  });
});
