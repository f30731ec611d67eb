import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ulid } from 'ulid';
import { createReadApiHandler } from '../../../functions/read-api/handler.ts';
import { openApiDocument } from '../../../lib/api/openapi.ts';
import { createReadApi, type ReadApi } from '../../../lib/api/read-api.ts';
import { API_ROUTES } from '../../../lib/api/routes.ts';
import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../../../lib/customer/snapshot.ts';
import { createLogger } from '../../../lib/observability/index.ts';
import { CustomerStore } from '../../../lib/store/customer-store.ts';
import type { CustomerStoreApi } from '../../../lib/store/types.ts';
import { localContext } from '../../../lib/sync/lambda.ts';
import { InMemorySyncQueue } from '../../../lib/sync/queue.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';

const NOW = '2025-03-01T12:00:00.000Z';

function event(
  method: string,
  path: string,
  options: {
    query?: Record<string, string | string[]>;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  const query = options.query;
  return {
    httpMethod: method,
    path,
    resource: path,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: query
      ? Object.fromEntries(
          Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? (v.at(-1) ?? '') : v]),
        )
      : null,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))
      : null,
    pathParameters: null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: false,
    // The read API reads nothing from the request context.
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

const jsonPost = (path: string, body: unknown) =>
  event('POST', path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });

function parse(result: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}

function snapshot(
  provider: ProviderName,
  providerCustomerId: string,
  overrides: Partial<CustomerSnapshot> = {},
): CustomerSnapshot {
  return {
    provider,
    providerCustomerId,
    reference: null,
    kind: 'individual',
    displayName: 'Ana Gómez',
    givenName: 'Ana',
    familyName: 'Gómez',
    companyName: null,
    email: 'ana@example.com',
    phone: { e164: '+573013111111', raw: '3013111111' },
    document: null,
    locale: 'es_CO',
    status: { normalized: 'active', raw: 'ACTIVE' },
    balances: [{ name: 'balance', currency: 'COP', amount: '2835.800000002' }],
    metadata: null,
    providerCreatedAt: '2025-01-01T00:00:00.000Z',
    providerUpdatedAt: '2025-02-01T00:00:00.000Z',
    fetchedAt: NOW,
    ...overrides,
  };
}

/** Keys that are internal to the store and must never leave the API. */
const INTERNAL_KEY =
  /^(pk|sk|gsi\d+(pk|sk)|.*hash|orderkey|.*idempotency.*|expiresat|createlease.*|payload|rawpayload|item)$/i;

function internalKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => internalKeys(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(INTERNAL_KEY.test(key) ? [`${path}.${key}`] : []),
    ...internalKeys(item, `${path}.${key}`),
  ]);
}

