/**
 * POST /customers: create a merchant's customer at the providers it asks for, once, whatever the
 * retries.
 *
 * 1. Validation before any provider call: the body (`customer` by the strict input schema, `providers`)
 *    and every requested provider's create requirements, all in one 400 (problem+json).
 * 2. `Idempotency-Key` (required): Powertools idempotency on the idempotency table, keyed on the header,
 *    with the canonical body as the validated payload. The same key and body get the stored result
 *    without provider calls; another body is a 422 (`IdempotencyValidationError`); a concurrent duplicate
 *    waits for the first (up to `inProgressWaitMs`) and gets its result, else a 409 with Retry-After
 *    (`IdempotencyAlreadyInProgressError`).
 * 3. Partial failure is resumable, not final: the stored result records which providers are not created
 *    yet (`complete: false`). A retry with the same key and body gets that record back and then resumes
 *    from the store's state outside the idempotency lock: only links still pending are created (each
 *    under its create lease, see provider-create.ts), and the answer is rebuilt from the store. Meanwhile
 *    the scheduler completes pending links too (pending-create messages), so a client that never retries
 *    still ends up with every customer created.
 * 4. The customer is stored first (profile + pending links with per-link provider idempotency keys),
 *    then each provider is called in parallel; each success stores the link's id and first snapshot.
 *    A reference already used by a customer with another input (or without one of the asked providers)
 *    is a 409; the same input under a new key resumes that customer (a create retried with a new key is
 *    still the same customer).
 *
 * Status: 201 when every provider has the customer, 202 otherwise, with a per-provider result
 * `{ status: 'created' | 'pending' | 'failed', providerCustomerId?, error? }` ('pending': not done yet,
 * retried; 'failed': the provider rejected it, retried with backoff by the scheduler too, but it needs a
 * fix first, e.g. credentials or data the provider refuses).
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import {
  type FieldProblem,
  fieldProblems,
  HttpProblem,
  jsonResponse,
  toProblemResponse,
} from '../api/problem.ts';
import { header, parseJsonBody } from '../api/request.ts';
import { type CustomerInput, CustomerInputSchema } from '../customer/input.ts';
import { PROVIDERS, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import { missingCreateFields, type ProviderAdapter } from '../providers/adapter.ts';
import { isStoreConflictError } from '../store/errors.ts';
import type { CustomerRecord, CustomerStoreApi } from '../store/types.ts';
import { type Clock, sleep as defaultSleep } from './clock.ts';
import { summarizeError } from './errors.ts';
import { stableStringify } from './http.ts';
import { IDEMPOTENCY_PATHS } from './idempotency-paths.ts';
import { localContext } from './lambda.ts';
import type { SyncMetrics } from './metrics.ts';
import { createAtProvider, type ProviderCreateResult } from './provider-create.ts';
import type { SyncSchedule } from './schedule.ts';

export interface CreateCustomerDeps {
  store: CustomerStoreApi;
  /** Adapters of the providers this deployment may create at. */
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  clock: Clock;
  schedule: SyncSchedule;
  metrics?: SyncMetrics;
  idempotency: {
    /** A DynamoDBPersistenceLayer on the idempotency table, created once per process. */
    persistenceStore: BasePersistenceLayer;
    /** How long a key is remembered. */
    ttlSeconds: number;
    /** How long a duplicate waits for the first request before answering 409. */
    inProgressWaitMs: number;
  };
  createLeaseSeconds: number;
  /** Customer ids; default ULID. */
  newId?: () => string;
  /** Per-link provider idempotency keys (Mollie's `Idempotency-Key`); default a UUID v4. */
  newKey?: () => string;
  sleep?: (ms: number) => Promise<void>;
}

export interface CreateCustomerRequest {
  headers: Record<string, string | undefined> | null;
  body: string | null;
  isBase64Encoded?: boolean;
  /** Bounds how long an interrupted request blocks its key (Powertools' in-progress expiry). */
  lambdaContext?: Context;
}

