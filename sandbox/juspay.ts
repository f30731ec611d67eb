/**
 * Juspay Express Checkout customers, as documented in shared/seeds/004, providers.md §4 and the
 * official SDK models: `GET /customers/:id` (Juspay `cst_…` id or the merchant's
 * `object_reference_id`), `POST /customers` (form-urlencoded only, 200), `GET /customers?offset&count`
 * → `{list, count, offset, total}` (the PHP SDK's `listAll`). HTTP Basic auth with the API key as
 * user and an empty password, plus `x-merchantid`.
 *
 * Error bodies are verbatim from the docs where the docs have one (401, 403 BAD_ORIGIN, 404, the
 * create 400s); the 429 and 5xx bodies are ours, in the same shape. A create that is not form-encoded
 * is read as having no fields, so it gets the documented "Wrong value in object_reference_id" 400,
 * which is what a form-only server answers. List `count` defaults to 20, at most 100 (our choice).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ProviderBackend, RouteName, SandboxRequest, SandboxResponse } from './server.ts';
import {
  CustomerTable,
  headerValue,
  isoSeconds,
  isRecord,
  mediaType,
  parseIntParam,
  pick,
  randomString,
  seededDate,
  seededRandom,
  type WireRecord,
} from './support.ts';

export interface JuspayCredentials {
  apiKey: string;
  merchantId: string;
  webhookUsername: string;
  webhookPassword: string;
}

export interface JuspaySandboxOptions {
  credentials: JuspayCredentials;
  seed?: number;
}

const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;
const CLIENT_AUTH_TOKEN_TTL_MS = 15 * 60_000;

/** The documented sample customers (public test script sample, and the seed's 200 example). */
export const JUSPAY_EXAMPLE_CUSTOMERS: readonly WireRecord[] = [
  {
    id: 'cst_vsypdzjd12zypfeu',
    object: 'customer',
    object_reference_id: 'object_reference_id_795',
    mobile_country_code: '91',
    mobile_number: '7030688664',
    email_address: 'aman.lalpuria@juspay.in',
    first_name: 'Aman',
    last_name: 'Lalpuria',
    date_created: '2019-05-15T14:14:20Z',
    last_updated: '2019-05-15T15:56:46Z',
  },
  {
    object_reference_id: 'customer',
    object: 'customer',
    mobile_number: '99999999',
    mobile_country_code: '65',
    last_updated: '2020-03-17T14:29:17Z',
    last_name: 'al',
    id: 'cst_tooedar2k7j1d60b',
    first_name: 'name',
    email_address: 'test@juspay.in',
    date_created: '2020-03-17T14:29:17Z',
  },
];

const GIVEN = ['Aarav', 'Diya', 'Vihaan', 'Ananya', 'Arjun', 'Isha', 'Kabir', 'Meera'] as const;
const FAMILY = ['Sharma', 'Patel', 'Reddy', 'Iyer', 'Gupta', 'Nair', 'Singh', 'Das'] as const;

export const juspayCustomerId = (random?: () => number) => `cst_${randomString(16, 'lower', random)}`;

export function juspaySeedCustomers(count: number): WireRecord[] {
  const random = seededRandom(0x1005a);
  const customers: WireRecord[] = JUSPAY_EXAMPLE_CUSTOMERS.map((customer) => structuredClone(customer));
  for (let index = 0; index < count; index++) {
    const created = seededDate(index, random);
    const given = pick(random, GIVEN);
    const family = pick(random, FAMILY);
    customers.push({
      id: juspayCustomerId(random),
      object: 'customer',
      object_reference_id: `customer-${String(index + 1).padStart(5, '0')}`,
      mobile_country_code: '91',
      mobile_number: `${pick(random, ['7', '8', '9'])}${randomString(9, 'digits', random)}`,
      email_address: index % 6 === 5 ? null : `${given}.${family}${index + 1}@example.in`.toLowerCase(),
      first_name: given,
      last_name: index % 8 === 7 ? null : family,
      date_created: isoSeconds(created),
      last_updated: isoSeconds(new Date(created.getTime() + (index % 3) * 86_400_000)),
    });
  }
  return customers;
}

const unauthorizedBody = (developerMessage: string) => ({
  status: 'error',
  error_code: 'access_denied',
  error_info: {
    user_message: 'Unauthorized.',
    request_id: randomUUID(),
    href: 'NA',
    developer_message: developerMessage,
    code: 'UNAUTHORIZED',
    category: 'USER_ERROR',
  },
});

