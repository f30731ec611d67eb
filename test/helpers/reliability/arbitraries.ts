/**
 * fast-check arbitraries of bad HTTP requests for every API route. Each generated request is wrong in
 * at least one way the API must refuse (so the expected answer is always a 4xx problem): an unknown or
 * invalid query parameter, a malformed or unknown id, a body that is not JSON, not the right shape,
 * too large or too deep, a wrong content type, a missing/bad Idempotency-Key, unauthenticated webhooks,
 * wrong methods and unknown paths, or no/wrong API key. Around that one defect everything else is
 * random: extra headers, odd Unicode, percent-encoding.
 */
import fc from 'fast-check';
import { PROVIDERS } from '../../../lib/customer/snapshot.ts';

export interface FuzzRequest {
  /** What the defect is, for the failure message. */
  label: string;
  method: string;
  /** Raw request target, already percent-encoded where needed. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface FuzzContext {
  apiKey: string;
  /** A customer that exists, so bad bodies also reach the routes' deeper validation. */
  knownCustomerId: string;
}

/** Strings that have broken parsers, loggers and key builders elsewhere. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e\u0041\u0042',
  '\ufeff',
  '🙂🙃',
  'Ω≈ç√∫',
  'ÅÍÎÏ˝ÓÔ',
  '田中さん',
  '../../etc/passwd',
  '%00',
  '%ZZ',
  '%',
  '#',
  'CUSTOMER#x',
  'REF#x',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, meant literally
  '${jndi:ldap://x/a}',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '{"$ne":null}',
  'a'.repeat(300),
  '9'.repeat(40),
] as const;

export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ maxLength: 30 }),
);

/** Anything JSON can hold, odd strings included. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    oddString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const encode = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be encoded: send its code unit as a (meaningless) escape instead.
    return [...value].map((char) => `%${(char.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}`).join('');
  }
};

/** Headers the noise must not set: transport framing, and what decides a request's defect. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'expect',
  'upgrade',
  'x-api-key',
  'idempotency-key',
  'content-type',
  'authorization',
  'x-signature',
  'x-encoded-data',
  'x-mollie-signature',
  'x-webhook-token',
]);

/** Header names are HTTP tokens; values printable ASCII (what node:http, like most clients, will send). */
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/).filter((name) => !RESERVED_HEADERS.has(name));
const headerValue = fc
  .string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 60,
  })
  .map((value) => value.trim());
const noiseHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 4 });

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch+json',
  '',
  '*/*',
  'application/jsonx',
);

const ulidLike = fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/);
/** Ids that never name an existing customer: malformed ones and well-formed strangers. */
const strangerId = fc.oneof(
  oddString.filter((id) => id !== ''),
  ulidLike,
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
);

const KNOWN_LIST_PARAMS = ['reference', 'email', 'provider', 'providerCustomerId', 'limit', 'cursor'];

/** One query part the API must refuse. */
const badQueryPart = fc.oneof(
  fc
    .tuple(oddString, oddString)
    .filter(
      ([name]) =>
        name !== '' && !KNOWN_LIST_PARAMS.includes(name) && !['provider', 'limit', 'cursor'].includes(name),
    )
    .map(([name, value]) => `${encode(name)}=${encode(value)}`),
  fc
    .constantFrom('0', '101', '-1', 'abc', '1e2', '1.5', ' 1', '99999999999999999999', '')
    .map((value) => `limit=${encode(value)}`),
  fc
    .oneof(
      oddString.filter((value) => !/^[A-Za-z0-9_-]+$/.test(value)),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
      fc.constant('A'.repeat(2049)),
    )
    .map((value) => `cursor=${encode(value)}`),
  oddString
    .filter((value) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
    .map((value) => `email=${encode(value)}`),
  oddString
    .filter((value) => !(PROVIDERS as readonly string[]).includes(value))
    .map((value) => `provider=${encode(value)}`),
  fc.constant('limit=5&limit=6'),
  fc.constant(`reference=${'r'.repeat(129)}`),
);

/** Extra, individually harmless parts mixed around the defect (valid values of known parameters). */
const harmlessQueryPart = fc.constantFrom('limit=5', 'limit=100');

function queryOf(parts: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return parts.map((list) => (list.length === 0 ? '' : `?${list.join('&')}`));
}

const badQuery = queryOf(
  fc
    .tuple(badQueryPart, fc.array(harmlessQueryPart, { maxLength: 1 }))
    .map(([bad, extra]) => [...extra, bad]),
);

const hugeBody = (bytes: number) => `{"pad":"${'x'.repeat(bytes)}"}`;
let tenMegabytes: string | null = null;

const badJsonBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '{"customer":',
    'null',
    '[]',
    '"text"',
    '42',
    'true',
    '{"a":1,}',
    "{'a':1}",
    'NaN',
    '\u0000',
  ),
  oddString.filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1_000, max: 100_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constantFrom(70_000, 500_000).map(hugeBody),
  fc.constant(null).map(() => {
    tenMegabytes ??= hugeBody(10 * 1024 * 1024 + 1);
    return tenMegabytes;
  }),
);

