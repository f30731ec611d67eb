/**
 * The normalized customer snapshot: what one provider says about one customer, in one shape for all
 * providers. Provider data is never rejected for being odd (masked emails, null names, empty last names):
 * adapters normalize as far as the data goes and keep the raw value beside anything they reinterpret.
 */
import * as z from 'zod/mini';
import './zod-locale.ts';

export const PROVIDERS = ['palomma', 'delos', 'mollie', 'juspay'] as const;
export const ProviderNameSchema = z.enum(PROVIDERS);
export type ProviderName = z.infer<typeof ProviderNameSchema>;

export const CUSTOMER_STATUSES = [
  'active',
  'pending',
  'in_review',
  'rejected',
  'blocked',
  'unknown',
] as const;
export const CustomerStatusSchema = z.enum(CUSTOMER_STATUSES);
export type CustomerStatus = z.infer<typeof CustomerStatusSchema>;

/** Colombian document types (Palomma) plus room for others; unknown provider values are kept as `other`. */
export const DOCUMENT_TYPES = ['cc', 'ce', 'nit', 'passport', 'other'] as const;
export const DocumentTypeSchema = z.enum(DOCUMENT_TYPES);
export type DocumentType = z.infer<typeof DocumentTypeSchema>;

/** An exact decimal amount as a string ("2835.800000002"): money never passes through a float. */
export const DecimalStringSchema = z.string().check(z.regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string'));

export const BalanceSchema = z.object({
  /** What the provider calls it (Delos: `balance`, `balanceHold`). */
  name: z.string(),
  currency: z.string(),
  amount: DecimalStringSchema,
});
export type Balance = z.infer<typeof BalanceSchema>;

export const PhoneSchema = z.object({
  /** E.164 (`+573013111111`) where it can be derived, otherwise null. */
  e164: z.nullable(z.string()),
  /** Exactly what the provider returned (it may be masked). */
  raw: z.string(),
});
export type Phone = z.infer<typeof PhoneSchema>;

const IsoDateTime = z.iso.datetime({ offset: true });

export const CustomerSnapshotSchema = z.object({
  provider: ProviderNameSchema,
  providerCustomerId: z.string().check(z.minLength(1)),
  /** The merchant's own reference for the customer, where the provider stores one. */
  reference: z.nullable(z.string()),
  kind: z.enum(['individual', 'company', 'unknown']),
  displayName: z.nullable(z.string()),
  givenName: z.nullable(z.string()),
  familyName: z.nullable(z.string()),
  companyName: z.nullable(z.string()),
  /** As the provider returned it, lower-cased; may be masked (`j***@example.com`). */
  email: z.nullable(z.string()),
  phone: z.nullable(PhoneSchema),
  document: z.nullable(z.object({ type: DocumentTypeSchema, number: z.string(), rawType: z.string() })),
  /** BCP 47-ish locale as the provider gives it (`en_US`), or null. */
  locale: z.nullable(z.string()),
  status: z.object({ normalized: CustomerStatusSchema, raw: z.nullable(z.string()) }),
  balances: z.array(BalanceSchema),
  metadata: z.nullable(z.record(z.string(), z.unknown())),
  providerCreatedAt: z.nullable(IsoDateTime),
  /** Null where the provider keeps no update time (Mollie): ordering then falls back to fetchedAt. */
  providerUpdatedAt: z.nullable(IsoDateTime),
  /** When customer-sync read this state from the provider. */
  fetchedAt: IsoDateTime,
});
export type CustomerSnapshot = z.infer<typeof CustomerSnapshotSchema>;
