/**
 * The read API's request and response schemas. They validate requests, allow-list what leaves the API
 * (zod objects drop every key they do not declare: table keys, hashes, idempotency keys never pass)
 * and generate the OpenAPI document, so the three cannot drift apart.
 */
import * as z from 'zod/mini';
import { CustomerInputSchema } from '../customer/input.ts';
import { CustomerSnapshotSchema, DocumentTypeSchema, ProviderNameSchema } from '../customer/snapshot.ts';

/**
 * A copy of `schema` carrying `metadata` for the OpenAPI document, as classic zod's `.meta()` made: the
 * original (shared with validation elsewhere) stays undescribed.
 */
function described<S extends z.ZodMiniType>(schema: S, metadata: z.core.GlobalMeta): S {
  const copy = schema.clone();
  z.globalRegistry.add(copy, metadata);
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// Requests

/** Customer ids are ULIDs (Crockford base32, 26 characters). */
export const CustomerIdSchema = described(
  z.pipe(
    z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, 'must be a customer id (ULID)')),
    z.transform((id) => id.toUpperCase()),
  ),
  { description: 'Customer id (ULID).', example: '01JD5N6ZB0W1S4Q6YF6S5C5V4N' },
);

/** Provider ids go into key values, so separators such as `#` are kept out. */
export const ProviderCustomerIdSchema = described(
  z.string().check(z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be 1-128 letters, digits or _ . : @ -')),
  { description: "The provider's own customer id.", example: 'cst_8wmqcHMN4U' },
);

const LimitSchema = described(
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')), z.transform(Number)),
    z.number().check(z.int(), z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
  ),
  { description: 'Page size, 1 to 100.', default: '20' },
);

const CursorSchema = described(
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(2048),
      z.regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page'),
    ),
  { description: 'Opaque cursor from the previous page.' },
);

export const DEFAULT_PAGE_SIZE = 20;

export const CustomerPathSchema = z.object({ id: CustomerIdSchema });

/** Routes that take no query parameters still reject unknown ones. */
export const NoQuerySchema = z.object({});

export const ListCustomersQuerySchema = z.object({
  reference: described(z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))), {
    description: "Look up by the merchant's reference (at most one result).",
  }),
  email: described(z.optional(z.email().check(z.maxLength(128))), {
    description: 'Look up by email (case-insensitive; several customers may share one).',
  }),
  provider: described(z.optional(ProviderNameSchema), {
    description: 'With `providerCustomerId`: look up by a provider customer id.',
  }),
  providerCustomerId: z.optional(ProviderCustomerIdSchema),
  limit: z.optional(LimitSchema),
  cursor: z.optional(CursorSchema),
});

export const HistoryQuerySchema = z.object({
  provider: described(ProviderNameSchema, { description: 'Whose snapshots to list.' }),
  limit: z.optional(LimitSchema),
  cursor: z.optional(CursorSchema),
});

export const LinkRequestSchema = described(
  z.strictObject({ provider: ProviderNameSchema, providerCustomerId: ProviderCustomerIdSchema }),
  { description: 'Start tracking a customer that already exists at a provider.' },
);

/**
 * `POST /customers` (served by create-customer): documented here from the same input schema it
 * validates with.
 */
export const CreateCustomerRequestSchema = z.strictObject({
  customer: CustomerInputSchema,
  providers: z.array(ProviderNameSchema).check(z.minLength(1)),
});

// ---------------------------------------------------------------------------------------------------
// Responses

export const SnapshotViewSchema = described(CustomerSnapshotSchema, {
  description: 'What one provider said about the customer, normalized. Money is an exact decimal string.',
});

export const SyncStateViewSchema = z.object({
  lastSuccessAt: z.nullable(z.string()),
  lastAttemptAt: z.nullable(z.string()),
  lastError: z.nullable(z.object({ name: z.string(), message: z.string(), at: z.string() })),
  consecutiveFailures: z.number().check(z.int()),
  nextDueAt: z.nullable(z.string()),
});

export const ProviderLinkViewSchema = z.object({
  provider: ProviderNameSchema,
  providerCustomerId: z.nullable(z.string()),
  status: described(z.enum(['active', 'pending', 'gone']), {
    description:
      'active: synced. pending: creation at the provider not done yet. gone: the provider deleted it (last data kept).',
  }),
  version: z.number().check(z.int()),
  linkedAt: z.string(),
  goneAt: z.nullable(z.string()),
  snapshot: z.nullable(SnapshotViewSchema),
  sync: z.nullable(SyncStateViewSchema),
});

/**
 * The canonical customer as stored. Deliberately looser than CustomerInputSchema (no format checks):
 * a stored profile that a later rule would reject must still be readable, not a 500.
 */
export const CustomerProfileViewSchema = described(
  z.object({
    reference: z.string(),
    kind: z.enum(['individual', 'company']),
    givenName: z.optional(z.string()),
    familyName: z.optional(z.string()),
    companyName: z.optional(z.string()),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    document: z.optional(z.object({ type: DocumentTypeSchema, number: z.string() })),
    locale: z.optional(z.string()),
    metadata: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  }),
  { description: 'The canonical customer as the merchant created (or imported) it.' },
);

export const CustomerSummaryViewSchema = z.object({
  id: z.string(),
  reference: z.string(),
  profile: CustomerProfileViewSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const CustomerViewSchema = z.object({
  id: z.string(),
  reference: z.string(),
  profile: CustomerProfileViewSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  providers: z.array(ProviderLinkViewSchema),
});

export const CustomerPageViewSchema = z.object({
  items: z.array(CustomerSummaryViewSchema),
  cursor: z.nullable(z.string()),
});

export const HistoryEntryViewSchema = z.object({
  provider: ProviderNameSchema,
  version: z.number().check(z.int()),
  recordedAt: z.string(),
  snapshot: SnapshotViewSchema,
});

export const HistoryPageViewSchema = z.object({
  items: z.array(HistoryEntryViewSchema),
  cursor: z.nullable(z.string()),
});

export const LinkResultViewSchema = z.object({
  customerId: z.string(),
  link: ProviderLinkViewSchema,
  /** Whether a sync of the new link was queued now; otherwise the next scheduled run fetches it. */
  syncQueued: z.boolean(),
});

/**
 * The answer of `POST /customers` (served by create-customer, lib/sync/create-customer.ts): 201 when
 * every provider has the customer, 202 while some are pending (the scheduler finishes them).
 */
export const CreateCustomerResultViewSchema = z.object({
  customerId: z.string(),
  reference: z.string(),
  providers: z.partialRecord(
    ProviderNameSchema,
    z.object({
      status: z.enum(['created', 'pending', 'failed']),
      providerCustomerId: z.optional(z.string()),
      error: z.optional(z.object({ name: z.string(), message: z.string() })),
    }),
  ),
});

export const ProblemSchema = described(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
  }),
  { description: 'RFC 9457 problem details.' },
);

export type CustomerView = z.infer<typeof CustomerViewSchema>;
export type ProviderLinkView = z.infer<typeof ProviderLinkViewSchema>;