/** A merchant customer that every provider would accept; the create defects below break it. */
const goodCustomer = {
  reference: 'fuzz-reference-0001',
  givenName: 'Ana',
  familyName: 'Gómez',
  email: 'fuzz@example.com',
  phone: '+573013111111',
  document: { type: 'cc', number: '1037551022' },
  locale: 'en_US',
};

/** One field of the customer made invalid (type, format, size, unknown key, deep value). */
const badCustomer: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    { ...goodCustomer, email: 'not-an-email' },
    { ...goodCustomer, phone: '3013111111' },
    { ...goodCustomer, reference: '' },
    { ...goodCustomer, reference: 'r'.repeat(129) },
    { ...goodCustomer, locale: 'english' },
    { ...goodCustomer, document: { type: 'passport-ish', number: '1' } },
    { ...goodCustomer, document: { type: 'cc', number: '1037551022', extra: true } },
    { ...goodCustomer, kind: 'robot' },
    { ...goodCustomer, givenName: 'x'.repeat(65) },
    { ...goodCustomer, metadata: { nested: { deeper: true } } },
    { ...goodCustomer, metadata: [1, 2] },
    { ...goodCustomer, unexpected: 'field' },
    { ...goodCustomer, email: 7 },
  ),
  fc
    .tuple(
      oddString.filter(
        (key) => !(key in goodCustomer) && key !== 'kind' && key !== 'companyName' && key !== 'metadata',
      ),
      jsonValue,
    )
    .map(([key, value]) => ({ ...goodCustomer, [key]: value })),
  fc
    .tuple(
      fc.constantFrom('reference', 'email', 'phone', 'locale', 'givenName'),
      fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer())),
    )
    .map(([key, value]) => ({ ...goodCustomer, [key]: value })),
  jsonValue.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
);

const badProviders: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom([], ['stripe'], ['mollie', 'mollie'], 'mollie', null, [1], [{}]),
  fc.array(
    oddString.filter((name) => !(PROVIDERS as readonly string[]).includes(name)),
    { minLength: 1, maxLength: 3 },
  ),
);

const idempotencyKey = fc.stringMatching(/^[A-Za-z0-9-]{8,40}$/);