export interface CanonicalCreateBody {
  customer: CustomerInput;
  /** Sorted and unique, so the order a client lists them in does not change the payload. */
  providers: ProviderName[];
}

const ProviderCreateResultSchema = z.object({
  status: z.enum(['created', 'pending', 'failed']),
  providerCustomerId: z.optional(z.string()),
  error: z.optional(z.object({ name: z.string(), message: z.string() })),
});

const CreateResultSchema = z.object({
  customerId: z.string(),
  reference: z.string(),
  providers: z.partialRecord(ProviderNameSchema, ProviderCreateResultSchema),
  complete: z.boolean(),
  /** Set by the idempotency response hook on results read back from the idempotency table. */
  replayed: z.optional(z.boolean()),
});
export type CreateResult = z.infer<typeof CreateResultSchema>;

/** Visible ASCII, no spaces: UUIDs, ULIDs and most client libraries' keys. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const KEY_PREFIX = 'create-customer';
/** In-progress expiry when no Lambda context tells the remaining time (local runtime, tests). */
const DEFAULT_IN_PROGRESS_MS = 60_000;

export async function handleCreateCustomer(
  deps: CreateCustomerDeps,
  request: CreateCustomerRequest,
): Promise<APIGatewayProxyResult> {
  try {
    const { key, body } = validateCreateRequest(deps.adapters, request);
    let result = await runIdempotent(deps, key, body, request.lambdaContext);
    const replayed = result.replayed === true;
    if (replayed && !result.complete) result = await executeCreate(deps, body, result.customerId);
    return createResponse(result, replayed);
  } catch (error) {
    return toProblemResponse(error);
  }
}

