/**
 * Normalizers from provider wire values to the snapshot's shapes. All are pure, and total over provider
 * data: odd values (masked, partial, empty) are normalized as far as they go, never rejected. The one
 * exception is money, where a value that cannot be read exactly is a broken contract, not an odd value.
 */
import type { DocumentType, Phone } from './snapshot.ts';

// ---------------------------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------------------------

/**
 * E.164 allows at most 15 digits (country code included). The floor of 7 matches `CustomerInputSchema`
 * (the shortest real numbers, e.g. Niue `+683 4002`, have 7), so any phone a merchant may create reads back
 * as the same E.164.
 */
const E164_MIN_DIGITS = 7;
const E164_MAX_DIGITS = 15;
/** Formatting a human or a provider may put inside a number: whitespace, dashes, dots, parentheses. */
const PHONE_SEPARATORS = /[\s\-\u2010-\u2015.()]/g;
/** Providers mask numbers with `*` (Delos) or `x`/`X`; `x` is also how people write extensions. */
const PHONE_MASK = /[*xX•]/;
/** Italy (and its enclaves) keep the leading 0 of landlines in E.164; elsewhere it is a trunk prefix. */
const KEEPS_LEADING_ZERO = new Set(['39', '378', '379']);

export interface NormalizePhoneOptions {
  /** Country calling code for numbers without `+`: Palomma `57`, Juspay's `mobile_country_code`. */
  countryCallingCode?: string | null | undefined;
}

/**
 * Hand-written on purpose: libphonenumber-js's metadata alone would blow the 300 KB Lambda bundle budget.
 * So this checks shape (digit counts), not numbering plans: `e164` is the number in E.164 form where it
 * can be derived from the digits, never a promise that the number exists. `raw` is always kept verbatim.
 */
export function normalizePhone(
  raw: string | null | undefined,
  options: NormalizePhoneOptions = {},
): Phone | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  return { e164: toE164(raw, options.countryCallingCode), raw };
}

function toE164(raw: string, countryCallingCode: string | null | undefined): string | null {
  if (PHONE_MASK.test(raw)) return null;
  const compact = raw.replace(PHONE_SEPARATORS, '');
  if (compact.startsWith('+')) return e164FromDigits(compact.slice(1));
  if (!/^\d+$/.test(compact)) return null;
  const cc = countryCallingCode?.trim().replace(/^\+/, '');
  if (cc === undefined || !/^[1-9]\d{0,2}$/.test(cc)) return null;
  // A single leading 0 is the national trunk prefix (`07030 688664` in India); E.164 drops it.
  const national = compact.startsWith('0') && !KEEPS_LEADING_ZERO.has(cc) ? compact.slice(1) : compact;
  return e164FromDigits(`${cc}${national}`);
}

function e164FromDigits(digits: string): string | null {
  if (!/^[1-9]\d*$/.test(digits)) return null;
  if (digits.length < E164_MIN_DIGITS || digits.length > E164_MAX_DIGITS) return null;
  return `+${digits}`;
}

// ---------------------------------------------------------------------------------------------------------
// Money (google.type.Money: units + nanos, 10^-9)
// ---------------------------------------------------------------------------------------------------------

const NANOS_PER_UNIT = 1_000_000_000n;
const MAX_NANOS = 999_999_999;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Exact decimal string from Google's Money parts: `("2835", 800000002)` → `"2835.800000002"`. BigInt only:
 * a float cannot hold 2835.800000002.
 *
 * Throws a `RangeError` (adapters turn it into a `ProviderContractError`) when the pair breaks Google's
 * rules: units not an integer, nanos not an integer within ±999,999,999, or units and nanos of opposite
 * signs. Unlike odd-looking names or emails, such a value has no exact meaning to keep.
 */
