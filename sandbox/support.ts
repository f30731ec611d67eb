/**
 * Small pieces every provider sandbox shares: a customer table that remembers deletions, a seeded
 * PRNG so `seed: n` produces the same customers on every run, id and timestamp formats, and body
 * parsing that never throws.
 */
import { randomBytes } from 'node:crypto';

/** A provider customer as it travels on the wire; kept loose so tests can insert "ugly" data. */
export type WireRecord = Record<string, unknown>;

/** Customers in insertion order; deleted ones stay known so providers can answer 410 (Mollie). */
export class CustomerTable<T> {
  readonly #rows = new Map<string, T>();
  readonly #deleted = new Set<string>();

  put(id: string, row: T): void {
    this.#rows.set(id, row);
    this.#deleted.delete(id);
  }

  /** The live row, or undefined when unknown or deleted. */
  get(id: string): T | undefined {
    return this.#deleted.has(id) ? undefined : this.#rows.get(id);
  }

  isDeleted(id: string): boolean {
    return this.#deleted.has(id);
  }

  delete(id: string): boolean {
    if (!this.#rows.has(id) || this.#deleted.has(id)) return false;
    this.#deleted.add(id);
    return true;
  }

  /** Live rows in insertion order, with their ids. */
  entries(): [string, T][] {
    return [...this.#rows].filter(([id]) => !this.#deleted.has(id));
  }

  live(): T[] {
    return this.entries().map(([, row]) => row);
  }

  get size(): number {
    return this.#rows.size - this.#deleted.size;
  }

  clear(): void {
    this.#rows.clear();
    this.#deleted.clear();
  }
}

/** mulberry32: tiny, fast and good enough to make demo data repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(
  length: number,
  alphabet: 'alphanumeric' | 'lower' | 'digits' = 'alphanumeric',
  random?: () => number,
): string {
  const chars =
    alphabet === 'lower' ? LOWER_ALPHANUMERIC : alphabet === 'digits' ? '0123456789' : ALPHANUMERIC;
  const bytes = random ? null : randomBytes(length);
  let out = '';
  for (let index = 0; index < length; index++) {
    const value = random ? Math.floor(random() * 256) : (bytes?.[index] ?? 0);
    out += chars[value % chars.length];
  }
  return out;
}

/** `2024-01-15T10:30:00Z`: whole seconds, `Z` (Palomma, Delos, Juspay). */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** `2022-01-03T13:42:04+00:00` (Mollie). */
export function isoOffset(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** Demo customers are spread over 2024, one every ~36 hours, so lists have a stable order. */
export function seededDate(index: number, random: () => number): Date {
  const base = Date.UTC(2024, 0, 2, 9, 0, 0);
  return new Date(base + index * 36 * 3_600_000 + randomInt(random, 0, 3_599) * 1_000);
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false };

export function parseJson(body: Buffer): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function isRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Parses `?limit=` style integers strictly: `"10"` → 10, `"1e3"`, `"abc"`, `"-1"` → null. */
export function parseIntParam(raw: string | null): number | null {
  if (raw === null || !/^\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}

/** The value of a header that may repeat (node gives an array then). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Error bodies for providers whose errors are one text field (Palomma `{message}`, Delos `{error}`),
 * with the wording both use for the statuses the sandbox produces itself.
 */
export function textErrorResponse(
  field: string,
  reasonPhrase: (status: number) => string,
): (status: number) => { status: number; body: WireRecord } {
  const texts: Record<number, string> = {
    401: 'Unauthorized',
    404: 'Not found',
    429: 'Too many requests',
    500: 'Internal server error',
  };
  return (status) => ({ status, body: { [field]: texts[status] ?? reasonPhrase(status) } });
}
