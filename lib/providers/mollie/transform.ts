/**
 * Mollie ↔ normalized model. Mollie knows a customer's name, email, locale and free metadata only:
 * no kind (→ `unknown`), no status (→ `active`, raw null), no phone, no document, and no update time
 * (→ providerUpdatedAt null; ordering falls back to fetchedAt). The merchant reference travels in
 * metadata (`reference`), which is how it reads back into the snapshot.
 */
import type { CustomerInput } from '../../customer/input.ts';
import { joinName, normalizeEmail, splitFullName } from '../../customer/normalize.ts';
import type { CustomerSnapshot } from '../../customer/snapshot.ts';
import { isoTimestamp, text } from '../shared.ts';
import type { MollieCreateCustomerRequest, MollieCustomer } from './wire.ts';

export const MOLLIE_REFERENCE_KEY = 'reference';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Object metadata as is; any other JSON value under `value`, so nothing is dropped. */
export function mollieMetadata(metadata: unknown): Record<string, unknown> | null {
  if (metadata === undefined || metadata === null) return null;
  return isRecord(metadata) ? metadata : { value: metadata };
}

export function mollieCustomerToSnapshot(customer: MollieCustomer, fetchedAt: Date): CustomerSnapshot {
  const name = text(customer.name);
  const { givenName, familyName } = splitFullName(name);
  const metadata = mollieMetadata(customer.metadata);
  const reference = metadata?.[MOLLIE_REFERENCE_KEY];
  return {
    provider: 'mollie',
    providerCustomerId: customer.id,
    reference: typeof reference === 'string' && reference !== '' ? reference : null,
    kind: 'unknown',
    displayName: name,
    givenName,
    familyName,
    companyName: null,
    email: normalizeEmail(customer.email),
    phone: null,
    document: null,
    locale: text(customer.locale),
    status: { normalized: 'active', raw: null },
    balances: [],
    metadata,
    providerCreatedAt: isoTimestamp(customer.createdAt),
    providerUpdatedAt: null,
    fetchedAt: fetchedAt.toISOString(),
  };
}

export function mollieCreateRequest(input: CustomerInput): MollieCreateCustomerRequest {
  const name =
    input.kind === 'company' ? text(input.companyName) : joinName(input.givenName, input.familyName);
  return {
    ...(name === null ? {} : { name }),
    ...(input.email === undefined ? {} : { email: input.email }),
    ...(input.locale === undefined ? {} : { locale: input.locale }),
    metadata: { ...input.metadata, [MOLLIE_REFERENCE_KEY]: input.reference },
  };
}
