import { type RunningSandbox, startSandbox, startSandboxes } from '../../../sandbox/index.ts';
import { PALOMMA_EXAMPLE_CUSTOMER } from '../../../sandbox/palomma.ts';
import { delosLogin, http, juspayAuth, mollieAuth, palommaAuth, postJson } from './helpers.ts';

describe('sandbox fault injection', () => {
  let sandbox: RunningSandbox;
  let getUrl: string;
  const get = (init: RequestInit = {}) => http(getUrl, { headers: palommaAuth, ...init });

  beforeAll(async () => {
    sandbox = await startSandbox('palomma', { seed: 3 });
    getUrl = `${sandbox.url}/customers/${PALOMMA_EXAMPLE_CUSTOMER.id}`;
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => sandbox.control.reset());

  it('delays the answer by the latency, then answers normally', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'latency', ms: 300, times: 1 });
    const started = performance.now();
    const result = await get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.status).toBe(200);
  });

  it('answers an error status with the provider-shaped body', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'error', status: 500, times: 1 });
    const result = await get();
    expect([result.status, result.json]).toEqual([500, { message: 'Internal server error' }]);
  });

  it('never answers a hung request, so the client has to give up', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'hang', times: 1 });
    await expect(get({ signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect((await get()).status).toBe(200);
  });

  it('resets the connection', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'reset' });
    await expect(get()).rejects.toThrow('fetch failed');
  });

  it('answers 200 with a truncated JSON body for malformed-json, after really creating', async () => {
    await sandbox.control.addFault({ route: 'create', kind: 'malformed-json', times: 1 });
    const result = await postJson(
      `${sandbox.url}/customers`,
      { name: 'A', documentType: 'cc', documentNumber: '1', email: 'a@b.co', phoneNumber: '3000000000' },
      palommaAuth,
    );
    expect(result.status).toBe(200);
    expect(() => JSON.parse(result.text)).toThrow();
    expect((await sandbox.control.stats()).created).toBe(1);
  });

  it('answers 200 with valid JSON that breaks the wire schema for schema-violation', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'schema-violation', times: 1 });
    const result = await get();
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ id: 12345 });
  });

  it('answers 401 for unauthorized even with valid credentials', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'unauthorized', times: 1 });
    const result = await get();
    expect([result.status, result.json]).toEqual([401, { message: 'Unauthorized' }]);
  });

  it('answers 429 with Retry-After for rate-limit', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'rate-limit', retryAfterSeconds: 7, times: 1 });
    const result = await get();
    expect(result.status).toBe(429);
    expect(result.headers.get('retry-after')).toBe('7');
    expect(result.json).toEqual({ message: 'Too many requests' });
  });

  it('counts a fault down by times, and keeps one without times until cleared', async () => {
    await sandbox.control.addFault({ route: 'get', kind: 'error', status: 502, times: 2 });
    expect([(await get()).status, (await get()).status, (await get()).status]).toEqual([502, 502, 200]);
    await sandbox.control.addFault({ route: 'get', kind: 'error', status: 503 });
    expect([(await get()).status, (await get()).status]).toEqual([503, 503]);
    expect(await sandbox.control.listFaults()).toHaveLength(1);
    await sandbox.control.clearFaults();
    expect((await get()).status).toBe(200);
  });

  it('applies a fault only to its route, and a * fault to every route', async () => {
    await sandbox.control.addFault({ route: 'list', kind: 'error', status: 500, times: 1 });
    expect((await get()).status).toBe(200);
    expect((await http(`${sandbox.url}/customers`, { headers: palommaAuth })).status).toBe(500);
    await sandbox.control.addFault({ route: '*', kind: 'error', status: 504, times: 2 });
    expect((await get()).status).toBe(504);
    expect((await http(`${sandbox.url}/customers`, { headers: palommaAuth })).status).toBe(504);
  });

  it('refuses an invalid fault with 400', async () => {
    const result = await postJson(`${sandbox.origin}/__control/faults`, { route: 'get', kind: 'explode' });
    expect(result.status).toBe(400);
  });

  it('shapes injected errors like each provider does', async () => {
    const all = await startSandboxes({ seed: 0 });
    try {
      const { delos, mollie, juspay } = all.sandboxes;
      const delosTokens = await delosLogin(delos.url);
      await Promise.all(
        [delos, mollie, juspay].map((running) =>
          running.control.addFault({ route: 'get', kind: 'rate-limit', retryAfterSeconds: 2 }),
        ),
      );
      const results = await Promise.all([
        http(`${delos.url}/v2/customer/DqCsgSE-4e95-ViYbNI`, {
          headers: { authorization: `Bearer ${delosTokens.accessToken}` },
        }),
        http(`${mollie.url}/customers/cst_tKt44u85MM`, { headers: mollieAuth }),
        http(`${juspay.url}/customers/cst_vsypdzjd12zypfeu`, { headers: juspayAuth }),
      ]);
      expect(results.map((result) => [result.status, result.headers.get('retry-after')])).toEqual([
        [429, '2'],
        [429, '2'],
        [429, '2'],
      ]);
      expect(results[0]?.json).toEqual({ error: 'Too many requests' });
      expect(results[1]?.json).toMatchObject({ status: 429, title: 'Too Many Requests' });
      expect(results[2]?.json).toMatchObject({ status: 'error', error_code: 'too_many_requests' });
    } finally {
      await all.stop();
    }
  });
});