export function createResponse(result: CreateResult, replayed: boolean): APIGatewayProxyResult {
  // Rebuilt in a fixed key order: a replay read back from DynamoDB (maps are unordered) answers the
  // same bytes as the first response.
  const providers = Object.fromEntries(
    PROVIDERS.flatMap((provider) => {
      const item = result.providers[provider];
      if (!item) return [];
      return [
        [
          provider,
          {
            status: item.status,
            ...(item.providerCustomerId === undefined ? {} : { providerCustomerId: item.providerCustomerId }),
            ...(item.error === undefined
              ? {}
              : { error: { name: item.error.name, message: item.error.message } }),
          },
        ],
      ];
    }),
  );
  return jsonResponse(
    result.complete ? 201 : 202,
    { customerId: result.customerId, reference: result.reference, providers },
    {
      location: `/customers/${encodeURIComponent(result.customerId)}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
  );
}

/**
 * Every problem with the request at once: the key header, the body envelope, the customer by the input
 * schema, the provider list, and (when the customer parses) each requested provider's create rules.
 */
export function validateCreateRequest(
  adapters: Partial<Record<ProviderName, ProviderAdapter>>,
  request: Pick<CreateCustomerRequest, 'headers' | 'body' | 'isBase64Encoded'>,
): { key: string; body: CanonicalCreateBody } {
  const problems: FieldProblem[] = [];
  const key = header(request, 'idempotency-key');
  if (key === undefined || key === '') {
    problems.push({ field: 'header.idempotency-key', message: 'required' });
  } else if (!IDEMPOTENCY_KEY.test(key)) {
    problems.push({
      field: 'header.idempotency-key',
      message: 'must be 1 to 255 visible ASCII characters (a UUID is a good choice)',
    });
  }

  // Transport problems first, as on every route: 415 for a non-JSON content type, 413 past the size
  // limit, 400 for a missing or malformed document.
  const json: unknown = parseJsonBody(request, z.unknown());
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    problems.push({ field: 'body', message: 'must be a JSON object' });
    throw new HttpProblem(400, 'The request is invalid.', { errors: problems });
  }
  const envelope = new Map(Object.entries(json));
  for (const field of envelope.keys()) {
    if (field !== 'customer' && field !== 'providers') problems.push({ field, message: 'unknown field' });
  }

  const customer = CustomerInputSchema.safeParse(envelope.get('customer'));
  if (!customer.success) problems.push(...fieldProblems('customer', customer.error));

  const providers = validateProviders(adapters, envelope.get('providers'), problems);
  if (customer.success) {
    for (const provider of providers) {
      const adapter = adapters[provider];
      if (!adapter) continue;
      for (const missing of missingCreateFields(adapter, customer.data)) {
        problems.push({ field: `providers.${provider}`, message: ruleMessage(missing.field, missing.rule) });
      }
    }
  }
  if (problems.length > 0 || !customer.success || key === undefined) {
    throw new HttpProblem(400, 'The request is invalid.', { errors: problems });
  }
  return { key, body: { customer: customer.data, providers } };
}

function validateProviders(
  adapters: Partial<Record<ProviderName, ProviderAdapter>>,
  value: unknown,
  problems: FieldProblem[],
): ProviderName[] {
  const parsed = z
    .array(ProviderNameSchema)
    .check(z.minLength(1, { error: `must list at least one of ${PROVIDERS.join(', ')}` }))
    .safeParse(value);
  if (!parsed.success) {
    problems.push(...fieldProblems('providers', parsed.error));
    return [];
  }
  const providers = [...new Set(parsed.data)].sort();
  if (providers.length !== parsed.data.length) {
    problems.push({ field: 'providers', message: 'must not list a provider twice' });
  }
  parsed.data.forEach((provider, index) => {
    if (!adapters[provider]) {
      problems.push({
        field: `providers.${index}`,
        message: `${provider} is not enabled in this deployment`,
      });
    }
  });
  return providers;
}

/** `customer.reference must be at least 8 characters`, whatever grammar the adapter's rule uses. */
export function ruleMessage(field: string, rule: string): string {
  const path = `customer.${field}`;
  const trimmed = rule.trim();
  if (/^(must|is|are|should|cannot|can't)\b/i.test(trimmed)) return `${path} ${trimmed}`;
  if (/^required\b/i.test(trimmed)) return `${path} is ${trimmed}`;
  return `${path} must be ${trimmed}`;
}

async function runIdempotent(
  deps: CreateCustomerDeps,
  key: string,
  body: CanonicalCreateBody,
  lambdaContext: Context | undefined,
): Promise<CreateResult> {
  const sleep = deps.sleep ?? defaultSleep;
  // One config per request: it carries this invocation's context (the persistence layer is shared).
  const config = new IdempotencyConfig({
    eventKeyJmesPath: IDEMPOTENCY_PATHS.key,
    payloadValidationJmesPath: IDEMPOTENCY_PATHS.payload,
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: deps.idempotency.ttlSeconds,
    lambdaContext: lambdaContext ?? localContext(KEY_PREFIX, DEFAULT_IN_PROGRESS_MS),
    responseHook: (response) =>
      response !== null && typeof response === 'object' && !Array.isArray(response)
        ? { ...response, replayed: true }
        : response,
  });
  const idempotentCreate = makeIdempotent(
    async (request: { key: string; body: CanonicalCreateBody }): Promise<CreateResult> =>
      executeCreate(deps, request.body),
    { persistenceStore: deps.idempotency.persistenceStore, keyPrefix: KEY_PREFIX, config },
  );
  let waitedMs = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return CreateResultSchema.parse(await idempotentCreate({ key, body }));
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new HttpProblem(422, 'This Idempotency-Key was used with a different request body.', {
          cause: error,
        });
      }
      if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
      if (waitedMs >= deps.idempotency.inProgressWaitMs) {
        throw new HttpProblem(409, 'A request with this Idempotency-Key is still in progress; retry later.', {
          headers: { 'retry-after': '2' },
          cause: error,
        });
      }
      const delay = Math.min(50 * 2 ** attempt, 500, deps.idempotency.inProgressWaitMs - waitedMs);
      await sleep(delay);
      waitedMs += delay;
    }
  }
}

/**
 * Creates (or, with `resumeCustomerId`, resumes) the customer and its providers. Never throws for a
 * provider's failure: that provider's result says it.
 */
export async function executeCreate(
  deps: CreateCustomerDeps,
  body: CanonicalCreateBody,
  resumeCustomerId?: string,
): Promise<CreateResult> {
  const { store } = deps;
  const record = resumeCustomerId
    ? await store.getCustomer(resumeCustomerId)
    : await findOrCreateCustomer(deps, body);
  if (!record)
    throw new HttpProblem(409, 'This customer is still being created; retry later.', {
      headers: { 'retry-after': '1' },
    });
  const customerId = record.profile.customerId;
  const entries = await Promise.all(
    body.providers.map(async (provider): Promise<[ProviderName, ProviderCreateResult]> => {
      const adapter = deps.adapters[provider];
      const link = record.links.find((item) => item.provider === provider);
      if (link?.providerCustomerId)
        return [provider, { status: 'created', providerCustomerId: link.providerCustomerId }];
      if (!adapter || !link) {
        return [
          provider,
          { status: 'failed', error: { name: 'NotConfigured', message: `${provider} is not available` } },
        ];
      }
      const consecutiveFailures =
        record.syncStates.find((state) => state.provider === provider)?.consecutiveFailures ?? 0;
      try {
        const outcome = await createAtProvider(
          {
            store,
            adapter,
            clock: deps.clock,
            schedule: deps.schedule,
            leaseSeconds: deps.createLeaseSeconds,
            ...(deps.metrics ? { metrics: deps.metrics } : {}),
          },
          { customerId, input: body.customer, link, consecutiveFailures },
        );
        return [provider, outcome.result];
      } catch (error) {
        // A store failure around one provider's create: that provider stays pending (the scheduler or
        // a retry completes it); the others' results still count.
        return [provider, { status: 'pending', error: summarizeError(error) }];
      }
    }),
  );
  const providers = Object.fromEntries(entries);
  return {
    customerId,
    reference: record.profile.reference,
    providers,
    complete: entries.every(([, result]) => result.status === 'created'),
  };
}

async function findOrCreateCustomer(
  deps: CreateCustomerDeps,
  body: CanonicalCreateBody,
): Promise<CustomerRecord | null> {
  const { store } = deps;
  const input = body.customer;
  let existingId = (await store.findByReference(input.reference))?.customerId ?? null;
  if (existingId === null) {
    const customerId = (deps.newId ?? ulid)();
    const newKey = deps.newKey ?? (() => crypto.randomUUID());
    try {
      return await store.createCustomer({
        customerId,
        input,
        providers: body.providers,
        createIdempotencyKeys: Object.fromEntries(body.providers.map((provider) => [provider, newKey()])),
        now: deps.clock.now().toISOString(),
      });
    } catch (error) {
      if (!isStoreConflictError(error) || error.reason !== 'reference-exists') throw error;
      existingId = error.existingCustomerId;
      if (existingId === null) throw error;
    }
  }
  const record = await store.getCustomer(existingId);
  if (!record) return null;
  if (stableStringify(record.profile.input) !== stableStringify(input)) {
    throw new HttpProblem(409, 'This reference is already used by another customer.', {
      errors: [{ field: 'customer.reference', message: 'already used by another customer' }],
    });
  }
  const unlinked = body.providers.filter(
    (provider) => !record.links.some((link) => link.provider === provider),
  );
  if (unlinked.length > 0) {
    throw new HttpProblem(
      409,
      `A customer with this reference exists without ${unlinked.join(', ')}; link providers with POST /customers/${record.profile.customerId}/links.`,
    );
  }
  return record;
}