const notFoundBody = () => ({
  error_message: 'Cannot find what you are looking for',
  status: 'invalid_request_error',
  error_code: 'object_not_found',
  error_info: {
    user_message: 'Cannot process your request as customer account not found.',
    request_id: randomUUID(),
    href: 'NA',
    developer_message: 'Customer account not found.',
    code: 'RESOURCE_NOT_FOUND',
    category: 'USER_ERROR',
  },
});

export const JUSPAY_BAD_ORIGIN_BODY = {
  error: true,
  error_message: 'Internal Server error.',
  user_message: 'Bad Origin.',
  error_info: {
    code: 'BAD_ORIGIN',
    category: 'USER_ERROR',
    user_message: 'Bad Origin.',
    developer_message: 'IP Verification Failed',
  },
} as const;

export const JUSPAY_DUPLICATE_BODY = {
  error_message: 'Customer with given object reference id already exist for your account.',
  status: 'invalid_request_error',
  error_code: 'unique',
  error_info: {
    user_message: 'Already exists.',
    developer_message: 'Customer account with given object reference already exists.',
    code: 'ALREADY_EXISTS',
    category: 'USER_ERROR',
  },
} as const;

export function juspayInvalidInput(field: string): SandboxResponse {
  return {
    status: 400,
    body: {
      error_message: `Wrong value in ${field}`,
      status: 'Invalid Request',
      error_code: 'Invalid Request',
      error_info: {
        user_message: 'Invalid request params. Please verify your input.',
        fields: [{ field_name: field, reason: 'Invalid value.' }],
        developer_message: 'Invalid request params',
        code: 'INVALID_INPUT',
        category: 'USER_ERROR',
      },
    },
  };
}

function errorResponse(status: number): SandboxResponse {
  if (status === 401) {
    return { status, body: unauthorizedBody('Invalid API Key. Please pass a valid and active api key.') };
  }
  if (status === 403) return { status, body: JUSPAY_BAD_ORIGIN_BODY };
  if (status === 404) return { status, body: notFoundBody() };
  if (status === 429) {
    return {
      status,
      body: {
        status: 'error',
        error_code: 'too_many_requests',
        error_message: 'Too many requests.',
        error_info: {
          user_message: 'Too many requests.',
          developer_message: 'Rate limit exceeded. Please retry after some time.',
          code: 'TOO_MANY_REQUESTS',
          category: 'USER_ERROR',
        },
      },
    };
  }
  if (status >= 500) {
    return {
      status,
      body: {
        status: 'error',
        error_code: 'internal_error',
        error_message: 'Internal Server error.',
        error_info: {
          user_message: 'Something went wrong.',
          developer_message: 'Internal Server error.',
          code: 'INTERNAL_SERVER_ERROR',
          category: 'SERVER_ERROR',
        },
      },
    };
  }
  return { status, body: { status: 'error', error_code: 'invalid_request' } };
}

