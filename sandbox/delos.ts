/**
 * Delos v2 customers, as documented in shared/seeds/002 and providers.md §2:
 * `POST /v2/auth/login` → JWT-looking tokens with `accessTtl`, `GET /v2/auth/refresh/:token`,
 * `GET /v2/customer/:id` → `{item}`, `POST /v2/customer` → `{item}` (status NEW),
 * `GET /v2/customer?customerId&customerName&fromCreateAt&page&pageSize`. Errors are `{error}`.
 *
 * The seed disagrees with itself on id field names: its field table uses `cuid`/`puid`, its "real
 * response example" `customerId`/`partnerId`. The sandbox serves both, fixed per customer: when the
 * sum of the id's UTF-16 code units is odd the customer uses `customerId`/`partnerId`, when even
 * `cuid`/`puid`. The two documented ids fall on the documented side (`D7k3xbc-ERrj-lde9k1t3XuaE` odd,
 * `DqCsgSE-4e95-ViYbNI` even). Control inserts keep whichever naming they are given.
 *
 * Choices where the docs are silent (see sandbox/README.md): create answers 200; the list envelope is
 * `{items, page, pageSize, total}` (page from 1, pageSize 1..100, default 20); a refresh token works
 * once (refresh rotates it); the access token is accepted with or without `Bearer ` (the seed's real
 * request sends it bare); rotating credentials revokes every token.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type {
  ProviderBackend,
  RouteName,
  SandboxRequest,
  SandboxResponse,
  WebhookDelivery,
  WebhookSender,
} from './server.ts';
import { reasonPhrase } from './server.ts';
import {
  CustomerTable,
  headerValue,
  isoSeconds,
  isRecord,
  parseIntParam,
  parseJson,
  pick,
  randomInt,
  randomString,
  seededDate,
  seededRandom,
  textErrorResponse,
  type WireRecord,
} from './support.ts';

export interface DelosCredentials {
  login: string;
  password: string;
}

export interface DelosSandboxOptions {
  credentials: DelosCredentials;
  /** Access token lifetime; default 300 s (the FAQ's "5 minutes"). */
  accessTtlSeconds?: number;
  seed?: number;
}

export const DELOS_STATUSES = [
  'NEW',
  'READY_FOR_MODERATION',
  'MODERATED',
  'VERIFY',
  'ACCEPT',
  'REJECT',
  'BANNED',
] as const;
export const DELOS_CUSTOMER_TYPES = ['INDIVIDUAL', 'CORPORATE'] as const;
export type DelosIdStyle = 'cuid' | 'customerId';

/** The integer codes the customer webhook uses for the REST status strings (webhook docs). */
export const DELOS_WEBHOOK_STATUS_CODES: Record<string, number> = {
  NEW: 0,
  READY_FOR_MODERATION: 1,
  MODERATED: 2,
  ACCEPT: 3,
  REJECT: 4,
  BANNED: 5,
  VERIFY: 6,
};
const WEBHOOK_TIMEOUT_MS = 5_000;
const REFRESH_TTL_SECONDS = 2_592_000;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
/** The partner (our merchant account) every sandbox-made customer belongs to. */
const SANDBOX_PARTNER_ID = '6f1c2a9e-52d4-4c71-9b1e-3c8f0d7a4e21';
const SANDBOX_USER_ID = 'D69Ijtr-sTPF-2FhmobKMEExA';

/** The documented naming rule (see the file comment). */
export function delosIdStyle(id: string): DelosIdStyle {
  let sum = 0;
  for (let index = 0; index < id.length; index++) sum += id.charCodeAt(index);
  return sum % 2 === 1 ? 'customerId' : 'cuid';
}

