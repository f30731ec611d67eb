/**
 * Palomma v0 customers (Colombia), as documented in shared/seeds 000/001 and providers.md §1:
 * `GET /v0/customers/:id`, `POST /v0/customers` (JSON, 200), `GET /v0/customers?reference&limit&cursor`
 * → `{items, cursor, count}`. Bearer API key. Every error is `{message}`.
 *
 * Choices where the docs are silent (documented in sandbox/README.md): `count` is the number of items
 * matching the query across all pages (the docs example shows 123 next to one item); the cursor is
 * opaque (base64url of the last id returned); items come in id (= creation) order; `limit` outside 1..100
 * and unknown cursors are 400; duplicate references are allowed (no uniqueness is documented).
 */
import { ulid } from 'ulid';
import type { ProviderBackend, RouteName, SandboxRequest, SandboxResponse } from './server.ts';
import { reasonPhrase } from './server.ts';
import {
  CustomerTable,
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

export interface PalommaCredentials {
  apiKey: string;
  webhookIntegrityKey: string;
}

export interface PalommaSandboxOptions {
  credentials: PalommaCredentials;
  /** Demo customers; absent: none, 0: only the documented example. */
  seed?: number;
}

export const PALOMMA_DOCUMENT_TYPES = ['cc', 'ce', 'nit'] as const;
const REQUIRED_CREATE_FIELDS = ['name', 'documentType', 'documentNumber', 'email', 'phoneNumber'] as const;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** The verbatim example of seeds 000/001 (its `reference` is a `<string>` placeholder there). */
export const PALOMMA_EXAMPLE_CUSTOMER = {
  id: '01HPR57X6QR5ZRKEEKBSDBW4RA',
  reference: 'ref-pepito-perez',
  name: 'Pepito Perez',
  documentType: 'cc',
  documentNumber: '1037551022',
  email: 'pepito@gmail.com',
  phoneNumber: '3013111111',
  createdAt: '2023-11-07T05:31:56Z',
  updatedAt: '2023-11-07T05:31:56Z',
} as const;

const GIVEN = ['Andrés', 'Camila', 'Juan', 'Valentina', 'Santiago', 'Mariana', 'Felipe', 'Daniela'] as const;
const FAMILY = [
  'Gómez',
  'Rodríguez',
  'Martínez',
  'López',
  'García',
  'Hernández',
  'Restrepo',
  'Ospina',
] as const;
const COMPANIES = [
  'Comercializadora Andina',
  'Café del Huila',
  'Textiles Medellín',
  'Logística Caribe',
] as const;

export function palommaSeedCustomers(count: number): WireRecord[] {
  const random = seededRandom(0x9a10);
  const customers: WireRecord[] = [{ ...PALOMMA_EXAMPLE_CUSTOMER }];
  for (let index = 0; index < count; index++) {
    const created = seededDate(index, random);
    const isCompany = random() < 0.2;
    const given = pick(random, GIVEN);
    const family = pick(random, FAMILY);
    const name = isCompany ? `${pick(random, COMPANIES)} S.A.S.` : `${given} ${family}`;
    const slug = name
      .normalize('NFD')
      .replace(/[^A-Za-z ]/g, '')
      .toLowerCase()
      .split(' ')
      .slice(0, 2)
      .join('.');
    const updated =
      random() < 0.5 ? created : new Date(created.getTime() + randomInt(random, 1, 90) * 86_400_000);
    customers.push({
      id: ulid(created.getTime(), random),
      reference: `ref-palomma-${String(index + 1).padStart(4, '0')}`,
      name,
      documentType: isCompany ? 'nit' : random() < 0.85 ? 'cc' : 'ce',
      documentNumber: randomString(isCompany ? 9 : 10, 'digits', random).replace(/^0/, '1'),
      email: `${slug}${index + 1}@example.co`,
      phoneNumber: `3${randomString(9, 'digits', random)}`,
      createdAt: isoSeconds(created),
      updatedAt: isoSeconds(updated),
    });
  }
  return customers;
}

const message = (status: number, text: string): SandboxResponse => ({ status, body: { message: text } });

const errorResponse = textErrorResponse('message', reasonPhrase);

const encodeCursor = (id: string) => Buffer.from(`after:${id}`).toString('base64url');
const decodeCursor = (cursor: string): string | null => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return text.startsWith('after:') ? text.slice('after:'.length) : null;
};

