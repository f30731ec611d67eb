import { createServer } from 'node:http';
import * as z from 'zod';
import { DELOS_EXAMPLE_CUSTOMERS, delosIdStyle } from '../../../sandbox/delos.ts';
import { type RunningSandbox, SANDBOX_CREDENTIALS, startSandbox } from '../../../sandbox/index.ts';
import { delosLogin, http, postJson } from './helpers.ts';

const ItemSchema = z.object({ item: z.record(z.string(), z.unknown()) });
const PageSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('delos sandbox', () => {
  let sandbox: RunningSandbox;
  /** A second sandbox whose access tokens live one second, for the expiry test only. */
  let shortLived: RunningSandbox;
  let bearer: Record<string, string>;
  beforeAll(async () => {
    [sandbox, shortLived] = await Promise.all([
      startSandbox('delos', { seed: 12 }),
      startSandbox('delos', { seed: 0, delosAccessTtlSeconds: 1 }),
    ]);
  });
  afterAll(async () => Promise.all([sandbox.stop(), shortLived.stop()]));
  beforeEach(async () => {
    await sandbox.control.reset();
    bearer = { authorization: `Bearer ${(await delosLogin(sandbox.url)).accessToken}` };
  });

  it('logs in with JWT-shaped tokens and the default 300 s TTL, and refuses a wrong password', async () => {
    const login = await postJson(`${sandbox.url}/v2/auth/login`, {
      login: SANDBOX_CREDENTIALS.delos.login,
      password: SANDBOX_CREDENTIALS.delos.password,
      code: '123456',
    });
    const wrong = await postJson(`${sandbox.url}/v2/auth/login`, {
      login: SANDBOX_CREDENTIALS.delos.login,
      password: 'wrong',
    });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({
      accessToken: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      UserId: expect.any(String),
      accessTtl: 300,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: expect.any(String) });
  });

  it('answers 401 Unauthorized without a token or with an unknown one', async () => {
    const id = 'DqCsgSE-4e95-ViYbNI';
    const none = await http(`${sandbox.url}/v2/customer/${id}`);
    const unknown = await http(`${sandbox.url}/v2/customer/${id}`, {
      headers: { authorization: 'Bearer eyJx.y.z' },
    });
    expect([none.status, unknown.status]).toEqual([401, 401]);
    expect(unknown.json).toEqual({ error: 'Unauthorized' });
  });

  it('serves the documented examples with their id naming and exact Money values', async () => {
    const individual = await http(`${sandbox.url}/v2/customer/DqCsgSE-4e95-ViYbNI`, { headers: bearer });
    const real = await http(`${sandbox.url}/v2/customer/D7k3xbc-ERrj-lde9k1t3XuaE`, { headers: bearer });
    expect(individual.json).toEqual({ item: DELOS_EXAMPLE_CUSTOMERS[0] });
    expect(real.json).toEqual({
      item: {
        customerId: 'D7k3xbc-ERrj-lde9k1t3XuaE',
        partnerId: '3354815d-1a23-4b1c-81ec-306388cddfa4',
        status: 'ACCEPT',
        createAt: '2025-09-16T11:33:11Z',
        updateAt: '2025-10-02T09:03:23Z',
        name: 'SIRIUS SOLUTIONS LTD',
        lastname: '',
        comment: '',
        company: 'SIRIUS SOLUTIONS LTD',
        type: 'CORPORATE',
        balance: { currencyCode: 'USD', units: '2835', nanos: 800000002 },
        balanceHold: { currencyCode: 'USD', units: '3144', nanos: 199999998 },
        phone: '+447533029735',
        email: 'business@siriusmedia.eu',
      },
    });
  });

  it('names ids cuid/puid or customerId/partnerId by the documented parity rule', async () => {
    const page = PageSchema.parse(
      (await http(`${sandbox.url}/v2/customer?pageSize=100`, { headers: bearer })).json,
    );
    const styles = page.items.map((item) => ('customerId' in item ? 'customerId' : 'cuid'));
    const ids = page.items.map((item) => String(item.customerId ?? item.cuid));
    expect(styles).toEqual(ids.map((id) => delosIdStyle(id)));
    expect(new Set(styles)).toEqual(new Set(['cuid', 'customerId']));
    for (const item of page.items) {
      expect('partnerId' in item).toBe('customerId' in item);
      for (const money of [item.balance, item.balanceHold]) {
        const { nanos } = z
          .object({
            currencyCode: z.string().length(3),
            units: z.string().regex(/^\d+$/),
            nanos: z.number().int(),
          })
          .parse(money);
        expect(nanos >= 0 && nanos < 1_000_000_000).toBe(true);
      }
    }
  });

  it('answers 404 with the documented error for an unknown customer', async () => {
    const result = await http(`${sandbox.url}/v2/customer/Dnope-0000-missing`, { headers: bearer });
    expect(result.status).toBe(404);
    expect(result.json).toEqual({ error: 'Customer not found: Dnope-0000-missing' });
  });

  it('creates a customer wrapped in item, with status NEW, and refuses one without a name', async () => {
    const created = await postJson(
      `${sandbox.url}/v2/customer`,
      { name: 'John', lastname: 'Doe', type: 'INDIVIDUAL', comment: 'Premium customer' },
      bearer,
    );
    const nameless = await postJson(`${sandbox.url}/v2/customer`, { lastname: 'Doe' }, bearer);
    expect(created.status).toBe(200);
    const { item } = ItemSchema.parse(created.json);
    expect(item).toMatchObject({ status: 'NEW', name: 'John', lastname: 'Doe', type: 'INDIVIDUAL' });
    const id = String(item.cuid ?? item.customerId);
    expect(id).toMatch(/^D[\w]{6}-[\w]{4}-[\w]{12}$/);
    const fetched = await http(`${sandbox.url}/v2/customer/${id}`, { headers: bearer });
    expect(fetched.json).toEqual(created.json);
    expect(nameless.status).toBe(400);
    expect(nameless.json).toEqual({ error: 'name is required' });
  });

  it('pages the list with page, pageSize and total, and applies the documented filters', async () => {
    const first = PageSchema.parse(
      (await http(`${sandbox.url}/v2/customer?pageSize=5`, { headers: bearer })).json,
    );
    const last = PageSchema.parse(
      (await http(`${sandbox.url}/v2/customer?pageSize=5&page=3`, { headers: bearer })).json,
    );
    expect(first).toMatchObject({ page: 1, pageSize: 5, total: 15 });
    expect(first.items).toHaveLength(5);
    expect(last.items).toHaveLength(5);
    const byName = PageSchema.parse(
      (await http(`${sandbox.url}/v2/customer?customerName=sirius`, { headers: bearer })).json,
    );
    expect(byName.items.map((item) => item.customerId)).toEqual(['D7k3xbc-ERrj-lde9k1t3XuaE']);
    const recent = PageSchema.parse(
      (await http(`${sandbox.url}/v2/customer?fromCreateAt=2025-01-01T00:00:00Z`, { headers: bearer })).json,
    );
    expect(recent.total).toBe(1);
    const badSize = await http(`${sandbox.url}/v2/customer?pageSize=500`, { headers: bearer });
    expect(badSize.status).toBe(400);
  });

  it('expires access tokens after accessTtl and issues new ones for a refresh token, once', async () => {
    const tokens = await delosLogin(shortLived.url);
    const url = `${shortLived.url}/v2/customer/DqCsgSE-4e95-ViYbNI`;
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await http(url, auth(tokens.accessToken))).status).toBe(200);
    await sleep(1_100);
    const expired = await http(url, auth(tokens.accessToken));
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error: 'Unauthorized' });
    const refreshed = await http(`${shortLived.url}/v2/auth/refresh/${tokens.refreshToken}`);
    expect(refreshed.status).toBe(200);
    const next = z.object({ accessToken: z.string(), guid: z.string() }).parse(refreshed.json);
    expect((await http(url, auth(next.accessToken))).status).toBe(200);
    const reused = await http(`${shortLived.url}/v2/auth/refresh/${tokens.refreshToken}`);
    expect(reused.status).toBe(401);
    expect(reused.json).toEqual({ error: 'Invalid or expired refresh token' });
  });

  it('accepts the access token without the Bearer prefix, as the seed real request sends it', async () => {
    const tokens = await delosLogin(sandbox.url);
    const result = await http(`${sandbox.url}/v2/customer/DqCsgSE-4e95-ViYbNI`, {
      headers: { authorization: tokens.accessToken },
    });
    expect(result.status).toBe(200);
  });

  it('invalidates every access token on expire-tokens while refresh keeps working', async () => {
    const tokens = await delosLogin(sandbox.url);
    expect(await sandbox.control.expireTokens()).toBeGreaterThanOrEqual(1);
    const url = `${sandbox.url}/v2/customer/DqCsgSE-4e95-ViYbNI`;
    expect((await http(url, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status).toBe(
      401,
    );
    expect((await http(`${sandbox.url}/v2/auth/refresh/${tokens.refreshToken}`)).status).toBe(200);
  });

  it('rotates the password: the old one and its tokens are refused, the new one works', async () => {
    const tokens = await delosLogin(sandbox.url);
    const rotated = z
      .object({ login: z.string(), password: z.string() })
      .parse(await sandbox.control.rotateCredentials());
    expect(rotated.password).not.toBe(SANDBOX_CREDENTIALS.delos.password);
    await expect(delosLogin(sandbox.url)).rejects.toThrow('401');
    const revoked = await http(`${sandbox.url}/v2/auth/refresh/${tokens.refreshToken}`);
    expect(revoked.json).toEqual({ error: 'Token revoked. Please log in again' });
    const fresh = await delosLogin(sandbox.url, rotated.password);
    const result = await http(`${sandbox.url}/v2/customer/DqCsgSE-4e95-ViYbNI`, {
      headers: { authorization: `Bearer ${fresh.accessToken}` },
    });
    expect(result.status).toBe(200);
  });

  it('maps the login and refresh routes for fault injection', async () => {
    const tokens = await delosLogin(sandbox.url);
    await sandbox.control.addFault({ route: 'login', kind: 'error', status: 503, times: 1 });
    await sandbox.control.addFault({ route: 'refresh', kind: 'unauthorized', times: 1 });
    const login = await postJson(`${sandbox.url}/v2/auth/login`, {
      login: SANDBOX_CREDENTIALS.delos.login,
      password: SANDBOX_CREDENTIALS.delos.password,
    });
    const refresh = await http(`${sandbox.url}/v2/auth/refresh/${tokens.refreshToken}`);
    expect([login.status, login.json]).toEqual([503, { error: 'Service Unavailable' }]);
    expect([refresh.status, refresh.json]).toEqual([401, { error: 'Unauthorized' }]);
    expect((await sandbox.control.stats()).requests).toMatchObject({ login: 3, refresh: 1 });
  });

  it('sends the documented customer hook to a registered URL on create and on change', async () => {
    const received: unknown[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await sandbox.control.setWebhook(`http://127.0.0.1:${port}/hooks/delos`);
      await sandbox.control.patchCustomer('DqCsgSE-4e95-ViYbNI', { status: 'BANNED' });
      expect(received).toEqual([
        {
          hook_id: expect.any(String),
          hook_type: 3,
          Data: {
            Client: {
              cuid: 'DqCsgSE-4e95-ViYbNI',
              status: 5,
              create_at: { seconds: Date.parse('2024-01-15T10:30:00Z') / 1000 },
              update_at: { seconds: expect.any(Number) },
              onboarding_at: { seconds: Date.parse('2024-01-15T10:30:00Z') / 1000 },
              name: 'John',
              lastname: 'Doe',
            },
          },
        },
      ]);
      await postJson(`${sandbox.url}/v2/customer`, { name: 'Hooked' }, bearer);
      const deliveries = await sandbox.control.webhookDeliveries();
      expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
      expect(received[1]).toMatchObject({ hook_type: 3, Data: { Client: { status: 0, name: 'Hooked' } } });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('has no webhook control on providers without customer webhooks', async () => {
    const mollie = await startSandbox('mollie');
    try {
      await expect(mollie.control.setWebhook('http://127.0.0.1:1/x')).rejects.toThrow('404');
    } finally {
      await mollie.stop();
    }
  });
});