/** The seed's examples, verbatim, in canonical (`cuid`/`puid`) naming. */
export const DELOS_EXAMPLE_CUSTOMERS: readonly WireRecord[] = [
  {
    cuid: 'DqCsgSE-4e95-ViYbNI',
    puid: '127c9ea7-3ea7-4063-9fa4-c69e796c55e4',
    status: 'ACCEPT',
    createAt: '2024-01-15T10:30:00Z',
    updateAt: '2024-05-20T14:45:00Z',
    name: 'John',
    lastname: 'Doe',
    comment: 'VIP client',
    company: '',
    type: 'INDIVIDUAL',
    balance: { currencyCode: 'USD', units: '1500', nanos: 500000000 },
    balanceHold: { currencyCode: 'USD', units: '250', nanos: 0 },
    phone: '+1234567890',
    email: 'john@example.com',
  },
  {
    // The seed's corporate example reuses DqCsgSE-4e95-ViYbNI; it lives here under its own id.
    cuid: 'DTchSol-4e95-Rt2uVw',
    puid: '127c9ea7-3ea7-4063-9fa4-c69e796c55e4',
    status: 'ACCEPT',
    createAt: '2024-02-20T09:15:00Z',
    updateAt: '2024-05-18T16:20:00Z',
    name: 'Tech Solutions Ltd',
    lastname: '',
    comment: 'Enterprise account',
    company: 'Tech Solutions Group',
    type: 'CORPORATE',
    balance: { currencyCode: 'EUR', units: '50000', nanos: 0 },
    balanceHold: { currencyCode: 'EUR', units: '10000', nanos: 0 },
    phone: '+49876543210',
    email: 'finance@techsolutions.com',
  },
  {
    cuid: 'D7k3xbc-ERrj-lde9k1t3XuaE',
    puid: '3354815d-1a23-4b1c-81ec-306388cddfa4',
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
];

const GIVEN = ['Oliver', 'Amelia', 'Lukas', 'Sofia', 'Mateo', 'Chloe', 'Noah', 'Elena'] as const;
const FAMILY = ['Smith', 'Müller', 'Rossi', 'Novak', 'Dubois', 'Silva', 'Jensen', 'Kowalski'] as const;
const COMPANY_WORDS = ['Nordic', 'Atlas', 'Blue Harbor', 'Vertex', 'Orion', 'Meridian'] as const;
const COMPANY_SUFFIX = ['LTD', 'GmbH', 'B.V.', 'S.A.', 'OÜ'] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

export function delosCustomerId(random?: () => number): string {
  return `D${randomString(6, 'alphanumeric', random)}-${randomString(4, 'alphanumeric', random)}-${randomString(12, 'alphanumeric', random)}`;
}

const money = (currencyCode: string, units: number, nanos: number) => ({
  currencyCode,
  units: String(units),
  nanos,
});

export function delosSeedCustomers(count: number): WireRecord[] {
  const random = seededRandom(0xde105);
  const customers: WireRecord[] = DELOS_EXAMPLE_CUSTOMERS.map((customer) => structuredClone(customer));
  for (let index = 0; index < count; index++) {
    const created = seededDate(index, random);
    const corporate = random() < 0.35;
    const given = pick(random, GIVEN);
    const family = pick(random, FAMILY);
    const companyName = `${pick(random, COMPANY_WORDS)} ${pick(random, ['Trading', 'Media', 'Labs', 'Logistics'])} ${pick(random, COMPANY_SUFFIX)}`;
    const currency = pick(random, CURRENCIES);
    const masked = index % 5 === 4;
    const local = corporate ? 'finance' : `${given}.${family}`.normalize('NFD').replace(/[^A-Za-z.]/g, '');
    const email = `${local.toLowerCase()}@example.com`;
    customers.push({
      cuid: delosCustomerId(random),
      puid: SANDBOX_PARTNER_ID,
      status: pick(random, DELOS_STATUSES),
      createAt: isoSeconds(created),
      updateAt: isoSeconds(new Date(created.getTime() + randomInt(random, 0, 120) * 86_400_000)),
      name: corporate ? companyName : given,
      lastname: corporate ? '' : family,
      comment: index % 3 === 0 ? 'Seeded by the sandbox' : '',
      company: corporate ? companyName : '',
      type: corporate ? 'CORPORATE' : 'INDIVIDUAL',
      // Nanos like the seed's 800000002 make sure nobody rounds through a float.
      balance: money(currency, randomInt(random, 0, 99_999), randomInt(random, 0, 999_999_999)),
      balanceHold: money(currency, randomInt(random, 0, 9_999), randomInt(random, 0, 3) * 250_000_000),
      phone: masked
        ? `+44*****${randomString(3, 'digits', random)}`
        : `+44${randomString(10, 'digits', random)}`,
      email: masked ? `${email.slice(0, 1)}***@${email.split('@')[1] ?? 'example.com'}` : email,
    });
  }
  return customers;
}

const error = (status: number, text: string): SandboxResponse => ({ status, body: { error: text } });

const errorResponse = textErrorResponse('error', reasonPhrase);

interface StoredCustomer {
  style: DelosIdStyle;
  /** Canonical naming: `cuid`, `puid`. */
  data: WireRecord;
}

/** Renames the id fields for `customerId`-style customers, keeping field order. */
function render({ style, data }: StoredCustomer): WireRecord {
  if (style === 'cuid') return { ...data };
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key === 'cuid' ? 'customerId' : key === 'puid' ? 'partnerId' : key,
      value,
    ]),
  );
}