export function moneyFromUnitsNanos(units: string | number | bigint, nanos: number): string {
  const u = parseUnits(units);
  if (!Number.isInteger(nanos) || Math.abs(nanos) > MAX_NANOS) {
    throw new RangeError('Money nanos must be an integer within ±999,999,999');
  }
  if ((u > 0n && nanos < 0) || (u < 0n && nanos > 0)) {
    throw new RangeError('Money units and nanos must have the same sign');
  }
  const total = u * NANOS_PER_UNIT + BigInt(nanos);
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const whole = (abs / NANOS_PER_UNIT).toString();
  const fraction = (abs % NANOS_PER_UNIT).toString().padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * The exact inverse of {@link moneyFromUnitsNanos}: `"-0.5"` → `{ units: "0", nanos: -500000000 }`.
 * Throws a `RangeError` for anything that is not a decimal string, or that has non-zero digits beyond the
 * ninth decimal place (it cannot be represented without rounding, and money is never rounded silently).
 */
export function unitsNanosFromMoney(amount: string): { units: string; nanos: number } {
  const match = DECIMAL.exec(amount.trim());
  if (match === null) throw new RangeError('Money amount must be a decimal string such as "12.5"');
  const [, sign, whole = '0', fractionRaw = ''] = match;
  const fraction = fractionRaw.replace(/0+$/, '');
  if (fraction.length > 9) throw new RangeError('Money amount has more precision than nanos (10^-9)');
  const negative = sign === '-';
  const units = BigInt(whole);
  const nanos = Number(fraction.padEnd(9, '0'));
  return {
    units: (negative ? -units : units).toString(),
    // `|| 0` turns -0 into 0 so that "-0" and "0" read the same.
    nanos: negative ? -nanos || 0 : nanos,
  };
}

function parseUnits(units: string | number | bigint): bigint {
  if (typeof units === 'bigint') return units;
  if (typeof units === 'number') {
    if (!Number.isSafeInteger(units)) throw new RangeError('Money units must be an exact integer');
    return BigInt(units);
  }
  const trimmed = units.trim();
  if (!INTEGER.test(trimmed)) throw new RangeError('Money units must be an integer string');
  return BigInt(trimmed);
}

// ---------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------

export interface NameParts {
  givenName: string | null;
  familyName: string | null;
}

function collapse(value: string | null | undefined): string {
  return (value ?? '').replace(/\s+/gu, ' ').trim();
}

/**
 * Splits a full name (Palomma `name`, Mollie `name`) at its first space: `"Pepito Perez"` → Pepito / Perez.
 * Names do not split reliably (`Juan Carlos Pérez Gómez` has two given names), so this is the one
 * predictable rule, and snapshots keep the full string as `displayName` beside it.
 */
export function splitFullName(full: string | null | undefined): NameParts {
  const name = collapse(full);
  if (name === '') return { givenName: null, familyName: null };
  const space = name.indexOf(' ');
  if (space === -1) return { givenName: name, familyName: null };
  return { givenName: name.slice(0, space), familyName: name.slice(space + 1) };
}

/** `"John", "Doe"` → `"John Doe"`; empty parts (Delos corporates send `lastname: ""`) are left out. */
export function joinName(given: string | null | undefined, family: string | null | undefined): string | null {
  const joined = [collapse(given), collapse(family)].filter((part) => part !== '').join(' ');
  return joined === '' ? null : joined;
}

// ---------------------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------------------

/** Trimmed and lower-cased, never validated: providers mask emails (`j***@example.com`) and we keep them. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  const email = (raw ?? '').trim().toLowerCase();
  return email === '' ? null : email;
}

// ---------------------------------------------------------------------------------------------------------
// Document type
// ---------------------------------------------------------------------------------------------------------

const DOCUMENT_TYPE_ALIASES: ReadonlyMap<string, DocumentType> = new Map([
  ['cc', 'cc'],
  ['ce', 'ce'],
  ['nit', 'nit'],
  ['passport', 'passport'],
  ['pasaporte', 'passport'],
  ['pp', 'passport'],
]);

/** Known Colombian types by their usual spellings (`CC`, `C.C.`, `pasaporte`); anything else is `other`. */
export function normalizeDocumentType(raw: string | null | undefined): {
  type: DocumentType;
  rawType: string;
} {
  const rawType = raw ?? '';
  const key = rawType.toLowerCase().replace(/[\s._-]/g, '');
  return { type: DOCUMENT_TYPE_ALIASES.get(key) ?? 'other', rawType };
}
