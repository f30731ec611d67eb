/**
 * Mollie v2 customers, as documented in Mollie's OpenAPI spec and providers.md §3:
 * `GET /v2/customers/:id` (410 once deleted), `POST /v2/customers` → 201 (JSON, or form-encoded as the
 * older docs' curl shows), `GET /v2/customers?from&limit&sort` → HAL `_embedded.customers` with
 * absolute `_links.next`/`previous` or null. Bearer `test_…` key; every answer is `application/hal+json`
 * and every error a problem object `{status, title, detail, field?, _links.documentation}`.
 *
 * `Idempotency-Key` on create (handled by server.ts): the same key and body replays the first answer
 * with `Idempotent-Replayed: true` for 24 h; the same key with another body is 400; the same key while
 * the first request is still running is 409; 5xx answers are not stored.
 *
 * Like the real API, unknown body parameters are refused (422), and so is `testmode` with an API key.
 */
// Mollie's locale enum, kept once (test/contract/mollie-locales.test.ts pins it to our Mollie contract).
import { MOLLIE_LOCALES } from '../lib/providers/mollie/adapter.ts';
import type { ProviderBackend, RouteName, SandboxRequest, SandboxResponse } from './server.ts';
import { reasonPhrase } from './server.ts';
import {
  CustomerTable,
  isoOffset,
  isRecord,
  mediaType,
  parseIntParam,
  parseJson,
  pick,
  randomString,
  seededDate,
  seededRandom,
  type WireRecord,
} from './support.ts';

export interface MollieCredentials {
  apiKey: string;
}

export interface MollieSandboxOptions {
  credentials: MollieCredentials;
  seed?: number;
}

const CREATE_FIELDS = ['name', 'email', 'locale', 'metadata'] as const;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;
const METADATA_MAX_BYTES = 1024;
const HAL = 'application/hal+json';
const ERRORS_DOC = 'https://docs.mollie.com/overview/handling-errors';

/** The documented examples: get-customer (spec) and create-customer (docs). */
export const MOLLIE_EXAMPLE_CUSTOMERS: readonly WireRecord[] = [
  {
    resource: 'customer',
    id: 'cst_8wmqcHMN4U',
    mode: 'test',
    name: 'Customer A',
    email: 'customer@example.org',
    locale: null,
    metadata: null,
    createdAt: '2018-04-06T13:10:19.0Z',
  },
  {
    resource: 'customer',
    id: 'cst_tKt44u85MM',
    mode: 'test',
    name: 'Jane Doe',
    email: 'test@mollie.com',
    locale: 'en_US',
    metadata: { someProperty: 'someValue', anotherProperty: 'anotherValue' },
    createdAt: '2022-01-03T13:42:04+00:00',
  },
];

const GIVEN = ['Sanne', 'Daan', 'Emma', 'Lars', 'Julia', 'Thijs', 'Lotte', 'Bram'] as const;
const FAMILY = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder'] as const;
const SEED_LOCALES = ['nl_NL', 'nl_BE', 'de_DE', 'fr_FR', 'en_GB', 'en_US'] as const;

export const mollieCustomerId = (random?: () => number) => `cst_${randomString(10, 'alphanumeric', random)}`;

export function mollieSeedCustomers(count: number): WireRecord[] {
  const random = seededRandom(0x3011e);
  const customers: WireRecord[] = MOLLIE_EXAMPLE_CUSTOMERS.map((customer) => structuredClone(customer));
  for (let index = 0; index < count; index++) {
    const given = pick(random, GIVEN);
    const family = pick(random, FAMILY);
    const variant = index % 7;
    const metadata =
      variant === 1
        ? { merchantReference: `ref-mollie-${index + 1}` }
        : variant === 3
          ? `note ${index + 1}`
          : null;
    customers.push({
      resource: 'customer',
      id: mollieCustomerId(random),
      mode: 'test',
      // Mollie allows null name, email and locale; some demo customers have them.
      name: variant === 5 ? null : `${given} ${family}`,
      email:
        variant === 6 ? null : `${given}.${family.replace(/ /g, '')}${index + 1}@example.nl`.toLowerCase(),
      locale: variant === 2 ? null : pick(random, SEED_LOCALES),
      metadata,
      createdAt: isoOffset(seededDate(index, random)),
    });
  }
  return customers;
}

export function mollieProblem(status: number, detail: string, field?: string): SandboxResponse {
  return {
    status,
    body: {
      status,
      title: status === 401 ? 'Unauthorized Request' : reasonPhrase(status),
      detail,
      ...(field === undefined ? {} : { field }),
      _links: { documentation: { href: ERRORS_DOC, type: 'text/html' } },
    },
  };
}