/** POST /customers, always refused: one defect among key, body, customer and providers. */
function createRequests(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const json = { 'content-type': 'application/json' };
  const valid = { customer: goodCustomer, providers: ['mollie'] };
  const request = (label: string, headers: Record<string, string>, body: string | null): FuzzRequest => ({
    label,
    method: 'POST',
    path: '/customers',
    headers: { 'x-api-key': ctx.apiKey, ...headers },
    body,
  });
  return fc.oneof(
    badJsonBody.map((body) =>
      request('create: body not a JSON object', { ...json, 'idempotency-key': 'fuzz-key-1' }, body),
    ),
    badCustomer.map((customer) =>
      request(
        'create: invalid customer',
        { ...json, 'idempotency-key': 'fuzz-key-2' },
        JSON.stringify({ customer, providers: ['mollie'] }),
      ),
    ),
    badProviders.map((providers) =>
      request(
        'create: invalid providers',
        { ...json, 'idempotency-key': 'fuzz-key-3' },
        JSON.stringify({ customer: goodCustomer, providers }),
      ),
    ),
    fc
      .tuple(
        oddString.filter((key) => key !== 'customer' && key !== 'providers'),
        jsonValue,
      )
      .map(([key, value]) =>
        request(
          'create: unknown top-level field',
          { ...json, 'idempotency-key': 'fuzz-key-4' },
          JSON.stringify({ ...valid, [key]: value }),
        ),
      ),
    fc
      .constantFrom(
        {},
        { 'idempotency-key': '' },
        { 'idempotency-key': 'has space' },
        { 'idempotency-key': 'k'.repeat(256) },
        { 'idempotency-key': 'tab\there' },
      )
      .map((headers) =>
        request('create: missing or bad Idempotency-Key', { ...json, ...headers }, JSON.stringify(valid)),
      ),
    fc
      .tuple(
        contentTypes.filter((type) => !type.startsWith('application/json')),
        idempotencyKey,
      )
      .map(([type, key]) =>
        request(
          'create: not sent as JSON',
          { ...(type === '' ? {} : { 'content-type': type }), 'idempotency-key': `ct-${key}` },
          JSON.stringify(valid),
        ),
      ),
    fc.constantFrom(70_000, 450_000, 2_000_000).map((size) =>
      request(
        'create: customer too large to store',
        { ...json, 'idempotency-key': `huge-${size}` },
        JSON.stringify({
          customer: {
            ...goodCustomer,
            reference: `fuzz-huge-${size}`,
            metadata: { pad: 'x'.repeat(size) },
          },
          providers: ['mollie'],
        }),
      ),
    ),
  );
}

function readRequests(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const key = { 'x-api-key': ctx.apiKey };
  const known = encode(ctx.knownCustomerId);
  return fc.oneof(
    badQuery.map((query) => ({
      label: 'list: bad query',
      method: 'GET',
      path: `/customers${query}`,
      headers: key,
      body: null,
    })),
    fc.tuple(strangerId, fc.option(badQuery, { nil: '' })).map(([id, query]) => ({
      label: 'get: unknown or malformed id',
      method: 'GET',
      path: `/customers/${encode(id)}${query}`,
      headers: key,
      body: null,
    })),
    badQuery.map((query) => ({
      label: 'get: bad query',
      method: 'GET',
      path: `/customers/${known}${query}`,
      headers: key,
      body: null,
    })),
    fc
      .tuple(strangerId, fc.constantFrom('', '?provider=mollie', '?provider=stripe', '?limit=2'))
      .map(([id, query]) => ({
        label: 'history: unknown id',
        method: 'GET',
        path: `/customers/${encode(id)}/history${query}`,
        headers: key,
        body: null,
      })),
    fc
      .oneof(fc.constant(''), badQuery, fc.constant('?provider=mollie&x=1'), fc.constant('?provider=stripe'))
      .map((query) => ({
        label: 'history: bad query',
        method: 'GET',
        path: `/customers/${known}/history${query}`,
        headers: key,
        body: null,
      })),
    fc
      .tuple(
        strangerId,
        fc.oneof(
          badJsonBody,
          jsonValue.map((value) => JSON.stringify(value) ?? 'null'),
        ),
        contentTypes,
      )
      .map(([id, body, type]) => ({
        label: 'links: unknown id',
        method: 'POST',
        path: `/customers/${encode(id)}/links`,
        headers: { ...key, ...(type === '' ? {} : { 'content-type': type }) },
        body,
      })),
    fc
      .tuple(
        fc.oneof(
          badJsonBody,
          jsonValue
            .filter((value) => typeof value !== 'object' || value === null || !('provider' in value))
            .map((value) => JSON.stringify(value) ?? 'null'),
          fc.constantFrom(
            '{"provider":"stripe","providerCustomerId":"x"}',
            '{"provider":"mollie","providerCustomerId":"has#hash"}',
            '{"provider":"mollie","providerCustomerId":""}',
            '{"provider":"mollie"}',
            '{"provider":"mollie","providerCustomerId":"cst_x","extra":1}',
          ),
        ),
        contentTypes,
      )
      .map(([body, type]) => ({
        label: 'links: bad body',
        method: 'POST',
        path: `/customers/${known}/links`,
        headers: { ...key, ...(type === '' ? {} : { 'content-type': type }) },
        body,
      })),
    badQuery.map((query) => ({
      label: 'openapi: any query',
      method: 'GET',
      path: `/openapi.json${query}`,
      headers: key,
      body: null,
    })),
  );
}

