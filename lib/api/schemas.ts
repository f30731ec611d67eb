/**
 * The read API's request and response schemas. They validate requests, allow-list what leaves the API
 * (zod objects drop every key they do not declare: table keys, hashes, idempotency keys never pass)
 * and generate the OpenAPI document, so the three cannot drift apart.
 */
import * as z from 'zod';
import { CustomerInputSchema } from '../customer/input.ts';
import { CustomerSnapshotSchema, DocumentTypeSchema, ProviderNameSchema } from '../customer/snapshot.ts';

// ---------------------------------------------------------------------------------------------------
// Requests

/** Customer ids are ULIDs (Crockford base32, 26 characters). */
export const CustomerIdSchema = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, 'must be a customer id (ULID)')
  .transform((id) => id.toUpperCase())
  .meta({ description: 'Customer id (ULID).', example: '01JD5N6ZB0W1S4Q6YF6S5C5V4N' });

/** Provider ids go into key values, so separators such as `#` are kept out. */
export const ProviderCustomerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be 1-128 letters, digits or _ . : @ -')
  .meta({ description: "The provider's own customer id.", example: 'cst_8wmqcHMN4U' });

const LimitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
  .meta({ description: 'Page size, 1 to 100.', default: '20' });

const CursorSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page')
  .meta({ description: 'Opaque cursor from the previous page.' });

export const DEFAULT_PAGE_SIZE = 20;

export const CustomerPathSchema = z.object({ id: CustomerIdSchema });

/** Routes that take no query parameters still reject unknown ones. */
export const NoQuerySchema = z.object({});

export const ListCustomersQuerySchema = z.object({
  reference: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .optional()
    .meta({ description: "Look up by the merchant's reference (at most one result)." }),
  email: z
    .email()
    .max(128)
    .optional()
    .meta({ description: 'Look up by email (case-insensitive; several customers may share one).' }),
  provider: ProviderNameSchema.optional().meta({
    description: 'With `providerCustomerId`: look up by a provider customer id.',
  }),
  providerCustomerId: ProviderCustomerIdSchema.optional(),
  limit: LimitSchema.optional(),
  cursor: CursorSchema.optional(),
});

export const HistoryQuerySchema = z.object({
  provider: ProviderNameSchema.meta({ description: 'Whose snapshots to list.' }),
  limit: LimitSchema.optional(),
  cursor: CursorSchema.optional(),
});

export const LinkRequestSchema = z
  .object({ provider: ProviderNameSchema, providerCustomerId: ProviderCustomerIdSchema })
  .strict()
  .meta({ description: 'Start tracking a customer that already exists at a provider.' });

/**
 * `POST /customers` (served by create-customer): documented here from the same input schema it
 * validates with.
 */
export const CreateCustomerRequestSchema = z
  .object({
    customer: CustomerInputSchema,
    providers: z.array(ProviderNameSchema).min(1),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------
// Responses

export const SnapshotViewSchema = CustomerSnapshotSchema.meta({
  description: 'What one provider said about the customer, normalized. Money is an exact decimal string.',
});

export const SyncStateViewSchema = z.object({
  lastSuccessAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastError: z.object({ name: z.string(), message: z.string(), at: z.string() }).nullable(),
  consecutiveFailures: z.number().int(),
  nextDueAt: z.string().nullable(),
});

export const ProviderLinkViewSchema = z.object({
  provider: ProviderNameSchema,
  providerCustomerId: z.string().nullable(),
  status: z.enum(['active', 'pending', 'gone']).meta({
    description:
      'active: synced. pending: creation at the provider not done yet. gone: the provider deleted it (last data kept).',
  }),
  version: z.number().int(),
  linkedAt: z.string(),
  goneAt: z.string().nullable(),
  snapshot: SnapshotViewSchema.nullable(),
  sync: SyncStateViewSchema.nullable(),
});

/**
 * The canonical customer as stored. Deliberately looser than CustomerInputSchema (no format checks):
 * a stored profile that a later rule would reject must still be readable, not a 500.
 */
export const CustomerProfileViewSchema = z
  .object({
    reference: z.string(),
    kind: z.enum(['individual', 'company']),
    givenName: z.string().optional(),
    familyName: z.string().optional(),
    companyName: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    document: z.object({ type: DocumentTypeSchema, number: z.string() }).optional(),
    locale: z.string().optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .meta({ description: 'The canonical customer as the merchant created (or imported) it.' });

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
  cursor: z.string().nullable(),
});

export const HistoryEntryViewSchema = z.object({
  provider: ProviderNameSchema,
  version: z.number().int(),
  recordedAt: z.string(),
  snapshot: SnapshotViewSchema,
});

export const HistoryPageViewSchema = z.object({
  items: z.array(HistoryEntryViewSchema),
  cursor: z.string().nullable(),
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
      providerCustomerId: z.string().optional(),
      error: z.object({ name: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ description: 'RFC 9457 problem details.' });

export type CustomerView = z.infer<typeof CustomerViewSchema>;
export type ProviderLinkView = z.infer<typeof ProviderLinkViewSchema>;
