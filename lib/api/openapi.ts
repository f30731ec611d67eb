/**
 * The OpenAPI 3.1 document of the whole API, generated from the zod schemas the handlers validate and
 * shape responses with (zod 4 `toJSONSchema`; OpenAPI 3.1 schemas are JSON Schema 2020-12). Paths come
 * from the route table, so every route is documented.
 */
import * as z from 'zod/mini';
import { CustomerInputSchema } from '../customer/input.ts';
import { PROVIDERS } from '../customer/snapshot.ts';
import { API_ROUTES, type ApiRoute } from './routes.ts';
import {
  CreateCustomerRequestSchema,
  CreateCustomerResultViewSchema,
  CustomerIdSchema,
  CustomerPageViewSchema,
  CustomerProfileViewSchema,
  CustomerSummaryViewSchema,
  CustomerViewSchema,
  DEFAULT_PAGE_SIZE,
  HistoryEntryViewSchema,
  HistoryPageViewSchema,
  HistoryQuerySchema,
  LinkRequestSchema,
  LinkResultViewSchema,
  ListCustomersQuerySchema,
  ProblemSchema,
  ProviderLinkViewSchema,
  SnapshotViewSchema,
  SyncStateViewSchema,
} from './schemas.ts';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Component schemas, converted per direction: requests as accepted (input), responses as sent (output). */
function componentSchemas(): Record<string, JsonObject> {
  const requests = z.registry<{ id: string }>();
  requests.add(CustomerInputSchema, { id: 'CustomerInput' });
  requests.add(CreateCustomerRequestSchema, { id: 'CreateCustomerRequest' });
  requests.add(LinkRequestSchema, { id: 'LinkRequest' });

  const responses = z.registry<{ id: string }>();
  responses.add(CustomerViewSchema, { id: 'Customer' });
  responses.add(CustomerSummaryViewSchema, { id: 'CustomerSummary' });
  responses.add(CustomerProfileViewSchema, { id: 'CustomerProfile' });
  responses.add(CustomerPageViewSchema, { id: 'CustomerPage' });
  responses.add(ProviderLinkViewSchema, { id: 'ProviderLink' });
  responses.add(SnapshotViewSchema, { id: 'ProviderSnapshot' });
  responses.add(SyncStateViewSchema, { id: 'SyncState' });
  responses.add(HistoryEntryViewSchema, { id: 'HistoryEntry' });
  responses.add(HistoryPageViewSchema, { id: 'HistoryPage' });
  responses.add(LinkResultViewSchema, { id: 'LinkResult' });
  responses.add(CreateCustomerResultViewSchema, { id: 'CreateCustomerResult' });
  responses.add(ProblemSchema, { id: 'Problem' });

  const uri = (id: string) => `#/components/schemas/${id}`;
  const out: Record<string, JsonObject> = {};
  for (const [registry, io] of [
    [requests, 'input'],
    [responses, 'output'],
  ] as const) {
    const { schemas } = z.toJSONSchema(registry, { uri, io, unrepresentable: 'any' });
    for (const [id, schema] of Object.entries(schemas)) {
      if (id === '__shared') throw new Error('OpenAPI: shared $defs are not supported; register the schema');
      out[id] = bare(schema);
    }
  }
  return out;
}

/** Drops the standalone-document keywords that do not belong inside an OpenAPI component. */
function bare(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Query values arrive as strings; where the API reads one as a number, document the number. */
const QUERY_SCHEMA_OVERRIDES: Record<string, JsonObject> = {
  limit: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE, description: 'Page size.' },
};

