import * as z from 'zod';
import {
  type RunningSandbox,
  SANDBOX_CREDENTIALS,
  startSandbox,
  startSandboxes,
} from '../../../sandbox/index.ts';
import { PALOMMA_EXAMPLE_CUSTOMER } from '../../../sandbox/palomma.ts';
import { http, juspayAuth, mollieAuth, palommaAuth, postJson } from './helpers.ts';

describe('sandbox control API', () => {
  let sandbox: RunningSandbox;
  const getUrl = () => `${sandbox.url}/customers/${PALOMMA_EXAMPLE_CUSTOMER.id}`;

  beforeAll(async () => {
    sandbox = await startSandbox('palomma', { seed: 2 });
  });
  afterAll(async () => sandbox.stop());
  beforeEach(async () => sandbox.control.reset());

  it('rate-limits beyond the configured requests per second with 429 and Retry-After', async () => {
    await sandbox.control.setRateLimit(5);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => http(getUrl(), { headers: palommaAuth })),
    );
    const limited = results.filter((result) => result.status === 429);
    expect(results.filter((result) => result.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    for (const result of limited) {
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(result.json).toEqual({ message: 'Too many requests' });
    }
    await sandbox.control.setRateLimit(null);
    const after = await Promise.all(
      Array.from({ length: 10 }, () => http(getUrl(), { headers: palommaAuth })),
    );
    expect(after.every((result) => result.status === 200)).toBe(true);
  });

  it('uses the configured Retry-After when one is given', async () => {
    await sandbox.control.setRateLimit(1, 30);
    const results = await Promise.all([1, 2, 3].map(() => http(getUrl(), { headers: palommaAuth })));
    expect(results.map((result) => result.headers.get('retry-after'))).toContain('30');
  });

  it('counts requests per route and responses per status, but not control calls', async () => {
    await http(getUrl(), { headers: palommaAuth });
    await http(getUrl());
    await http(`${sandbox.url}/customers`, { headers: palommaAuth });
    await http(`${sandbox.url}/nowhere`, { headers: palommaAuth });
    await postJson(
      `${sandbox.url}/customers`,
      { name: 'A', documentType: 'cc', documentNumber: '1', email: 'a@b.co', phoneNumber: '3000000000' },
      palommaAuth,
    );
    await sandbox.control.listCustomers();
    expect(await sandbox.control.stats()).toEqual({
      requests: { get: 2, create: 1, list: 1, other: 1 },
      statuses: { '200': 3, '401': 1, '404': 1 },
      created: 1,
      customers: 4,
    });
  });

  it('inserts, patches and deletes customers as if done at the provider', async () => {
    const inserted = await sandbox.control.insertCustomer({
      name: 'Inserted',
      updatedAt: '2020-01-01T00:00:00Z',
    });
    const { id } = z.object({ id: z.string() }).parse(inserted);
    const patched = await sandbox.control.patchCustomer(id, { email: 'changed@example.co' });
    expect(patched).toMatchObject({ id, name: 'Inserted', email: 'changed@example.co' });
    expect(String(patched.updatedAt) > '2020-01-01T00:00:00Z').toBe(true);
    const fetched = await http(`${sandbox.url}/customers/${id}`, { headers: palommaAuth });
    expect(fetched.json).toEqual(patched);
    await sandbox.control.deleteCustomer(id);
    expect((await http(`${sandbox.url}/customers/${id}`, { headers: palommaAuth })).status).toBe(404);
    await expect(sandbox.control.patchCustomer(id, {})).rejects.toThrow('404');
    expect(await sandbox.control.getCustomer(id)).toBeNull();
  });

  it('rotates API keys: the old key gets 401, the new one works', async () => {
    const rotated = z.object({ apiKey: z.string() }).parse(await sandbox.control.rotateCredentials());
    expect(rotated.apiKey).not.toBe(SANDBOX_CREDENTIALS.palomma.apiKey);
    expect((await http(getUrl(), { headers: palommaAuth })).status).toBe(401);
    expect((await http(getUrl(), { headers: { authorization: `Bearer ${rotated.apiKey}` } })).status).toBe(
      200,
    );
  });

  it('rotates the Mollie and Juspay keys too', async () => {
    const all = await startSandboxes({ seed: 0 });
    try {
      const { mollie, juspay } = all.sandboxes;
      const mollieKey = z
        .object({ apiKey: z.string().startsWith('test_') })
        .parse(await mollie.control.rotateCredentials()).apiKey;
      const juspayKey = z
        .object({ apiKey: z.string(), merchantId: z.string() })
        .parse(await juspay.control.rotateCredentials()).apiKey;
      const mollieGet = (authorization: string) =>
        http(`${mollie.url}/customers/cst_tKt44u85MM`, { headers: { authorization } });
      const juspayGet = (apiKey: string) =>
        http(`${juspay.url}/customers/cst_vsypdzjd12zypfeu`, {
          headers: { ...juspayAuth, authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}` },
        });
      expect((await mollieGet(mollieAuth.authorization)).status).toBe(401);
      expect((await mollieGet(`Bearer ${mollieKey}`)).status).toBe(200);
      expect((await juspayGet(SANDBOX_CREDENTIALS.juspay.apiKey)).status).toBe(401);
      expect((await juspayGet(juspayKey)).status).toBe(200);
    } finally {
      await all.stop();
    }
  });

  it('restores seed data, credentials, faults and stats on reset', async () => {
    await sandbox.control.rotateCredentials();
    await sandbox.control.deleteCustomer(PALOMMA_EXAMPLE_CUSTOMER.id);
    await sandbox.control.addFault({ route: '*', kind: 'error' });
    await http(getUrl(), { headers: palommaAuth });
    await sandbox.control.reset();
    expect((await http(getUrl(), { headers: palommaAuth })).status).toBe(200);
    expect(await sandbox.control.stats()).toMatchObject({ requests: { get: 1 }, customers: 3 });
  });

  it('refuses a body over the size limit with the provider 413', async () => {
    const result = await http(`${sandbox.url}/customers`, {
      method: 'POST',
      headers: { ...palommaAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(result.status).toBe(413);
    expect(result.json).toEqual({ message: 'Payload Too Large' });
  });

  it('starts all four sandboxes on distinct ports with the documented base URLs', async () => {
    const all = await startSandboxes();
    try {
      const { palomma, delos, mollie, juspay } = all.sandboxes;
      expect(new Set([palomma.port, delos.port, mollie.port, juspay.port]).size).toBe(4);
      expect(palomma.url).toBe(`${palomma.origin}/v0`);
      expect(delos.url).toBe(delos.origin);
      expect(mollie.url).toBe(`${mollie.origin}/v2`);
      expect(juspay.url).toBe(juspay.origin);
      expect((await mollie.control.stats()).customers).toBe(0);
    } finally {
      await all.stop();
    }
  });

  it('stops promptly while a request hangs and a keep-alive connection is open', async () => {
    const running = await startSandbox('mollie', { seed: 0 });
    await running.control.addFault({ route: 'get', kind: 'hang' });
    await http(`${running.url}/customers`, { headers: mollieAuth });
    const hanging = http(`${running.url}/customers/cst_tKt44u85MM`, { headers: mollieAuth });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await running.stop();
    expect(performance.now() - started).toBeLessThan(500);
    await expect(hanging).rejects.toThrow();
  });
});