function errorResponse(status: number): SandboxResponse {
  switch (status) {
    case 401:
      return mollieProblem(401, 'Missing authentication, or failed to authenticate');
    case 404:
      return mollieProblem(404, 'The requested resource does not exist');
    case 413:
      return mollieProblem(413, 'The request body is too large');
    case 429:
      return mollieProblem(429, 'You have exceeded the rate limit. Please slow down your requests.');
    default:
      return mollieProblem(status, status >= 500 ? 'An unexpected error occurred' : reasonPhrase(status));
  }
}

type CreateInput = { ok: true; fields: WireRecord } | { ok: false; response: SandboxResponse };

function readCreateInput(request: SandboxRequest): CreateInput {
  if (request.body.length === 0) return { ok: true, fields: {} };
  const type = mediaType(request.headers['content-type']);
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, fields: Object.fromEntries(new URLSearchParams(request.body.toString('utf8'))) };
  }
  if (type !== 'application/json' && type !== '') {
    return { ok: false, response: mollieProblem(415, 'The request body must be JSON') };
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) {
    return { ok: false, response: mollieProblem(400, 'The request body is not a valid JSON object') };
  }
  return { ok: true, fields: parsed.value };
}

function validateCreate(fields: WireRecord): SandboxResponse | null {
  for (const key of Object.keys(fields)) {
    if (key === 'testmode') {
      return mollieProblem(422, 'The testmode parameter must not be sent with an API key', 'testmode');
    }
    if (!CREATE_FIELDS.some((known) => known === key)) {
      return mollieProblem(422, `Non-existent body parameter "${key}" for this API call.`, key);
    }
  }
  const { name, email, locale, metadata } = fields;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    return mollieProblem(422, 'The name must be a string', 'name');
  }
  if (email !== undefined && email !== null) {
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      return mollieProblem(422, 'The email address is invalid', 'email');
    }
  }
  if (locale !== undefined && locale !== null && !MOLLIE_LOCALES.some((known) => known === locale)) {
    return mollieProblem(422, 'The locale is invalid', 'locale');
  }
  if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > METADATA_MAX_BYTES) {
    return mollieProblem(422, 'The metadata is larger than 1kB', 'metadata');
  }
  return null;
}

