/**
 * PII and secret redaction for anything that leaves the process as text (logs, error bodies).
 *
 * Two nets, because neither is enough alone: values under sensitive keys are replaced whatever they look
 * like (a name looks like any other string), and every other string is scanned for things that look like
 * emails, phone or document numbers, bearer tokens and API keys (a provider's error text can quote them).
 * It over-redacts on purpose: a masked order number costs less than a leaked phone number.
 */

export const REDACTED = '[redacted]';

/** Keys compared lower-cased with everything but letters and digits removed: `x-signature` → `xsignature`. */
const SENSITIVE_KEYS = new Set([
  // contact
  'email',
  'emailaddress',
  'mail',
  'phone',
  'phonenumber',
  'mobile',
  'mobilenumber',
  'msisdn',
  'telephone',
  'address',
  // identity
  'name',
  'fullname',
  'displayname',
  'givenname',
  'familyname',
  'firstname',
  'middlename',
  'lastname',
  'company',
  'companyname',
  'legalname',
  'document',
  'documentnumber',
  'nationalid',
  'taxid',
  'dateofbirth',
  'birthdate',
  'dob',
  'login',
  'username',
  // secrets
  'apikey',
  'password',
  'passwd',
  'pwd',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'secret',
  'clientsecret',
  'privatekey',
  'credentials',
  'signature',
  'xsignature',
  'xmolliesignature',
  // Palomma webhooks carry the whole body, customer included, base64-encoded in this header.
  'xencodeddata',
  'integritykey',
  'otp',
]);

/** `webhookPassword`, `customerEmail`, `x-api-key`, `nextToken`… */
const SENSITIVE_SUFFIXES = [
  'password',
  'secret',
  'token',
  'apikey',
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'signature',
  'authorization',
  'credentials',
  'integritykey',
];

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SENSITIVE_KEYS.has(normalized) || SENSITIVE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

const TEXT_PATTERNS: ReadonlyArray<
  readonly [RegExp, string | ((match: string, ...groups: string[]) => string)]
> = [
  // `password=hunter2`, `"apiKey": "abc"`, `?token=abc` inside free text, URLs and embedded JSON.
  [
    /((?:pass(?:word|wd)?|secret|token|api[_-]?key|authorization|signature)["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Digest)\s+)?[^\s"',;&]+/gi,
    `$1${REDACTED}`,
  ],
  [/\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  // Basic/Digest only when a credential-looking token follows, so "Basic auth failed" stays readable.
  [/\b(Basic|Digest)\s+(?=[A-Za-z0-9\-._~+/]*[0-9+/=])[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  // JWTs (Delos access/refresh tokens) and Mollie-style keys, wherever they appear.
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
  [/\b(?:live|test|access)_[A-Za-z0-9]{8,}/g, REDACTED],
  // Anything@anything, masked ones (`j***@example.com`) included.
  // The lookbehind makes matches start only at the start of a run: linear time on long blobs without `@`.
  [/(?<![^\s@<>()[\]",;:])[^\s@<>()[\]",;:]+@[^\s@<>()[\]",;:]+/g, REDACTED],
  // Phone and document numbers: 7+ digits, optionally `+`-led and split by spaces, dashes, dots, parentheses. Digits that
  // are part of a longer identifier (ULIDs, `cst_…`) are left alone, and so are ISO dates.
  [
    /(?<![A-Za-z0-9_])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?![A-Za-z0-9_])/g,
    (match) => (/^\d{4}-\d{2}-\d{2}$/.test(match) ? match : REDACTED),
  ],
];

/** Masks emails, long digit runs, bearer/basic credentials, JWTs and API keys inside free text. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) {
    result =
      typeof replacement === 'string'
        ? result.replace(pattern, replacement)
        : result.replace(pattern, (match: string) => replacement(match));
  }
  return result;
}

export interface RedactOptions {
  /** How an `Error` becomes a plain object before it is redacted (the logger passes Powertools' own). */
  formatError?: (error: Error) => Record<string, unknown>;
  /** Deeper values become `[truncated]`: log items are not the place for whole object graphs. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 12;

/**
 * A redacted deep copy of `value`, safe to `JSON.stringify`: sensitive keys (case-insensitive, any
 * separator) hold `[redacted]`, every string is passed through {@link redactText}, errors become plain
 * objects, cycles become `[circular]`, and `null`/`undefined` stay as they are (an absent email is not a
 * secret, and seeing it helps debugging). Never throws, whatever the input.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  const walker = new Walker(options.formatError ?? defaultFormatError, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  return walker.walk(value, 0);
}

/** {@link redact} for a record of attributes, keeping its record type. */
export function redactRecord(
  record: Record<string, unknown>,
  options: RedactOptions = {},
): Record<string, unknown> {
  const result = redact(record, options);
  return isRecord(result) ? result : {};
}

class Walker {
  readonly #ancestors = new Set<object>();
  readonly #formatError: (error: Error) => Record<string, unknown>;
  readonly #maxDepth: number;

  constructor(formatError: (error: Error) => Record<string, unknown>, maxDepth: number) {
    this.#formatError = formatError;
    this.#maxDepth = maxDepth;
  }

  walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return redactText(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'symbol' || typeof value === 'function') return undefined;
    if (typeof value !== 'object' || value === null) return value;
    if (this.#ancestors.has(value)) return '[circular]';
    if (depth >= this.#maxDepth) return '[truncated]';
    this.#ancestors.add(value);
    try {
      return this.#walkObject(value, depth);
    } catch {
      // Throwing getters, revoked proxies, toJSON that throws: say so rather than fail the log call.
      return '[unreadable]';
    } finally {
      this.#ancestors.delete(value);
    }
  }

  #walkObject(value: object, depth: number): unknown {
    if (value instanceof Error) {
      const { name, ...rest } = this.#formatError(value);
      // The error's class name is code, not data; it is what alarms and searches key on.
      return {
        name: typeof name === 'string' ? name : undefined,
        ...this.#walkEntries(Object.entries(rest), depth),
      };
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return '[binary]';
    if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1));
    if (value instanceof Map) {
      return this.#walkEntries(
        [...value.entries()].map(([key, item]): [string, unknown] => [String(key), item]),
        depth,
      );
    }
    if (value instanceof Set) return [...value].map((item) => this.walk(item, depth + 1));
    if ('toJSON' in value && typeof value.toJSON === 'function') {
      // Dates, URLs, decimal types: redact what JSON.stringify would print.
      const json: unknown = value.toJSON();
      return json === value ? this.#walkEntries(Object.entries(value), depth) : this.walk(json, depth + 1);
    }
    return this.#walkEntries(Object.entries(value), depth);
  }

  #walkEntries(entries: Array<[string, unknown]>, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      result[key] =
        isSensitiveKey(key) && item !== null && item !== undefined ? REDACTED : this.walk(item, depth + 1);
    }
    return result;
  }
}

function defaultFormatError(error: Error): Record<string, unknown> {
  const formatted: Record<string, unknown> = {
    name: error.name,
    message: error.message,
    stack: error.stack,
  };
  if (error.cause !== undefined) formatted.cause = error.cause;
  for (const [key, item] of Object.entries(error)) {
    if (!(key in formatted)) formatted[key] = item;
  }
  return formatted;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
