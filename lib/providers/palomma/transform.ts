/**
 * Palomma ↔ normalized model. Palomma keeps one `name` (full name of a person or a company's name) and
 * a Colombian document; the document type tells persons (`cc`, `ce`) from companies (`nit`). Palomma has
 * no customer status: every customer it returns is `active`, with `raw: null` to show nothing was read.
 */
import type { CustomerInput } from '../../customer/input.ts';
import {
  joinName,
  normalizeDocumentType,
  normalizeEmail,
  normalizePhone,
  splitFullName,
} from '../../customer/normalize.ts';
import type { CustomerSnapshot } from '../../customer/snapshot.ts';
import { isoTimestamp, splitE164, text } from '../shared.ts';
import {
  PALOMMA_DOCUMENT_TYPES,
  type PalommaCreateCustomerRequest,
  type PalommaCustomer,
  type PalommaDocumentType,
} from './wire.ts';

/** Palomma phones are Colombian national numbers. */
export const PALOMMA_COUNTRY_CALLING_CODE = '57';

function kindOf(documentType: string | null): CustomerSnapshot['kind'] {
  switch (documentType) {
    case 'nit':
      return 'company';
    case 'cc':
    case 'ce':
    case 'passport':
      return 'individual';
    default:
      return 'unknown';
  }
}

export function palommaCustomerToSnapshot(customer: PalommaCustomer, fetchedAt: Date): CustomerSnapshot {
  const name = text(customer.name);
  const documentType = text(customer.documentType);
  const document = documentType === null ? null : normalizeDocumentType(documentType);
  const kind = kindOf(document?.type ?? null);
  const personName = kind === 'individual' ? splitFullName(name) : { givenName: null, familyName: null };
  const documentNumber = text(customer.documentNumber);
  return {
    provider: 'palomma',
    providerCustomerId: customer.id,
    reference: text(customer.reference),
    kind,
    displayName: name,
    givenName: personName.givenName,
    familyName: personName.familyName,
    companyName: kind === 'company' ? name : null,
    email: normalizeEmail(customer.email),
    phone: normalizePhone(customer.phoneNumber, { countryCallingCode: PALOMMA_COUNTRY_CALLING_CODE }),
    document:
      document && documentNumber
        ? { type: document.type, number: documentNumber, rawType: document.rawType }
        : null,
    locale: null,
    status: { normalized: 'active', raw: null },
    balances: [],
    metadata: null,
    providerCreatedAt: isoTimestamp(customer.createdAt),
    providerUpdatedAt: isoTimestamp(customer.updatedAt),
    fetchedAt: fetchedAt.toISOString(),
  };
}

const isPalommaDocumentType = (value: string): value is PalommaDocumentType =>
  PALOMMA_DOCUMENT_TYPES.some((type) => type === value);

/** Colombian national number from E.164 (`+573013111111` → `3013111111`), or null for other countries. */
export function colombianNationalNumber(e164: string | undefined): string | null {
  if (e164 === undefined) return null;
  const split = splitE164(e164);
  return split?.countryCallingCode === PALOMMA_COUNTRY_CALLING_CODE ? split.nationalNumber : null;
}

/** Name Palomma wants: the person's full name, or the company's name. */
export function palommaName(input: CustomerInput): string | null {
  return input.kind === 'company' ? text(input.companyName) : joinName(input.givenName, input.familyName);
}

/** The create body, or null when the input lacks what Palomma requires (see the adapter's required fields). */
export function palommaCreateRequest(input: CustomerInput): PalommaCreateCustomerRequest | null {
  const name = palommaName(input);
  const phoneNumber = colombianNationalNumber(input.phone);
  const documentType = input.document?.type;
  const documentNumber = input.document?.number;
  if (
    name === null ||
    phoneNumber === null ||
    input.email === undefined ||
    documentType === undefined ||
    !isPalommaDocumentType(documentType) ||
    documentNumber === undefined
  ) {
    return null;
  }
  return { reference: input.reference, name, documentType, documentNumber, email: input.email, phoneNumber };
}