describe('read-api on DynamoDB Local', () => {
  let table: TestTable;
  let store: CustomerStore;
  let queue: InMemorySyncQueue;
  let api: ReadApi;
  const errors: Array<Record<string, unknown>> = [];
  const responses: Array<{ operationId: string; status: number; body: unknown }> = [];

  const call = async (operationId: string, request: APIGatewayProxyEvent) => {
    const result = await api(request);
    const body = parse(result);
    responses.push({ operationId, status: result.statusCode, body });
    expect(internalKeys(body)).toEqual([]);
    return { status: result.statusCode, headers: result.headers ?? {}, body };
  };

  async function itemCount(): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.doc.send(
        new ScanCommand({ TableName: table.tableName, Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async function createCustomer(input: Partial<CustomerInput> = {}, providers: ProviderName[] = []) {
    const customerId = ulid();
    const record = await store.createCustomer({
      customerId,
      input: { reference: `ref-${customerId}`, kind: 'individual', ...input },
      providers,
      now: NOW,
    });
    return record.profile.customerId;
  }

  let ana: string;

  beforeAll(async () => {
    table = await createTestTable('read-api');
    store = new CustomerStore({ doc: table.doc, tableName: table.tableName, historyRetentionDays: 30 });
    queue = new InMemorySyncQueue();
    api = createReadApi({
      store,
      queue,
      now: () => new Date(NOW),
      logger: { error: (_m, attributes) => errors.push(attributes), warn: () => undefined },
    });
    ana = await createCustomer(
      { reference: 'ana-1', givenName: 'Ana', familyName: 'Gómez', email: 'Ana@Example.com' },
      ['mollie', 'palomma'],
    );
    await store.linkProvider({
      customerId: ana,
      provider: 'mollie',
      providerCustomerId: 'cst_ana',
      now: NOW,
    });
    for (const [i, day] of ['02', '03', '04'].entries()) {
      const outcome = await store.writeSnapshot({
        customerId: ana,
        snapshot: snapshot('mollie', 'cst_ana', {
          providerUpdatedAt: null,
          fetchedAt: `2025-03-${day}T00:00:00.000Z`,
          email: `ana${i}@example.com`,
        }),
        now: NOW,
        nextDueAt: '2025-03-05T00:00:00.000Z',
      });
      expect(outcome.result).toBe('changed');
    }
  });
  afterAll(async () => table.drop());

  describe('GET /customers/{id}', () => {
    it('returns the profile, every provider link with its snapshot and sync state, and nothing internal', async () => {
      const { status, body, headers } = await call('getCustomer', event('GET', `/customers/${ana}`));
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('application/json');
      expect(body).toMatchObject({ id: ana, reference: 'ana-1', profile: { givenName: 'Ana' } });
      const providers = body.providers as Array<Record<string, unknown>>;
      expect(providers.map((link) => [link.provider, link.status])).toEqual([
        ['palomma', 'pending'],
        ['mollie', 'active'],
      ]);
      const mollie = providers[1];
      expect(mollie).toMatchObject({
        providerCustomerId: 'cst_ana',
        version: 3,
        snapshot: { email: 'ana2@example.com', balances: [{ amount: '2835.800000002' }] },
        sync: { consecutiveFailures: 0, lastError: null, nextDueAt: '2025-03-05T00:00:00.000Z' },
      });
    });

    it('answers 404 for an unknown id and 400 naming the path for a malformed one', async () => {
      const missing = await call('getCustomer', event('GET', `/customers/${ulid()}`));
      expect(missing.status).toBe(404);
      const bad = await call('getCustomer', event('GET', '/customers/not-a-ulid'));
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'path.id', message: 'must be a customer id (ULID)' }]);
    });

    it('accepts a lower-case id', async () => {
      expect((await call('getCustomer', event('GET', `/customers/${ana.toLowerCase()}`))).status).toBe(200);
    });
  });

  describe('GET /customers', () => {
    let listed: string[];
    beforeAll(async () => {
      listed = [];
      for (let i = 0; i < 4; i++) listed.push(await createCustomer({ email: `page${i}@example.com` }));
    });

    it('pages through every customer with limit and cursor, each exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
        const { status, body } = await call('listCustomers', event('GET', '/customers', { query }));
        expect(status).toBe(200);
        const items = body.items as Array<{ id: string }>;
        expect(items.length).toBeLessThanOrEqual(2);
        seen.push(...items.map((item) => item.id));
        cursor = body.cursor as string | null;
        pages++;
      } while (cursor && pages < 20);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual([ana, ...listed].sort());
      expect(pages).toBeGreaterThanOrEqual(3);
    });

    it('defaults to 20 per page', async () => {
      const { body } = await call('listCustomers', event('GET', '/customers'));
      expect((body.items as unknown[]).length).toBe(5);
      expect(body.cursor).toBeNull();
    });

    it('looks up by reference, by email (case-insensitive) and by provider customer id', async () => {
      const byRef = await call(
        'listCustomers',
        event('GET', '/customers', { query: { reference: 'ana-1' } }),
      );
      expect((byRef.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([ana]);
      const byEmail = await call(
        'listCustomers',
        event('GET', '/customers', { query: { email: 'ANA@example.COM' } }),
      );
      expect((byEmail.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([ana]);
      const byProvider = await call(
        'listCustomers',
        event('GET', '/customers', { query: { provider: 'mollie', providerCustomerId: 'cst_ana' } }),
      );
      expect((byProvider.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([ana]);
      const none = await call(
        'listCustomers',
        event('GET', '/customers', { query: { reference: 'nobody' } }),
      );
      expect(none.body).toEqual({ items: [], cursor: null });
    });

    it.each([
      [{ reference: 'a', email: 'a@example.com' }, ['query.email', 'query.reference']],
      [{ provider: 'mollie' }, ['query.providerCustomerId']],
      [{ providerCustomerId: 'cst_1' }, ['query.provider']],
      [{ reference: 'a', limit: '2' }, ['query.limit']],
      [{ provider: 'stripe', providerCustomerId: 'x' }, ['query.provider']],
      [{ email: 'not-an-email' }, ['query.email']],
      [{ limit: '0' }, ['query.limit']],
      [{ limit: '1000' }, ['query.limit']],
      [{ cursor: 'garbage' }, ['query.cursor']],
      [{ cursor: 'eyJzIjoiY3VzdG9tZXJzIiwiYyI6InRhbXBlcmVkIn0' }, ['query.cursor']],
      [{ refrence: 'typo' }, ['query.refrence']],
    ])('answers 400 naming the fields for %p', async (query, fields) => {
      const { status, body, headers } = await call('listCustomers', event('GET', '/customers', { query }));
      expect(status).toBe(400);
      expect(headers['content-type']).toBe('application/problem+json');
      const named = (body.errors as Array<{ field: string }>).map((error) => error.field);
      for (const field of fields) expect(named).toContain(field);
    });
  });

  describe('GET /customers/{id}/history', () => {
    it('pages newest first through one provider', async () => {
      const first = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ana}/history`, { query: { provider: 'mollie', limit: '2' } }),
      );
      expect(first.status).toBe(200);
      const items = first.body.items as Array<{ version: number; snapshot: { email: string } }>;
      expect(items.map((item) => item.version)).toEqual([3, 2]);
      expect(items[0]?.snapshot.email).toBe('ana2@example.com');
      const second = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ana}/history`, {
          query: { provider: 'mollie', limit: '2', cursor: String(first.body.cursor) },
        }),
      );
      expect((second.body.items as Array<{ version: number }>).map((item) => item.version)).toEqual([1]);
      expect(second.body.cursor).toBeNull();
    });

    it('returns an empty page for a provider without history', async () => {
      const { body } = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ana}/history`, { query: { provider: 'juspay' } }),
      );
      expect(body).toEqual({ items: [], cursor: null });
    });

    it('refuses a cursor from another listing, a missing provider, and unknown customers', async () => {
      const first = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ana}/history`, { query: { provider: 'mollie', limit: '1' } }),
      );
      const other = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ana}/history`, {
          query: { provider: 'palomma', cursor: String(first.body.cursor) },
        }),
      );
      expect(other.status).toBe(400);
      expect(other.body.errors).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
      const noProvider = await call('getCustomerHistory', event('GET', `/customers/${ana}/history`));
      expect(noProvider.status).toBe(400);
      expect(noProvider.body.errors).toEqual([expect.objectContaining({ field: 'query.provider' })]);
      const unknown = await call(
        'getCustomerHistory',
        event('GET', `/customers/${ulid()}/history`, { query: { provider: 'mollie' } }),
      );
      expect(unknown.status).toBe(404);
    });
  });

  describe('POST /customers/{id}/links', () => {
    it('links a provider customer, queues a manual sync, and is idempotent', async () => {
      const id = await createCustomer();
      queue.drain();
      const created = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${id}/links`, {
          provider: 'juspay',
          providerCustomerId: 'cst_juspay_1',
        }),
      );
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/customers/${id}`);
      expect(created.body).toMatchObject({
        customerId: id,
        syncQueued: true,
        link: { provider: 'juspay', providerCustomerId: 'cst_juspay_1', status: 'active', snapshot: null },
      });
      expect(queue.drain()).toEqual([{ customerId: id, provider: 'juspay', reason: 'manual' }]);

      const again = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${id}/links`, {
          provider: 'juspay',
          providerCustomerId: 'cst_juspay_1',
        }),
      );
      expect(again.status).toBe(200);
      expect(queue.drain()).toEqual([]);
      const record = await store.getCustomer(id);
      expect(record?.links.map((link) => link.providerCustomerId)).toEqual(['cst_juspay_1']);
    });

    it('completes a pending link', async () => {
      const id = await createCustomer({}, ['delos']);
      const { status } = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${id}/links`, {
          provider: 'delos',
          providerCustomerId: 'delos-77',
        }),
      );
      expect(status).toBe(201);
      const record = await store.getCustomer(id);
      expect(record?.links).toEqual([
        expect.objectContaining({ provider: 'delos', providerCustomerId: 'delos-77', status: 'active' }),
      ]);
    });

    it('answers 409 when the customer or the provider customer is linked elsewhere, writing nothing', async () => {
      const other = await createCustomer();
      const before = await itemCount();
      const taken = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${other}/links`, {
          provider: 'mollie',
          providerCustomerId: 'cst_ana',
        }),
      );
      expect(taken.status).toBe(409);
      expect(taken.body.errors).toEqual([expect.objectContaining({ field: 'body.providerCustomerId' })]);
      const relink = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${ana}/links`, {
          provider: 'mollie',
          providerCustomerId: 'cst_other',
        }),
      );
      expect(relink.status).toBe(409);
      expect(await itemCount()).toBe(before);
    });

    it('answers 404 for an unknown customer without writing', async () => {
      const before = await itemCount();
      const { status } = await call(
        'linkProviderCustomer',
        jsonPost(`/customers/${ulid()}/links`, {
          provider: 'mollie',
          providerCustomerId: 'cst_nobody',
        }),
      );
      expect(status).toBe(404);
      expect(await itemCount()).toBe(before);
    });

    const big = JSON.stringify({ provider: 'mollie', providerCustomerId: 'cst_1', pad: 'x'.repeat(70_000) });
    it.each([
      ['malformed JSON', 400, 'body', () => jsonPost(`/customers/${ana}/links`, '{"provider":')],
      ['no body', 400, 'body', () => jsonPost(`/customers/${ana}/links`, '')],
      [
        'an unknown field',
        400,
        'body',
        () => jsonPost(`/customers/${ana}/links`, { provider: 'mollie', providerCustomerId: 'c', x: 1 }),
      ],
      [
        'an unknown provider',
        400,
        'body.provider',
        () => jsonPost(`/customers/${ana}/links`, { provider: 'stripe', providerCustomerId: 'c' }),
      ],
      [
        'a key-breaking id',
        400,
        'body.providerCustomerId',
        () => jsonPost(`/customers/${ana}/links`, { provider: 'mollie', providerCustomerId: 'a#b' }),
      ],
      ['a JSON array', 400, 'body', () => jsonPost(`/customers/${ana}/links`, '[]')],
      [
        'a bad path id',
        400,
        'path.id',
        () => jsonPost('/customers/x/links', { provider: 'mollie', providerCustomerId: 'c' }),
      ],
      [
        'a query parameter',
        400,
        'query.dry',
        () => ({
          ...jsonPost(`/customers/${ana}/links`, { provider: 'mollie', providerCustomerId: 'c' }),
          queryStringParameters: { dry: '1' },
          multiValueQueryStringParameters: { dry: ['1'] },
        }),
      ],
      [
        'a form body',
        415,
        'header.content-type',
        () =>
          event('POST', `/customers/${ana}/links`, {
            body: 'provider=mollie',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
      ],
      [
        'no content type',
        415,
        'header.content-type',
        () => event('POST', `/customers/${ana}/links`, { body: '{}' }),
      ],
      ['a body over 64 KB', 413, 'body', () => jsonPost(`/customers/${ana}/links`, big)],
    ] as const)(
      'answers %s with a %i problem naming %s and writes nothing',
      async (_name, status, field, build) => {
        const before = await itemCount();
        queue.drain();
        const result = await call('linkProviderCustomer', build());
        expect(result.status).toBe(status);
        expect(result.headers['content-type']).toBe('application/problem+json');
        expect((result.body.errors as Array<{ field: string }>).map((error) => error.field)).toContain(field);
        expect(await itemCount()).toBe(before);
        expect(queue.drain()).toEqual([]);
      },
    );
  });

  describe('routing and errors', () => {
    it('answers unknown routes with 404 and wrong methods with 405 and Allow, as problems', async () => {
      const missing = await call('none', event('GET', '/nothing-here'));
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toBe('application/problem+json');
      const wrong = await call('none', event('DELETE', `/customers/${ana}`));
      expect(wrong.status).toBe(405);
      expect(wrong.headers.allow).toBe('GET');
      const list = await call('none', event('PUT', '/customers'));
      expect(list.headers.allow).toBe('GET, POST');
    });

    it.each([
      ['/customers/{id}', () => `/customers/${ana}`],
      ['/customers/{id}/history', () => `/customers/${ana}/history`],
      ['/openapi.json', () => '/openapi.json'],
      ['/customers', () => '/customers'],
    ])('rejects unknown query parameters on GET %s', async (_route, path) => {
      const { status, body } = await call(
        'none',
        event('GET', path(), { query: { provider: 'mollie', bogus: '1' } }),
      );
      expect(status).toBe(400);
      expect((body.errors as Array<{ field: string }>).map((error) => error.field)).toContain('query.bogus');
    });

    it('turns an unexpected error into an opaque 500 that discloses nothing, and logs it', async () => {
      const failing: CustomerStoreApi = new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'getCustomer') {
            return () => Promise.reject(new Error('boom for ana@example.com'));
          }
          return Reflect.get(target, property, receiver);
        },
      });
      const broken = createReadApi({
        store: failing,
        logger: { error: (_m, attributes) => errors.push(attributes), warn: () => undefined },
      });
      const result = await broken(event('GET', `/customers/${ana}`));
      expect(result.statusCode).toBe(500);
      expect(result.body).not.toContain('boom');
      expect(JSON.parse(result.body)).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
      });
      expect(errors.at(-1)).toMatchObject({ operation: 'getCustomer' });
    });
  });

  describe('the Lambda handler', () => {
    it('serves the same API through the middy/Powertools wiring', async () => {
      const handler = createReadApiHandler({
        store,
        logger: createLogger('read-api-test', { level: 'SILENT' }),
      });
      const result = await handler(event('GET', `/customers/${ana}`), localContext('read-api'));
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ id: ana });
      const missing = await handler(event('GET', '/customers/nope/x/y'), localContext('read-api'));
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('GET /openapi.json', () => {
    it('documents every route with valid JSON Schemas and the x-api-key scheme', async () => {
      const { status, body } = await call('getOpenApiDocument', event('GET', '/openapi.json'));
      expect(status).toBe(200);
      expect(body.openapi).toBe('3.1.0');
      const paths = body.paths as Record<
        string,
        Record<string, { operationId: string; security?: unknown[] }>
      >;
      for (const route of API_ROUTES) {
        expect(paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.operationId);
      }
      expect(paths['/webhooks/{provider}']?.post?.security).toEqual([]);
      expect(body.components).toMatchObject({
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      });
      const schemas = (body.components as { schemas: Record<string, unknown> }).schemas;
      expect(Object.keys(schemas)).toEqual(
        expect.arrayContaining([
          'Customer',
          'CustomerPage',
          'HistoryPage',
          'LinkResult',
          'Problem',
          'CreateCustomerRequest',
        ]),
      );
      expect(JSON.stringify(schemas.CreateCustomerRequest)).toContain('#/components/schemas/CustomerInput');
      // Every $ref points at a component that exists.
      const refs = [...JSON.stringify(body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
        (m) => m[1],
      );
      for (const ref of refs) expect(Object.keys(schemas)).toContain(ref);
    });

    it('describes every response this suite received (validated with ajv against the document)', () => {
      const document = openApiDocument() as {
        paths: Record<
          string,
          Record<
            string,
            {
              operationId: string;
              responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
            }
          >
        >;
        components: { schemas: Record<string, object> };
      };
      const ajv = new Ajv2020.default({ strict: false, allErrors: true });
      addFormats.default(ajv);
      ajv.addSchema({ $id: 'openapi.json', components: document.components } as object);
      const operations = new Map(
        Object.values(document.paths).flatMap((item) =>
          Object.values(item).map((op) => [op.operationId, op] as const),
        ),
      );
      let checked = 0;
      for (const response of responses) {
        const operation = operations.get(response.operationId);
        if (!operation) continue;
        const declared = operation.responses[String(response.status)];
        expect(declared).toBeDefined();
        const content = declared?.content ?? {};
        const schema = (content['application/json'] ?? content['application/problem+json'])?.schema;
        if (!schema) continue;
        const resolved = JSON.parse(
          JSON.stringify(schema).replaceAll('"#/components', '"openapi.json#/components'),
        );
        const validate = ajv.compile(resolved);
        const valid = validate(response.body);
        expect({
          operation: response.operationId,
          status: response.status,
          errors: validate.errors ?? null,
        }).toEqual({
          operation: response.operationId,
          status: response.status,
          errors: null,
        });
        expect(valid).toBe(true);
        checked++;
      }
      expect(checked).toBeGreaterThan(20);
    });
  });
});
