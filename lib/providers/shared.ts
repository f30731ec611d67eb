/**
 * Pieces every provider adapter uses: dependencies, timestamp and text clean-up, the final snapshot check
 * and phone splitting for create requests.
 */

import type { CustomerInput } from '../customer/input.ts';
import { type CustomerSnapshot, CustomerSnapshotSchema, type ProviderName } from '../customer/snapshot.ts';
import {
  ProviderContractError,
  ProviderRejectedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../http/errors.ts';
import type { HttpCounters, HttpDeps } from '../http/provider-http.ts';
import { missingCreateFields, type ProviderAdapter, type RequiredCreateField } from './adapter.ts';

export interface AdapterDeps extends HttpDeps {
  /** Stamps `fetchedAt`; injectable so fixtures compare exactly. */
  clock?: () => Date;
}

/** What the registry hands out: the adapter contract plus its HTTP counters (benchmarks, metrics). */
export interface HttpProviderAdapter extends ProviderAdapter {
  counters(): HttpCounters;
  resetCounters(): void;
}

/** Trimmed text, or null for absent/blank: providers send `""` where they mean "none" (Delos `lastname`). */
export function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * A provider timestamp as UTC ISO-8601 with milliseconds, so snapshots from every provider order
 * correctly as strings. Unreadable or offset-less values become null rather than a guess.
 */
export function isoTimestamp(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  if (!trimmed || !/(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function isoFromEpochSeconds(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  return new Date(seconds * 1000).toISOString();
}

/**
 * Builds the snapshot and checks it against the shared schema. A transform that cannot read a value
 * exactly (money) or produces an invalid snapshot is the provider breaking its contract: the data is
 * never written, and the error names fields, not values.
 */
export function finishSnapshot(
  provider: ProviderName,
  operation: string,
  build: () => CustomerSnapshot,
): CustomerSnapshot {
  let snapshot: CustomerSnapshot;
  try {
    snapshot = build();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new ProviderContractError({ provider, operation, providerMessage: error.message, cause: error });
  }
  const checked = CustomerSnapshotSchema.safeParse(snapshot);
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`);
    throw new ProviderContractError({
      provider,
      operation,
      providerMessage: `normalized snapshot is invalid (${issues.slice(0, 5).join('; ')})`,
      issues,
    });
  }
  return checked.data;
}

/**
 * Country calling codes are prefix-free: 1 and 7 are one digit, the two-digit ones are listed, every
 * other code is three digits. This is enough to split an E.164 number for providers that want the
 * country code and the national number apart (Juspay) or national numbers only (Palomma, +57).
 */
const TWO_DIGIT_CODES = new Set([
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

export function splitE164(e164: string): { countryCallingCode: string; nationalNumber: string } | null {
  const match = /^\+([1-9]\d{6,14})$/.exec(e164);
  const digits = match?.[1];
  if (!digits) return null;
  const first = digits.slice(0, 1);
  const length = first === '1' || first === '7' ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  return { countryCallingCode: digits.slice(0, length), nationalNumber: digits.slice(length) };
}

/**
 * Failures after which a create may or may not have happened at the provider: the request may have been
 * processed before the connection dropped, the gateway gave up or the answer could not be read.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  return (
    error instanceof ProviderUnavailableError ||
    error instanceof ProviderTimeoutError ||
    error instanceof ProviderContractError
  );
}

/** A cursor the provider already gave once would loop forever: a broken contract, not the end. */
export function repeatedCursorError(provider: ProviderName): ProviderContractError {
  return new ProviderContractError({
    provider,
    operation: 'listCustomers',
    providerMessage: 'pagination cursor repeated',
  });
}

/** The input lacks what this provider needs to create: rejected before any call, naming fields only. */
export function missingFieldsError(
  provider: ProviderName,
  requiredCreateFields: readonly RequiredCreateField[],
  input: CustomerInput,
): ProviderRejectedError {
  const missing = missingCreateFields({ requiredCreateFields }, input);
  return new ProviderRejectedError({
    provider,
    operation: 'createCustomer',
    providerMessage: `input lacks ${missing.map((item) => `${item.field} (${item.rule})`).join(', ') || 'required fields'}`,
    providerCode: 'missing_fields',
  });
}