export function createMollieBackend(options: MollieSandboxOptions, origin: () => string): ProviderBackend {
  const table = new CustomerTable<WireRecord>();
  let apiKey = options.credentials.apiKey;
  let rotations = 0;
  let created = 0;

  const seed = () => {
    table.clear();
    if (options.seed === undefined) return;
    for (const customer of mollieSeedCustomers(options.seed)) table.put(String(customer.id), customer);
  };
  seed();

  const selfHref = (id: string) => `${origin()}/v2/customers/${id}`;
  const links = (id: string, documentation: string | null) => ({
    self: { href: selfHref(id), type: HAL },
    dashboard: { href: `https://www.mollie.com/dashboard/org_13514547/customers/${id}`, type: 'text/html' },
    ...(documentation ? { documentation: { href: documentation, type: 'text/html' } } : {}),
  });
  const render = (customer: WireRecord, documentation: string | null): WireRecord => ({
    ...customer,
    _links: links(String(customer.id), documentation),
  });

  const getCustomer = (request: SandboxRequest): SandboxResponse => {
    const id = request.params.id ?? '';
    const customer = table.get(id);
    if (customer) {
      return { status: 200, body: render(customer, 'https://docs.mollie.com/reference/get-customer') };
    }
    if (table.isDeleted(id)) return mollieProblem(410, `The customer ${id} has been deleted`);
    return mollieProblem(404, `No customer exists with token ${id}.`);
  };

  const createCustomer = (request: SandboxRequest): SandboxResponse => {
    const input = readCreateInput(request);
    if (!input.ok) return input.response;
    const invalid = validateCreate(input.fields);
    if (invalid) return invalid;
    const customer: WireRecord = {
      resource: 'customer',
      id: mollieCustomerId(),
      mode: 'test',
      name: input.fields.name ?? null,
      email: input.fields.email ?? null,
      locale: input.fields.locale ?? null,
      metadata: input.fields.metadata ?? null,
      createdAt: isoOffset(new Date()),
    };
    table.put(String(customer.id), customer);
    created += 1;
    return { status: 201, body: render(customer, 'https://docs.mollie.com/reference/create-customer') };
  };

  /** Oldest first; ties (same second) keep insertion order. */
  const ordered = () =>
    table
      .live()
      .map((customer, index) => ({ customer, index, time: Date.parse(String(customer.createdAt)) || 0 }))
      .sort((a, b) => a.time - b.time || a.index - b.index)
      .map(({ customer }) => customer);

  const listCustomers = (request: SandboxRequest): SandboxResponse => {
    const rawLimit = request.query.get('limit');
    const limit = rawLimit === null ? DEFAULT_LIMIT : parseIntParam(rawLimit);
    if (limit === null || limit < 1 || limit > MAX_LIMIT) {
      return mollieProblem(400, `The limit must be between 1 and ${MAX_LIMIT}`, 'limit');
    }
    const sort = request.query.get('sort') ?? 'desc';
    if (sort !== 'asc' && sort !== 'desc') return mollieProblem(400, 'Invalid sort value', 'sort');
    const all = sort === 'asc' ? ordered() : ordered().reverse();
    const from = request.query.get('from');
    const start = from === null ? 0 : all.findIndex((customer) => customer.id === from);
    if (start === -1) return mollieProblem(400, 'Invalid cursor value', 'from');
    const page = all.slice(start, start + limit);
    const pageHref = (fromId: string) =>
      `${origin()}/v2/customers?from=${fromId}&limit=${limit}${request.query.has('sort') ? `&sort=${sort}` : ''}`;
    const next = all[start + limit];
    const previous = start > 0 ? all[Math.max(0, start - limit)] : undefined;
    return {
      status: 200,
      body: {
        count: page.length,
        _embedded: { customers: page.map((customer) => render(customer, null)) },
        _links: {
          self: {
            href: `${origin()}${request.pathname}${request.query.size ? `?${request.query}` : ''}`,
            type: HAL,
          },
          previous: previous ? { href: pageHref(String(previous.id)), type: HAL } : null,
          next: next ? { href: pageHref(String(next.id)), type: HAL } : null,
          documentation: { href: 'https://docs.mollie.com/reference/list-customers', type: 'text/html' },
        },
      },
    };
  };

  return {
    provider: 'mollie',
    contentType: `${HAL}; charset=utf-8`,
    routes: [
      {
        method: 'GET',
        pattern: /^\/v2\/customers\/(?<id>[^/]+)$/,
        route: 'get',
        auth: true,
        handle: getCustomer,
      },
      { method: 'POST', pattern: /^\/v2\/customers$/, route: 'create', auth: true, handle: createCustomer },
      { method: 'GET', pattern: /^\/v2\/customers$/, route: 'list', auth: true, handle: listCustomers },
    ],
    idempotency: {
      header: 'idempotency-key',
      routes: ['create'],
      ttlMs: 24 * 3_600_000,
      mismatch: () =>
        mollieProblem(
          400,
          'The idempotency key has already been used for a different request',
          'idempotency-key',
        ),
      inFlight: () => mollieProblem(409, 'A request with this idempotency key is still being processed'),
      replayedHeader: ['Idempotent-Replayed', 'true'],
    },
    authenticate(request) {
      return request.headers.authorization === `Bearer ${apiKey}` ? null : errorResponse(401);
    },
    errorResponse,
    violateSchema(route: RouteName, body: unknown) {
      if (route === 'list') {
        return { count: '1', _embedded: { customers: 'none' }, _links: { self: null, next: 42 } };
      }
      if (!isRecord(body)) return { resource: 'customer', mode: 'test' };
      const { id: _dropped, ...rest } = body;
      return { ...rest, createdAt: 1_700_000_000 };
    },
    insertCustomer(wire) {
      const customer: WireRecord = {
        resource: 'customer',
        id: mollieCustomerId(),
        mode: 'test',
        name: null,
        email: null,
        locale: null,
        metadata: null,
        createdAt: isoOffset(new Date()),
        ...wire,
      };
      delete customer._links;
      table.put(String(customer.id), customer);
      return render(customer, null);
    },
    patchCustomer(id, fields) {
      const customer = table.get(id);
      if (!customer) return null;
      // Mollie customers carry no updatedAt: a change is visible only in the fields themselves.
      const next: WireRecord = { ...customer, ...fields, id };
      delete next._links;
      table.put(id, next);
      return render(next, null);
    },
    deleteCustomer: (id) => table.delete(id),
    getCustomer(id) {
      const customer = table.get(id);
      return customer ? render(customer, null) : null;
    },
    listCustomers: () => ordered().map((customer) => render(customer, null)),
    rotateCredentials() {
      rotations += 1;
      apiKey = `${options.credentials.apiKey}Rotated${rotations}`;
      return { apiKey };
    },
    expireTokens: () => 0,
    reset() {
      apiKey = options.credentials.apiKey;
      created = 0;
      seed();
    },
    counts: () => ({ created, customers: table.size }),
  };
}