/** Brings control input in either naming to canonical naming. */
function canonical(wire: WireRecord): WireRecord {
  const out: WireRecord = {};
  for (const [key, value] of Object.entries(wire)) {
    out[key === 'customerId' ? 'cuid' : key === 'partnerId' ? 'puid' : key] = value;
  }
  return out;
}

/**
 * Sends the documented customer hook (`hook_type: 3`, `Data.Client`) on every create and change, like
 * Delos does "whenever the status or state of the object changes". Unsigned: Delos documents no
 * signing. Protobuf-style `{seconds}` timestamps and integer status codes, as on the webhook page.
 */
function createWebhookSender(): WebhookSender & { notify(data: WireRecord): void; clear(): void } {
  let target: string | null = null;
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<void>>();
  const seconds = (iso: unknown) => ({ seconds: Math.floor((Date.parse(String(iso)) || 0) / 1000) });
  return {
    setTarget(url) {
      target = url;
    },
    state: () => ({ url: target, deliveries: [...deliveries] }),
    async settle() {
      await Promise.all([...pending]);
    },
    clear() {
      target = null;
      deliveries.length = 0;
    },
    notify(data) {
      if (!target) return;
      const hookId = randomUUID();
      const hook = {
        hook_id: hookId,
        hook_type: 3,
        Data: {
          Client: {
            cuid: data.cuid,
            status: DELOS_WEBHOOK_STATUS_CODES[String(data.status)] ?? -1,
            create_at: seconds(data.createAt),
            update_at: seconds(data.updateAt),
            onboarding_at: seconds(data.createAt),
            name: data.name,
            lastname: data.lastname,
          },
        },
      };
      const delivery = fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hook),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          deliveries.push({ hookId, status: response.status });
        })
        .catch((error: unknown) => {
          deliveries.push({ hookId, status: null, error: error instanceof Error ? error.message : 'failed' });
        });
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
  };
}

