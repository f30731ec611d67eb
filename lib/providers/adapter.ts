/**
 * The contract every provider adapter implements. Adding a provider is one folder under
 * `lib/providers/<name>/` plus one line in `registry.ts`.
 */
import type { CustomerInput } from '../customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../customer/snapshot.ts';

/** How a provider makes create safe to retry. */
export type CreateIdempotency =
  /** Mollie: an `Idempotency-Key` header; the provider replays the first answer. */
  | 'idempotency-key'
  /** Juspay: a duplicate `object_reference_id` is rejected as `unique`; the adapter fetches the original. */
  | 'unique-reference'
  /** Palomma: look the reference up (`GET /customers?reference=`) before creating. */
  | 'lookup-by-reference'
  /** Delos: nothing; the create flow must guard against duplicates itself. */
  | 'none';

/** A field of CustomerInput a provider needs for create, with a rule beyond presence where it has one. */
export interface RequiredCreateField {
  /** Path in CustomerInput, e.g. `phone`, `document.type`, `reference`. */
  field: string;
  /** Human-readable rule, e.g. `at least 8 characters`; used in the 400 problem body. */
  rule: string;
  /** Returns true when the input satisfies the rule. */
  check: (input: CustomerInput) => boolean;
}

export interface ProviderCapabilities {
  createIdempotency: CreateIdempotency;
  /** Whether `listCustomers` is available (backfill). */
  canList: boolean;
  /** Whether the provider sends customer webhooks (only Delos). */
  customerWebhooks: boolean;
  /** Whether snapshots carry providerUpdatedAt (Mollie: no). */
  hasUpdatedAt: boolean;
}

export interface CustomerPage {
  customers: CustomerSnapshot[];
  /** Opaque cursor for resuming, or null on the last page. */
  nextCursor: string | null;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  readonly requiredCreateFields: readonly RequiredCreateField[];
  /** Fetch one customer. Throws ProviderNotFoundError when it is gone, other ProviderErrors otherwise. */
  getCustomer(providerCustomerId: string): Promise<CustomerSnapshot>;
  /**
   * Create the customer; safe to call again with the same input and key where the provider allows
   * (see capabilities.createIdempotency).
   */
  createCustomer(input: CustomerInput, idempotencyKey: string): Promise<CustomerSnapshot>;
  /** Page through every customer at the provider; only where capabilities.canList. */
  listCustomers(options?: { cursor?: string; pageSize?: number }): AsyncIterable<CustomerPage>;
  /**
   * Only for providers without create idempotency (Delos): the customer an earlier create with this
   * input and key made, when a retry cannot know whether that create reached the provider; null when
   * the provider has none. `createdAfter` bounds the search (no earlier attempt started before it).
   * Throws ProviderErrors when the provider cannot answer: the caller must not create then.
   */
  findCreatedCustomer?(
    input: CustomerInput,
    idempotencyKey: string,
    options: { createdAfter: string },
  ): Promise<CustomerSnapshot | null>;
}

/** Validates merchant input against a provider's create requirements: one message per problem. */
export function missingCreateFields(
  adapter: Pick<ProviderAdapter, 'requiredCreateFields'>,
  input: CustomerInput,
): { field: string; rule: string }[] {
  return adapter.requiredCreateFields
    .filter((required) => !required.check(input))
    .map(({ field, rule }) => ({ field, rule }));
}
