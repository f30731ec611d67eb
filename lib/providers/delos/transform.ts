/**
 * Delos ↔ normalized model. Individuals have `name` + `lastname`; corporates have `company` (the legal
 * name), `name` (often the same) and an empty `lastname`. Balances stay exact (units + nanos → decimal
 * string through BigInt). Phones come international (`+44…`) and may be masked: kept raw, E.164 null.
 */
import type { CustomerInput } from '../../customer/input.ts';
import { joinName, moneyFromUnitsNanos, normalizeEmail, normalizePhone } from '../../customer/normalize.ts';
import type { Balance, CustomerSnapshot, CustomerStatus } from '../../customer/snapshot.ts';
import { isoTimestamp, text } from '../shared.ts';
import {
  DELOS_STATUSES,
  DELOS_WEBHOOK_STATUS_CODES,
  type DelosCreateCustomerRequest,
  type DelosCustomer,
  type DelosMoney,
  type DelosStatus,
} from './wire.ts';

const isDelosStatus = (value: string): value is DelosStatus =>
  DELOS_STATUSES.some((status) => status === value);

/** Exhaustive: a status added to DELOS_STATUSES without a mapping fails to compile. */
function normalizeDelosStatus(status: DelosStatus): CustomerStatus {
  switch (status) {
    case 'NEW':
      return 'pending';
    case 'READY_FOR_MODERATION':
    case 'MODERATED':
    case 'VERIFY':
      // Moderated is a step, not a verdict: ACCEPT/REJECT/BANNED are the result statuses.
      return 'in_review';
    case 'ACCEPT':
      return 'active';
    case 'REJECT':
      return 'rejected';
    case 'BANNED':
      return 'blocked';
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

/** REST string status → normalized; unknown values map to `unknown` with the raw value kept. */
export function delosStatus(raw: string | null | undefined): CustomerSnapshot['status'] {
  const value = text(raw);
  if (value === null) return { normalized: 'unknown', raw: null };
  return { normalized: isDelosStatus(value) ? normalizeDelosStatus(value) : 'unknown', raw: value };
}

const isWebhookCode = (code: number): code is keyof typeof DELOS_WEBHOOK_STATUS_CODES =>
  Object.hasOwn(DELOS_WEBHOOK_STATUS_CODES, code);

/**
 * The customer webhook's integer status (0 NEW, 1 MODERATION, 2 MODERATED, 6 VERIFY, 3 ACCEPT, 4 REJECT,
 * 5 BANNED) → the same normalized status as REST, with the REST name as raw so both sources agree.
 */
export function delosStatusFromWebhookCode(code: number): CustomerSnapshot['status'] {
  if (!isWebhookCode(code)) return { normalized: 'unknown', raw: String(code) };
  const status = DELOS_WEBHOOK_STATUS_CODES[code];
  return { normalized: normalizeDelosStatus(status), raw: status };
}

function balance(name: string, money: DelosMoney | null | undefined): Balance[] {
  if (!money) return [];
  return [{ name, currency: money.currencyCode, amount: moneyFromUnitsNanos(money.units, money.nanos) }];
}

function kindOf(type: string | null): CustomerSnapshot['kind'] {
  if (type === 'CORPORATE') return 'company';
  if (type === 'INDIVIDUAL') return 'individual';
  return 'unknown';
}

export function delosCustomerToSnapshot(customer: DelosCustomer, fetchedAt: Date): CustomerSnapshot {
  const kind = kindOf(text(customer.type)?.toUpperCase() ?? null);
  const name = text(customer.name);
  const lastname = text(customer.lastname);
  const company = text(customer.company);
  const metadata: Record<string, string> = {};
  if (customer.partnerId) metadata.partnerId = customer.partnerId;
  const comment = text(customer.comment);
  if (comment) metadata.comment = comment;
  const isCompany = kind === 'company';
  return {
    provider: 'delos',
    providerCustomerId: customer.id,
    reference: null,
    kind,
    displayName: isCompany ? (name ?? company) : joinName(name, lastname),
    givenName: isCompany ? null : name,
    familyName: isCompany ? null : lastname,
    companyName: isCompany ? (company ?? name) : company,
    email: normalizeEmail(customer.email),
    phone: normalizePhone(customer.phone),
    document: null,
    locale: null,
    status: delosStatus(customer.status),
    balances: [...balance('balance', customer.balance), ...balance('balanceHold', customer.balanceHold)],
    metadata: Object.keys(metadata).length > 0 ? metadata : null,
    providerCreatedAt: isoTimestamp(customer.createAt),
    providerUpdatedAt: isoTimestamp(customer.updateAt),
    fetchedAt: fetchedAt.toISOString(),
  };
}

/** The create body, or null when the input has no name for Delos. */
export function delosCreateRequest(input: CustomerInput): DelosCreateCustomerRequest | null {
  if (input.kind === 'company') {
    const company = text(input.companyName);
    return company === null ? null : { name: company, company, type: 'CORPORATE' };
  }
  const name = text(input.givenName);
  if (name === null) return null;
  const lastname = text(input.familyName);
  return { name, ...(lastname === null ? {} : { lastname }), type: 'INDIVIDUAL' };
}

const CREATE_MARKER_PREFIX = 'customer-sync:';

/**
 * What our create puts in Delos's `comment` so a retried create can find the customer an earlier
 * attempt made (Delos has no idempotency key and no merchant reference). `comment` is Delos's
 * "internal notes": not shown to the customer, and the key is a per-link random id, never customer data.
 */
export function delosCreateMarker(idempotencyKey: string): string {
  return `${CREATE_MARKER_PREFIX}${idempotencyKey}`;
}

/** Whether a Delos customer carries this create's marker, also when someone added notes around it. */
export function hasDelosCreateMarker(
  customer: Pick<DelosCustomer, 'comment'>,
  idempotencyKey: string,
): boolean {
  const marker = delosCreateMarker(idempotencyKey);
  return (customer.comment ?? '').split(/\s+/).includes(marker);
}
