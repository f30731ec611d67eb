/** What each adapter puts on the wire: auth scheme, headers, encoding, paths and query parameters. */
import { loadProviderConfigs } from '../../../lib/config/providers.ts';
import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { ProviderName } from '../../../lib/customer/snapshot.ts';
import { createAdapter } from '../../../lib/providers/registry.ts';
import { type LocalServer, type RecordedRequest, sendJson, startLocalServer } from '../http/local-server.ts';
import { FAKE_CREDENTIALS, providerEnv } from './provider-env.ts';

const input: CustomerInput = {
  reference: 'merchant-0001',
  kind: 'individual',
  givenName: 'Pepito',
  familyName: 'Perez',
  email: 'pepito@example.com',
  phone: '+573013111111',
  document: { type: 'cc', number: '1037551022' },
};

const CUSTOMER: Record<ProviderName, unknown> = {
  palomma: { id: '01HPR57X6QR5ZRKEEKBSDBW4RA', reference: 'merchant-0001' },
  delos: { item: { cuid: 'Dabc', status: 'NEW' } },
  mollie: { resource: 'customer', id: 'cst_abc', metadata: { reference: 'merchant-0001' } },
  juspay: { id: 'cst_abc', object_reference_id: 'merchant-0001' },
};

describe('adapter requests on the wire', () => {
  let server: LocalServer;
  let provider: ProviderName = 'palomma';
  beforeAll(async () => {
    server = await startLocalServer((request, res) => {
      if (request.url === '/v2/auth/login') {
        sendJson(res, 200, { accessToken: 'jwt-access', refreshToken: 'jwt-refresh', accessTtl: 300 });
      } else if (request.url.includes('reference=')) {
        sendJson(res, 200, { items: [], cursor: null, count: 0 });
      } else {
        sendJson(res, request.method === 'POST' && provider === 'mollie' ? 201 : 200, CUSTOMER[provider]);
      }
    });
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  async function adapter(name: ProviderName) {
    provider = name;
    const configs = await loadProviderConfigs(providerEnv(name, server.url), { providers: [name] });
    const config = configs[name];
    if (!config) throw new Error('not configured');
    return createAdapter(name, config);
  }
  const dataRequests = (): RecordedRequest[] =>
    server.requests.filter((request) => request.url !== '/v2/auth/login');

  it('palomma: Bearer key, reference lookup, then a JSON create', async () => {
    await (await adapter('palomma')).createCustomer(input, 'unused');
    const [lookup, create] = dataRequests();
    expect(lookup).toMatchObject({ method: 'GET', url: '/v0/customers?limit=1&reference=merchant-0001' });
    expect(create).toMatchObject({ method: 'POST', url: '/v0/customers' });
    expect(create?.headers.authorization).toBe(`Bearer ${FAKE_CREDENTIALS.palomma.PALOMMA_API_KEY}`);
    expect(create?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(create?.body ?? '')).toEqual({
      reference: 'merchant-0001',
      name: 'Pepito Perez',
      documentType: 'cc',
      documentNumber: '1037551022',
      email: 'pepito@example.com',
      phoneNumber: '3013111111',
    });
  });

  it('delos: logs in with JSON credentials, then sends the JWT as Bearer', async () => {
    await (await adapter('delos')).getCustomer('D7k3xbc-ERrj-lde9k1t3XuaE');
    const [login, get] = server.requests;
    expect(login).toMatchObject({ method: 'POST', url: '/v2/auth/login' });
    expect(JSON.parse(login?.body ?? '')).toEqual({
      login: 'fixture@delos.test',
      password: 'fixture-password',
    });
    expect(login?.headers.authorization).toBeUndefined();
    expect(get).toMatchObject({ method: 'GET', url: '/v2/customer/D7k3xbc-ERrj-lde9k1t3XuaE' });
    expect(get?.headers.authorization).toBe('Bearer jwt-access');
    expect(get?.headers.accept).toBe('application/json');
  });

  it('mollie: Bearer key, HAL accept and the Idempotency-Key on create', async () => {
    await (await adapter('mollie')).createCustomer(input, 'idem-key-0001');
    const [create] = dataRequests();
    expect(create).toMatchObject({ method: 'POST', url: '/v2/customers' });
    expect(create?.headers).toMatchObject({
      authorization: `Bearer ${FAKE_CREDENTIALS.mollie.MOLLIE_API_KEY}`,
      accept: 'application/hal+json',
      'idempotency-key': 'idem-key-0001',
      'content-type': 'application/json',
    });
  });

  it('juspay: Basic auth with the key and an empty password, x-merchantid, form-encoded create', async () => {
    await (await adapter('juspay')).createCustomer(input, 'unused');
    const [create] = dataRequests();
    const basic = Buffer.from(`${FAKE_CREDENTIALS.juspay.JUSPAY_API_KEY}:`).toString('base64');
    expect(create?.headers).toMatchObject({
      authorization: `Basic ${basic}`,
      'x-merchantid': FAKE_CREDENTIALS.juspay.JUSPAY_MERCHANT_ID,
    });
    expect(create?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(create?.body))).toEqual({
      object_reference_id: 'merchant-0001',
      mobile_number: '3013111111',
      mobile_country_code: '57',
      email_address: 'pepito@example.com',
      first_name: 'Pepito',
      last_name: 'Perez',
    });
  });

  it('encodes ids in paths', async () => {
    await (await adapter('juspay')).getCustomer('ref/with space');
    expect(dataRequests()[0]?.url).toBe('/customers/ref%2Fwith%20space');
  });
});