function queryParameters(schema: z.ZodMiniObject): JsonObject[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const json =
      QUERY_SCHEMA_OVERRIDES[name] ?? bare(z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }));
    const { description, ...fieldSchema } = json;
    return {
      name,
      in: 'query',
      required: !z.safeParse(field, undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

const customerIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Customer id (ULID).',
  schema: bare(z.toJSONSchema(CustomerIdSchema, { io: 'input' })),
};

const json = (schema: JsonObject) => ({ 'application/json': { schema } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schemaId: string) => ({ description, content: json(ref(schemaId)) });

/** Answers every API-key route can give besides its own. */
const commonProblems = {
  '400': problem('Invalid query, path or body; `errors` names each field.'),
  '403': problem('Missing or wrong `x-api-key`.'),
  '500': problem('Unexpected error (no details are disclosed).'),
};

function operation(route: ApiRoute): JsonObject {
  switch (route.operationId) {
    case 'listCustomers':
      return {
        summary: 'List customers, or look one up',
        description:
          'Without a lookup parameter, pages through all customers (`limit`, `cursor`). With exactly one ' +
          'lookup (`reference`, `email`, or `provider` + `providerCustomerId`) returns the matches ' +
          'as one page; `limit` and `cursor` then do not apply.',
        parameters: queryParameters(ListCustomersQuerySchema),
        responses: { '200': ok('A page of customers.', 'CustomerPage'), ...commonProblems },
      };
    case 'createCustomer':
      return {
        summary: 'Create a customer at the given providers',
        description:
          "Validates the customer and every requested provider's requirements before calling any, then " +
          'creates the customer once at each. Retries with the same `Idempotency-Key` and body get the ' +
          'first answer (and finish providers still pending); another body under the same key is a 422.',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description: 'Makes retries safe; a UUID is a good choice.',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
          },
        ],
        requestBody: { required: true, content: json(ref('CreateCustomerRequest')) },
        responses: {
          '201': ok('Created at every requested provider.', 'CreateCustomerResult'),
          '202': ok('Stored; some providers are still pending and are retried.', 'CreateCustomerResult'),
          '409': problem('The reference belongs to another customer, or the same key is still in progress.'),
          '422': problem('The idempotency key was used with another body.'),
          ...commonProblems,
        },
      };
    case 'getCustomer':
      return {
        summary: 'Get a customer with every provider snapshot and sync state',
        parameters: [customerIdParameter],
        responses: {
          '200': ok('The customer.', 'Customer'),
          '404': problem('No such customer.'),
          ...commonProblems,
        },
      };
    case 'getCustomerHistory':
      return {
        summary: "List a customer's snapshot history at one provider, newest first",
        parameters: [customerIdParameter, ...queryParameters(HistoryQuerySchema)],
        responses: {
          '200': ok('A page of history entries.', 'HistoryPage'),
          '404': problem('No such customer.'),
          ...commonProblems,
        },
      };
    case 'linkProviderCustomer':
      return {
        summary: 'Start tracking a customer that already exists at a provider',
        description:
          'Links the provider customer to this customer; it is fetched right away when a queue is ' +
          'configured, otherwise by the next scheduled run.',
        parameters: [customerIdParameter],
        requestBody: { required: true, content: json(ref('LinkRequest')) },
        responses: {
          '201': ok('Linked.', 'LinkResult'),
          '200': ok('Already linked to this provider customer; nothing changed.', 'LinkResult'),
          '404': problem('No such customer.'),
          '409': problem('Linked elsewhere: another customer, or another id at this provider.'),
          '413': problem('Body larger than 64 KB.'),
          '415': problem('Body not sent as application/json.'),
          ...commonProblems,
        },
      };
    case 'getOpenApiDocument':
      return {
        summary: 'This document',
        responses: { '200': { description: 'OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
      };
    case 'receiveProviderWebhook':
      return {
        summary: 'Receive a provider notification',
        description:
          'No API key: each provider is verified its own way (Palomma integrity signature, Mollie ' +
          'signature where configured, Juspay basic auth, Delos shared token). The body is a hint: the ' +
          'customer is re-fetched from the provider before anything is stored.',
        security: [],
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: [...PROVIDERS] } },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object' } },
            'application/x-www-form-urlencoded': { schema: { type: 'object' } },
          },
        },
        responses: {
          '200': { description: 'Accepted (or ignored: not about a tracked customer).' },
          '202': { description: 'Accepted; a re-fetch is queued.' },
          '400': problem('Malformed notification.'),
          '401': problem('Verification failed.'),
          '404': problem('Unknown provider.'),
          '500': problem('Unexpected error; the provider retries.'),
        },
      };
    default:
      throw new Error(`OpenAPI: no operation for ${route.operationId}`);
  }
}

let cached: JsonObject | undefined;

export function openApiDocument(): JsonObject {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of API_ROUTES) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = { operationId: route.operationId, ...operation(route) };
    paths[route.path] = item;
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'customer-sync API',
      version: '1.0.0',
      description:
        "One view of a merchant's customers across Palomma, Delos, Mollie and Juspay. Errors are " +
        'RFC 9457 problem details (`application/problem+json`).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: componentSchemas(),
    },
  };
  return cached;
}