/** Webhooks that never authenticate (the fuzz holds no secret). */
function webhookRequests(): fc.Arbitrary<FuzzRequest> {
  const provider = fc.oneof(
    fc.constantFrom(...PROVIDERS),
    oddString.filter((name) => name !== ''),
  );
  const forged = fc.record(
    {
      'x-signature': fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), headerValue),
      'x-encoded-data': fc.oneof(fc.base64String({ maxLength: 80 }), headerValue),
      'x-mollie-signature': fc.oneof(fc.stringMatching(/^sha256=[0-9a-f]{64}$/), headerValue),
      'x-webhook-token': headerValue,
      authorization: fc.oneof(
        fc.base64String({ maxLength: 40 }).map((value) => `Basic ${value}`),
        headerValue,
      ),
      'content-type': contentTypes,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    badJsonBody,
    jsonValue.map((value) => JSON.stringify(value) ?? 'null'),
    oddString,
  );
  return fc
    .tuple(
      provider,
      forged,
      body,
      fc.option(fc.constantFrom('?token=guess', '?token=', `?token=${'t'.repeat(64)}`), { nil: '' }),
    )
    .filter(([, , text]) => !/^id=[A-Za-z0-9_]{1,64}$/.test(text.trim()))
    .map(([name, headers, text, query]) => ({
      label: 'webhook: unauthenticated',
      method: 'POST',
      path: `/webhooks/${encode(name)}${query}`,
      headers: Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== '')),
      body: text,
    }));
}

function routingRequests(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const key = { 'x-api-key': ctx.apiKey };
  const known = encode(ctx.knownCustomerId);
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'),
        fc.constantFrom(
          '/customers',
          `/customers/${known}`,
          `/customers/${known}/history`,
          `/customers/${known}/links`,
          '/openapi.json',
        ),
      )
      .map(([method, path]) => ({ label: 'wrong method', method, path, headers: key, body: null })),
    fc.constantFrom('GET', 'PUT', 'DELETE').map((method) => ({
      label: 'wrong method on a webhook',
      method,
      path: '/webhooks/mollie',
      headers: {},
      body: null,
    })),
    fc.array(oddString, { minLength: 1, maxLength: 4 }).map((segments) => ({
      label: 'unknown path',
      method: 'GET',
      path: `/${segments.map(encode).join('/')}x`,
      headers: key,
      body: null,
    })),
    fc
      .tuple(
        fc.constantFrom(
          '/customers',
          `/customers/${known}`,
          '/openapi.json',
          `/customers/${known}/history?provider=mollie`,
        ),
        fc.oneof(
          fc.constant(null),
          fc.constant(''),
          headerValue.filter((value) => value !== ctx.apiKey),
        ),
      )
      .map(([path, apiKey]) => ({
        label: 'missing or wrong API key',
        method: 'GET',
        path,
        headers: apiKey === null ? {} : { 'x-api-key': apiKey },
        body: null,
      })),
  );
}

/** Any bad request to any route, with random extra headers. */
export function badRequest(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: createRequests(ctx) },
        { weight: 4, arbitrary: readRequests(ctx) },
        { weight: 2, arbitrary: webhookRequests() },
        { weight: 1, arbitrary: routingRequests(ctx) },
      ),
      noiseHeaders,
    )
    .map(([request, noise]) => ({ ...request, headers: { ...noise, ...request.headers } }));
}
