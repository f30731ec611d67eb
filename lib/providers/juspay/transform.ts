/**
 * Juspay ↔ normalized model. Juspay keeps first/last name, email, and the phone as country code plus
 * national number; the merchant reference is `object_reference_id`. No kind (→ `unknown`) and no status
 * (→ `active`, raw null).
 */
import type { CustomerInput } from '../../customer/input.ts';
import { joinName, normalizeEmail, normalizePhone } from '../../customer/normalize.ts';
import type { CustomerSnapshot, Phone } from '../../customer/snapshot.ts';
import { isoTimestamp, splitE164, text } from '../shared.ts';
import type { JuspayCreateCustomerRequest, JuspayCustomer } from './wire.ts';

/** `mobile_country_code` + `mobile_number` → one phone; raw keeps both (`+65 99887766`) so nothing is lost. */
export function juspayPhone(
  countryCode: string | null | undefined,
  number: string | null | undefined,
): Phone | null {
  const national = text(number);
  if (national === null) return null;
  const code = text(countryCode)?.replace(/^\+/, '') ?? null;
  const normalized = normalizePhone(national, { countryCallingCode: code });
  if (normalized === null) return null;
  return { e164: normalized.e164, raw: code === null ? national : `+${code} ${national}` };
}

export function juspayCustomerToSnapshot(customer: JuspayCustomer, fetchedAt: Date): CustomerSnapshot {
  const givenName = text(customer.first_name);
  const familyName = text(customer.last_name);
  return {
    provider: 'juspay',
    providerCustomerId: customer.id,
    reference: text(customer.object_reference_id),
    kind: 'unknown',
    displayName: joinName(givenName, familyName),
    givenName,
    familyName,
    companyName: null,
    email: normalizeEmail(customer.email_address),
    phone: juspayPhone(customer.mobile_country_code, customer.mobile_number),
    document: null,
    locale: null,
    status: { normalized: 'active', raw: null },
    balances: [],
    metadata: null,
    providerCreatedAt: isoTimestamp(customer.date_created),
    providerUpdatedAt: isoTimestamp(customer.last_updated),
    fetchedAt: fetchedAt.toISOString(),
  };
}

export const JUSPAY_MIN_REFERENCE_LENGTH = 8;

/** The create form, or null when the input lacks what Juspay requires. */
export function juspayCreateRequest(input: CustomerInput): JuspayCreateCustomerRequest | null {
  const phone = input.phone === undefined ? null : splitE164(input.phone);
  if (phone === null || input.reference.length < JUSPAY_MIN_REFERENCE_LENGTH) return null;
  const firstName = input.kind === 'company' ? text(input.companyName) : text(input.givenName);
  const lastName = input.kind === 'company' ? null : text(input.familyName);
  return {
    object_reference_id: input.reference,
    mobile_number: phone.nationalNumber,
    mobile_country_code: phone.countryCallingCode,
    ...(input.email === undefined ? {} : { email_address: input.email }),
    ...(firstName === null ? {} : { first_name: firstName }),
    ...(lastName === null ? {} : { last_name: lastName }),
  };
}