export function createDelosBackend(options: DelosSandboxOptions): ProviderBackend {
  const webhooks = createWebhookSender();
  const table = new CustomerTable<StoredCustomer>();
  const ttlSeconds = options.accessTtlSeconds ?? 300;
  const signingKey = randomBytes(32);
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Map<string, number>();
  const revokedRefreshTokens = new Set<string>();
  let password = options.credentials.password;
  let rotations = 0;
  let created = 0;

  const seed = () => {
    table.clear();
    if (options.seed === undefined) return;
    for (const data of delosSeedCustomers(options.seed)) {
      const id = String(data.cuid);
      table.put(id, { style: delosIdStyle(id), data });
    }
  };
  seed();

  const jwt = (kind: 'access' | 'refresh', ttl: number) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = encode({
      sub: 164,
      exp: Math.floor(Date.now() / 1000) + ttl,
      key: randomBytes(20).toString('hex'),
      typ: kind,
      jti: randomUUID(),
    });
    const signature = createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  };

  const issueTokens = () => {
    const accessToken = jwt('access', ttlSeconds);
    const refreshToken = jwt('refresh', REFRESH_TTL_SECONDS);
    accessTokens.set(accessToken, Date.now() + ttlSeconds * 1000);
    refreshTokens.set(refreshToken, Date.now() + REFRESH_TTL_SECONDS * 1000);
    return { accessToken, refreshToken, accessTtl: ttlSeconds, refreshTtl: REFRESH_TTL_SECONDS };
  };

  const login = (request: SandboxRequest): SandboxResponse => {
    const parsed = parseJson(request.body);
    if (!parsed.ok || !isRecord(parsed.value)) return error(400, 'Request body must be a JSON object');
    const { login: user, password: secret, code } = parsed.value;
    if (typeof user !== 'string' || typeof secret !== 'string' || !user || !secret) {
      return error(400, 'login and password are required');
    }
    if (code !== undefined && (typeof code !== 'string' || !/^\d{6}$/.test(code))) {
      return error(400, 'code must be a 6-digit string');
    }
    if (user !== options.credentials.login || secret !== password) {
      return error(401, 'Invalid login or password');
    }
    const tokens = issueTokens();
    return {
      status: 200,
      body: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        UserId: SANDBOX_USER_ID,
        accessTtl: tokens.accessTtl,
        refreshTtl: tokens.refreshTtl,
      },
    };
  };

  const refresh = (request: SandboxRequest): SandboxResponse => {
    const token = request.params.token ?? '';
    if (revokedRefreshTokens.has(token)) return error(401, 'Token revoked. Please log in again');
    const expiresAt = refreshTokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return error(401, 'Invalid or expired refresh token');
    }
    refreshTokens.delete(token);
    const tokens = issueTokens();
    return { status: 200, body: { ...tokens, guid: SANDBOX_USER_ID } };
  };

  const getCustomer = (request: SandboxRequest): SandboxResponse => {
    const id = request.params.id ?? '';
    const customer = table.get(id);
    return customer
      ? { status: 200, body: { item: render(customer) } }
      : error(404, `Customer not found: ${id}`);
  };

  const createCustomer = (request: SandboxRequest): SandboxResponse => {
    const parsed = parseJson(request.body);
    if (!parsed.ok || !isRecord(parsed.value)) return error(400, 'Request body must be a JSON object');
    const input = parsed.value;
    if (typeof input.name !== 'string' || input.name.trim() === '') return error(400, 'name is required');
    for (const field of ['lastname', 'comment', 'company'] as const) {
      if (input[field] !== undefined && typeof input[field] !== 'string') {
        return error(400, `${field} must be a string`);
      }
    }
    const type = input.type ?? 'INDIVIDUAL';
    if (!DELOS_CUSTOMER_TYPES.some((candidate) => candidate === type)) {
      return error(400, 'type must be CORPORATE or INDIVIDUAL');
    }
    const id = delosCustomerId();
    const now = isoSeconds(new Date());
    const data: WireRecord = {
      cuid: id,
      puid: SANDBOX_PARTNER_ID,
      status: 'NEW',
      createAt: now,
      updateAt: now,
      name: input.name,
      lastname: input.lastname ?? '',
      comment: input.comment ?? '',
      company: input.company ?? '',
      type,
      balance: money('USD', 0, 0),
      balanceHold: money('USD', 0, 0),
      phone: '',
      email: '',
    };
    const stored: StoredCustomer = { style: delosIdStyle(id), data };
    table.put(id, stored);
    created += 1;
    webhooks.notify(data);
    return { status: 200, body: { item: render(stored) } };
  };

  const listCustomers = (request: SandboxRequest): SandboxResponse => {
    const rawPage = request.query.get('page');
    const rawSize = request.query.get('pageSize');
    const page = rawPage === null ? 1 : parseIntParam(rawPage);
    const pageSize = rawSize === null ? DEFAULT_PAGE_SIZE : parseIntParam(rawSize);
    if (page === null || page < 1) return error(400, 'page must be a positive integer');
    if (pageSize === null || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return error(400, `pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}`);
    }
    const customerId = request.query.get('customerId');
    const customerName = request.query.get('customerName')?.toLowerCase();
    const fromCreateAt = request.query.get('fromCreateAt');
    const from = fromCreateAt ? Date.parse(fromCreateAt) : null;
    if (from !== null && Number.isNaN(from)) return error(400, 'fromCreateAt must be an ISO 8601 date-time');
    const matching = table
      .entries()
      .filter(([id, { data }]) => {
        if (customerId && id !== customerId) return false;
        if (customerName) {
          const names = [data.name, data.lastname, data.company].map((value) =>
            typeof value === 'string' ? value.toLowerCase() : '',
          );
          if (!names.some((name) => name.includes(customerName))) return false;
        }
        return from === null || Date.parse(String(data.createAt)) > from;
      })
      .sort(([idA, a], [idB, b]) => {
        const byDate = String(a.data.createAt).localeCompare(String(b.data.createAt));
        return byDate !== 0 ? byDate : idA.localeCompare(idB);
      });
    const items = matching
      .slice((page - 1) * pageSize, page * pageSize)
      .map(([, customer]) => render(customer));
    return { status: 200, body: { items, page, pageSize, total: matching.length } };
  };

  return {
    provider: 'delos',
    contentType: 'application/json; charset=utf-8',
    routes: [
      { method: 'POST', pattern: /^\/v2\/auth\/login$/, route: 'login', auth: false, handle: login },
      {
        method: 'GET',
        pattern: /^\/v2\/auth\/refresh\/(?<token>[^/]+)$/,
        route: 'refresh',
        auth: false,
        handle: refresh,
      },
      {
        method: 'GET',
        pattern: /^\/v2\/customer\/(?<id>[^/]+)$/,
        route: 'get',
        auth: true,
        handle: getCustomer,
      },
      { method: 'POST', pattern: /^\/v2\/customer$/, route: 'create', auth: true, handle: createCustomer },
      { method: 'GET', pattern: /^\/v2\/customer$/, route: 'list', auth: true, handle: listCustomers },
    ],
    authenticate(request) {
      const header = headerValue(request.headers.authorization) ?? '';
      const token = header.replace(/^Bearer\s+/i, '');
      const expiresAt = accessTokens.get(token);
      if (expiresAt !== undefined && expiresAt > Date.now()) return null;
      if (expiresAt !== undefined) accessTokens.delete(token);
      return error(401, 'Unauthorized');
    },
    errorResponse,
    violateSchema(route: RouteName, body: unknown) {
      if (route === 'login' || route === 'refresh') {
        return isRecord(body) ? { ...body, accessToken: 12345 } : { accessToken: 12345 };
      }
      if (route === 'list') return { items: { not: 'a list' }, page: '1', pageSize: 20, total: null };
      const item = isRecord(body) && isRecord(body.item) ? body.item : {};
      // Ids of the wrong type and units as a float: both must be refused by a strict wire schema.
      return {
        item: {
          ...item,
          ...('customerId' in item ? { customerId: 12345 } : { cuid: 12345 }),
          balance: { units: 2835.8 },
        },
      };
    },
    insertCustomer(wire) {
      const input = isRecord(wire.item) ? wire.item : wire;
      const style: DelosIdStyle | null =
        'customerId' in input || 'partnerId' in input ? 'customerId' : 'cuid' in input ? 'cuid' : null;
      const given = canonical(input);
      const id = typeof given.cuid === 'string' && given.cuid ? given.cuid : delosCustomerId();
      const now = isoSeconds(new Date());
      const data: WireRecord = {
        cuid: id,
        puid: SANDBOX_PARTNER_ID,
        status: 'NEW',
        createAt: now,
        updateAt: now,
        name: 'Sandbox',
        lastname: 'Customer',
        comment: '',
        company: '',
        type: 'INDIVIDUAL',
        balance: money('USD', 0, 0),
        balanceHold: money('USD', 0, 0),
        phone: '',
        email: '',
        ...given,
      };
      data.cuid = id;
      const stored: StoredCustomer = { style: style ?? delosIdStyle(id), data };
      table.put(id, stored);
      webhooks.notify(data);
      return render(stored);
    },
    patchCustomer(id, fields) {
      const customer = table.get(id);
      if (!customer) return null;
      const changes = canonical(fields);
      delete changes.cuid;
      const data: WireRecord = { ...customer.data, ...changes, updateAt: isoSeconds(new Date()) };
      if (typeof changes.updateAt === 'string') data.updateAt = changes.updateAt;
      const next = { style: customer.style, data };
      table.put(id, next);
      webhooks.notify(data);
      return render(next);
    },
    deleteCustomer: (id) => table.delete(id),
    getCustomer(id) {
      const customer = table.get(id);
      return customer ? render(customer) : null;
    },
    listCustomers: () => table.live().map(render),
    rotateCredentials() {
      rotations += 1;
      password = `${options.credentials.password}-rotated-${rotations}`;
      accessTokens.clear();
      for (const token of refreshTokens.keys()) revokedRefreshTokens.add(token);
      refreshTokens.clear();
      return { login: options.credentials.login, password };
    },
    expireTokens() {
      const expired = accessTokens.size;
      accessTokens.clear();
      return expired;
    },
    reset() {
      password = options.credentials.password;
      accessTokens.clear();
      refreshTokens.clear();
      revokedRefreshTokens.clear();
      webhooks.clear();
      created = 0;
      seed();
    },
    counts: () => ({ created, customers: table.size }),
    webhooks,
  };
}