export function createJuspayBackend(options: JuspaySandboxOptions): ProviderBackend {
  const table = new CustomerTable<WireRecord>();
  let apiKey = options.credentials.apiKey;
  let rotations = 0;
  let created = 0;

  const seed = () => {
    table.clear();
    if (options.seed === undefined) return;
    for (const customer of juspaySeedCustomers(options.seed)) table.put(String(customer.id), customer);
  };
  seed();

  /** By Juspay id first, then by the merchant's reference. */
  const find = (idOrReference: string): WireRecord | undefined =>
    table.get(idOrReference) ??
    table.live().find((customer) => customer.object_reference_id === idOrReference);

  const withClientAuthToken = (customer: WireRecord, wanted: boolean): WireRecord =>
    wanted
      ? {
          ...customer,
          juspay: {
            client_auth_token: `tkn_${randomBytes(16).toString('hex')}`,
            client_auth_token_expiry: isoSeconds(new Date(Date.now() + CLIENT_AUTH_TOKEN_TTL_MS)),
          },
        }
      : customer;

  const getCustomer = (request: SandboxRequest): SandboxResponse => {
    const customer = find(request.params.id ?? '');
    if (!customer) return errorResponse(404);
    const wanted = request.query.get('options.get_client_auth_token') === 'true';
    return { status: 200, body: withClientAuthToken(customer, wanted) };
  };

  const createCustomer = (request: SandboxRequest): SandboxResponse => {
    const isForm = mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded';
    const form = new URLSearchParams(isForm ? request.body.toString('utf8') : '');
    const reference = form.get('object_reference_id') ?? '';
    if (reference.length < 8 || reference.length > 128) return juspayInvalidInput('object_reference_id');
    const mobile = form.get('mobile_number') ?? '';
    if (!mobile || mobile.length > 16) return juspayInvalidInput('mobile_number');
    const email = form.get('email_address');
    if (email !== null && email.length > 128) return juspayInvalidInput('email_address');
    for (const field of ['first_name', 'last_name'] as const) {
      if ((form.get(field)?.length ?? 0) > 64) return juspayInvalidInput(field);
    }
    if (table.live().some((customer) => customer.object_reference_id === reference)) {
      return { status: 400, body: JUSPAY_DUPLICATE_BODY };
    }
    const now = isoSeconds(new Date());
    const customer: WireRecord = {
      id: juspayCustomerId(),
      object: 'customer',
      object_reference_id: reference,
      mobile_country_code: form.get('mobile_country_code') ?? '91',
      mobile_number: mobile,
      email_address: email,
      first_name: form.get('first_name'),
      last_name: form.get('last_name'),
      date_created: now,
      last_updated: now,
    };
    table.put(String(customer.id), customer);
    created += 1;
    const wanted = form.get('options.get_client_auth_token') === 'true';
    return { status: 200, body: withClientAuthToken(customer, wanted) };
  };

  const listCustomers = (request: SandboxRequest): SandboxResponse => {
    const rawOffset = request.query.get('offset');
    const rawCount = request.query.get('count');
    const offset = rawOffset === null ? 0 : parseIntParam(rawOffset);
    const count = rawCount === null ? DEFAULT_COUNT : parseIntParam(rawCount);
    if (offset === null) return juspayInvalidInput('offset');
    if (count === null || count < 1 || count > MAX_COUNT) return juspayInvalidInput('count');
    const all = table.live();
    const list = all.slice(offset, offset + count);
    return { status: 200, body: { list, count: list.length, offset, total: all.length } };
  };

  return {
    provider: 'juspay',
    contentType: 'application/json; charset=utf-8',
    routes: [
      {
        method: 'GET',
        pattern: /^\/customers\/(?<id>[^/]+)$/,
        route: 'get',
        auth: true,
        handle: getCustomer,
      },
      { method: 'POST', pattern: /^\/customers$/, route: 'create', auth: true, handle: createCustomer },
      { method: 'GET', pattern: /^\/customers$/, route: 'list', auth: true, handle: listCustomers },
    ],
    authenticate(request) {
      const header = headerValue(request.headers.authorization) ?? '';
      const match = /^Basic\s+(?<credentials>\S+)$/i.exec(header);
      const decoded = Buffer.from(match?.groups?.credentials ?? '', 'base64').toString('utf8');
      const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : null;
      if (user !== apiKey) return errorResponse(401);
      if (headerValue(request.headers['x-merchantid']) !== options.credentials.merchantId) {
        return {
          status: 401,
          body: unauthorizedBody(
            'Invalid or missing x-merchantid. Please pass the merchant id of this api key.',
          ),
        };
      }
      return null;
    },
    errorResponse,
    violateSchema(route: RouteName, body: unknown) {
      if (route === 'list') return { list: 'none', count: '1', offset: null, total: -1 };
      return isRecord(body) ? { ...body, id: 12345, date_created: false } : { id: 12345 };
    },
    insertCustomer(wire) {
      const now = isoSeconds(new Date());
      const id = juspayCustomerId();
      const customer: WireRecord = {
        id,
        object: 'customer',
        object_reference_id: `sandbox-${id}`,
        mobile_country_code: '91',
        mobile_number: '9000000000',
        email_address: null,
        first_name: null,
        last_name: null,
        date_created: now,
        last_updated: now,
        ...wire,
      };
      table.put(String(customer.id), customer);
      return customer;
    },
    patchCustomer(id, fields) {
      const customer = find(id);
      if (!customer) return null;
      const customerId = String(customer.id);
      const next: WireRecord = {
        ...customer,
        ...fields,
        id: customerId,
        last_updated: isoSeconds(new Date()),
      };
      if (typeof fields.last_updated === 'string') next.last_updated = fields.last_updated;
      table.put(customerId, next);
      return next;
    },
    deleteCustomer(id) {
      const customer = find(id);
      return customer ? table.delete(String(customer.id)) : false;
    },
    getCustomer: (id) => find(id) ?? null,
    listCustomers: () => table.live(),
    rotateCredentials() {
      rotations += 1;
      apiKey = `${options.credentials.apiKey}R${rotations}`;
      return { ...options.credentials, apiKey };
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