export function createPalommaBackend(options: PalommaSandboxOptions): ProviderBackend {
  const table = new CustomerTable<WireRecord>();
  let apiKey = options.credentials.apiKey;
  let rotations = 0;
  let created = 0;

  const seed = () => {
    table.clear();
    if (options.seed === undefined) return;
    for (const customer of palommaSeedCustomers(options.seed)) table.put(String(customer.id), customer);
  };
  seed();

  const getCustomer = (request: SandboxRequest): SandboxResponse => {
    const customer = table.get(request.params.id ?? '');
    return customer ? { status: 200, body: customer } : message(404, 'Customer not found');
  };

  const createCustomer = (request: SandboxRequest): SandboxResponse => {
    const parsed = parseJson(request.body);
    if (!parsed.ok || !isRecord(parsed.value)) return message(400, 'Request body must be a JSON object');
    const input = parsed.value;
    for (const field of REQUIRED_CREATE_FIELDS) {
      const value = input[field];
      if (value === undefined || value === null || value === '') return message(400, `${field} is required`);
      if (typeof value !== 'string') return message(400, `${field} must be a string`);
    }
    if (!PALOMMA_DOCUMENT_TYPES.some((type) => type === input.documentType)) {
      return message(400, `documentType must be one of: ${PALOMMA_DOCUMENT_TYPES.join(', ')}`);
    }
    if (input.reference !== undefined && typeof input.reference !== 'string') {
      return message(400, 'reference must be a string');
    }
    const now = isoSeconds(new Date());
    const customer: WireRecord = {
      id: ulid(),
      ...(typeof input.reference === 'string' ? { reference: input.reference } : {}),
      name: input.name,
      documentType: input.documentType,
      documentNumber: input.documentNumber,
      email: input.email,
      phoneNumber: input.phoneNumber,
      createdAt: now,
      updatedAt: now,
    };
    table.put(String(customer.id), customer);
    created += 1;
    return { status: 200, body: customer };
  };

  const listCustomers = (request: SandboxRequest): SandboxResponse => {
    const rawLimit = request.query.get('limit');
    const limit = rawLimit === null ? DEFAULT_LIMIT : parseIntParam(rawLimit);
    if (limit === null || limit < 1 || limit > MAX_LIMIT) {
      return message(400, `limit must be an integer between 1 and ${MAX_LIMIT}`);
    }
    const reference = request.query.get('reference');
    // ULIDs sort by creation time: ordering by id keeps pages stable while customers are added.
    const matching = table
      .entries()
      .filter(([, customer]) => reference === null || reference === '' || customer.reference === reference)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let start = 0;
    const cursor = request.query.get('cursor');
    if (cursor) {
      const afterId = decodeCursor(cursor);
      if (afterId === null) return message(400, 'Invalid cursor');
      const position = matching.findIndex(([id]) => id > afterId);
      start = position === -1 ? matching.length : position;
    }
    const page = matching.slice(start, start + limit);
    const last = page.at(-1);
    const more = start + limit < matching.length;
    return {
      status: 200,
      body: {
        items: page.map(([, customer]) => customer),
        cursor: more && last ? encodeCursor(last[0]) : null,
        count: matching.length,
      },
    };
  };

  return {
    provider: 'palomma',
    contentType: 'application/json; charset=utf-8',
    routes: [
      {
        method: 'GET',
        pattern: /^\/v0\/customers\/(?<id>[^/]+)$/,
        route: 'get',
        auth: true,
        handle: getCustomer,
      },
      { method: 'POST', pattern: /^\/v0\/customers$/, route: 'create', auth: true, handle: createCustomer },
      { method: 'GET', pattern: /^\/v0\/customers$/, route: 'list', auth: true, handle: listCustomers },
    ],
    authenticate(request) {
      return request.headers.authorization === `Bearer ${apiKey}` ? null : message(401, 'Unauthorized');
    },
    errorResponse,
    violateSchema(route: RouteName, body: unknown) {
      if (route === 'list')
        return { items: [{ id: 12345, name: ['not', 'a', 'string'] }], cursor: 7, count: '1' };
      return isRecord(body) ? { ...body, id: 12345 } : { id: 12345 };
    },
    insertCustomer(wire) {
      const now = isoSeconds(new Date());
      const customer: WireRecord = {
        id: ulid(),
        name: 'Sandbox Customer',
        documentType: 'cc',
        documentNumber: '1000000000',
        email: 'sandbox.customer@example.co',
        phoneNumber: '3000000000',
        createdAt: now,
        updatedAt: now,
        ...wire,
      };
      table.put(String(customer.id), customer);
      return customer;
    },
    patchCustomer(id, fields) {
      const customer = table.get(id);
      if (!customer) return null;
      const next: WireRecord = { ...customer, ...fields, id, updatedAt: isoSeconds(new Date()) };
      if (typeof fields.updatedAt === 'string') next.updatedAt = fields.updatedAt;
      table.put(id, next);
      return next;
    },
    deleteCustomer: (id) => table.delete(id),
    getCustomer: (id) => table.get(id) ?? null,
    listCustomers: () => table.live(),
    rotateCredentials() {
      rotations += 1;
      apiKey = `${options.credentials.apiKey}-rotated-${rotations}`;
      return { apiKey, webhookIntegrityKey: options.credentials.webhookIntegrityKey };
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
