/**
 * The one HTTP client factory every provider uses: ky for the exchange, plus what ky alone does not give
 * a payments integration.
 *
 * Retry is implemented here around ky (`retry: 0`, `timeout: false`, `throwHttpErrors: false`) instead of
 * ky's built-in retry, because ky 1.x cannot express:
 * - a total time budget across attempts (ky's `timeout` is per attempt only),
 * - awaiting the client-side rate limiter before every attempt, retries included,
 * - a per-call decision that a POST is safe to retry (ky's `retry.methods` is per client),
 * - giving up when `Retry-After` exceeds the cap (ky's docs say it cancels, ky 1.14's code clamps),
 * - a timeout that also covers reading the body (ky's timeout stops once the headers arrive).
 * ky still builds the request, encodes JSON/search params and runs the auth hook (`beforeRequest`).
 *
 * Failures surface as the typed errors of errors.ts. Messages carry provider, operation, status and the
 * provider's (redacted) error text only: never URLs, headers, bodies, credentials or customer data.
 */
import ky from 'ky';
import type * as z from 'zod/mini';
import type { ProviderName } from '../customer/snapshot.ts';
import { defaultErrorMapper, type ErrorMapper } from './error-mapping.ts';
import {
  type AnyProviderError,
  isProviderError,
  ProviderContractError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from './errors.ts';
import { redactText } from './redact.ts';
import { parseRetryAfter } from './retry-after.ts';
import { createTokenBucket, defaultSleep, type RateLimiter } from './token-bucket.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = one attempt only). */
  limit: number;
  /** Exponential backoff: attempt n waits uniformly in [0, min(maxBackoffMs, base * 2^(n-1))] (full jitter). */
  backoffBaseMs: number;
  maxBackoffMs: number;
  /** A `Retry-After` above this is not waited out: the call fails with ProviderRateLimitedError at once. */
  maxRetryAfterSeconds: number;
}

export interface RateLimitPolicy {
  requestsPerSecond: number;
  burst: number;
}

export interface HttpTuning {
  /** Per attempt, from the request being sent until its body has been read. */
  timeoutMs: number;
  /** All attempts, waits and backoffs of one call together. */
  totalBudgetMs: number;
  retry: RetryPolicy;
  rateLimit: RateLimitPolicy | null;
}

export interface HttpAuth {
  /** Puts credentials on the outgoing request; runs as ky's `beforeRequest` hook on every attempt. */
  authorize(request: Request): void | Promise<void>;
  /**
   * Called on a 401 with the request that got it; return true to try once more with fresh credentials
   * (Delos: the JWT expired or was revoked). A second 401 fails with ProviderAuthError.
   */
  onUnauthorized?(request: Request): boolean | Promise<boolean>;
}

/** A static `Authorization: Bearer <key>` (Palomma, Mollie); the key is revealed only on the request. */
export const bearerAuth = (key: { reveal(): string }): HttpAuth => ({
  authorize: (request) => {
    request.headers.set('authorization', `Bearer ${key.reveal()}`);
  },
});

export interface HttpLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface HttpDeps {
  fetch?: typeof globalThis.fetch;
  /** In [0, 1); drives the backoff jitter. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  logger?: HttpLogger;
  /** Shared with other clients of the same provider; built from `rateLimit` when absent. */
  rateLimiter?: RateLimiter | null;
}

export interface ProviderHttpOptions extends HttpTuning {
  provider: ProviderName;
  baseUrl: string;
  auth?: HttpAuth;
  mapError?: ErrorMapper;
  /** Sent on every request (e.g. `Accept`). */
  headers?: Record<string, string>;
  /** Exact values scrubbed from any provider text that reaches an error (API keys, passwords). */
  secrets?: () => readonly string[];
}

export type SearchParams = Record<string, string | number | boolean | undefined>;

export interface RequestOptions<T> {
  /** Names the call in errors, logs and counters: `getCustomer`, `createCustomer`, `login`. */
  operation: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the base URL (`customers/abc`); path segments must already be encoded. */
  path: string;
  searchParams?: SearchParams;
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (undefined values are left out). */
  form?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** The wire schema of the 2xx body; a body that fails it is a ProviderContractError. */
  schema: z.ZodMiniType<T>;
  /** Whether a failed attempt may be repeated: defaults to true for GET, false otherwise. */
  retryable?: boolean;
  /** Run the auth hook (default true; false for the login call itself). */
  authenticate?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

export interface HttpCounters {
  /** Calls to request(). */
  requests: number;
  /** HTTP attempts sent (first tries, retries and auth retries). */
  attempts: number;
  /** Attempts after the first of a call. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** 5xx and 408 responses received. */
  serverErrors: number;
  /** Attempts that ran past the per-attempt timeout. */
  timeouts: number;
  /** Attempts that failed below HTTP (reset, refused, DNS). */
  networkErrors: number;
  /** Retries after a 401 with refreshed credentials. */
  authRetries: number;
  /** Total time spent waiting for the client-side rate limiter. */
  rateLimitWaitMs: number;
}

export interface ProviderHttp {
  readonly provider: ProviderName;
  readonly baseUrl: string;
  request<T>(options: RequestOptions<T>): Promise<HttpResponse<T>>;
  counters(): HttpCounters;
  resetCounters(): void;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string };

const zeroCounters = (): HttpCounters => ({
  requests: 0,
  attempts: 0,
  retries: 0,
  rateLimited: 0,
  serverErrors: 0,
  timeouts: 0,
  networkErrors: 0,
  authRetries: 0,
  rateLimitWaitMs: 0,
});

/** A low-level error code (ECONNRESET, UND_ERR_SOCKET...) without the message, which may hold a URL. */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return 'NETWORK_ERROR';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Joins the base URL and a relative path without ky's `prefixUrl` (which rejects a leading slash). */
function resolveUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function createProviderHttp(options: ProviderHttpOptions, deps: HttpDeps = {}): ProviderHttp {
  const { provider, baseUrl, auth, retry } = options;
  const mapError = options.mapError ?? defaultErrorMapper;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const logger = deps.logger;
  const rateLimiter =
    deps.rateLimiter !== undefined
      ? deps.rateLimiter
      : options.rateLimit
        ? createTokenBucket({ ...options.rateLimit, now, sleep })
        : null;
  const redact = (text: string) => redactText(text, options.secrets?.() ?? []);
  let counters = zeroCounters();

  async function attempt(
    url: string,
    request: RequestOptions<unknown>,
    method: string,
    timeoutMs: number,
    onRequest: (request: Request) => void,
  ): Promise<AttemptOutcome> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const startTimer = () => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    const body =
      request.form === undefined
        ? undefined
        : new URLSearchParams(
            Object.entries(request.form).flatMap(([key, value]): [string, string][] =>
              value === undefined ? [] : [[key, value]],
            ),
          );
    try {
      const response = await ky(url, {
        method,
        headers: { ...options.headers, ...request.headers },
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(body === undefined ? {} : { body }),
        ...(request.searchParams === undefined
          ? {}
          : {
              searchParams: Object.fromEntries(
                Object.entries(request.searchParams).flatMap(([key, value]): [string, string][] =>
                  value === undefined ? [] : [[key, String(value)]],
                ),
              ),
            }),
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        signal: controller.signal,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        hooks: {
          beforeRequest: [
            async (kyRequest) => {
              // Auth first (Delos may log in here), then the clock starts: login has its own budget.
              if (auth && request.authenticate !== false) await auth.authorize(kyRequest);
              onRequest(kyRequest);
              startTimer();
            },
          ],
        },
      });
      const text = await response.text();
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (error) {
      if (timedOut) return { kind: 'timeout' };
      // Errors thrown by our own auth hook (e.g. Delos login failed) are already typed: pass them on.
      if (isProviderError(error)) throw error;
      return { kind: 'network', code: networkCode(error) };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  async function request<T>(request: RequestOptions<T>): Promise<HttpResponse<T>> {
    counters.requests++;
    const method = request.method ?? 'GET';
    const retryable = request.retryable ?? method === 'GET';
    const url = resolveUrl(baseUrl, request.path);
    const deadline = now() + options.totalBudgetMs;
    const { operation } = request;
    const base = { provider, operation } as const;
    let attemptNumber = 0;
    let authRetried = false;
    let lastError: AnyProviderError | undefined;

    const budgetExhausted = (): AnyProviderError =>
      lastError ??
      new ProviderTimeoutError({
        ...base,
        providerMessage: `total budget of ${options.totalBudgetMs} ms exhausted`,
      });

    for (;;) {
      attemptNumber++;
      if (rateLimiter) {
        const taken = await rateLimiter.take(Math.max(0, deadline - now()));
        if (!taken.ok) throw budgetExhausted();
        counters.rateLimitWaitMs += taken.waitedMs;
      }
      const remaining = deadline - now();
      if (remaining <= 0) throw budgetExhausted();
      counters.attempts++;
      if (attemptNumber > 1) counters.retries++;

      let sent: Request | undefined;
      const attemptTimeout = Math.min(options.timeoutMs, remaining);
      const outcome = await attempt(url, request, method, attemptTimeout, (r) => {
        sent = r;
      });

      let error: AnyProviderError;
      let retryAfterSeconds: number | undefined;
      let transient: boolean;
      if (outcome.kind === 'response') {
        const { status, headers, text } = outcome;
        if (status >= 200 && status < 300) return decode(request, outcome);
        if (
          status === 401 &&
          !authRetried &&
          sent &&
          auth?.onUnauthorized &&
          request.authenticate !== false
        ) {
          if (await auth.onUnauthorized(sent)) {
            authRetried = true;
            counters.authRetries++;
            attemptNumber--; // a credentials refresh is not a retry of the request's own failure
            logger?.debug('provider http: retrying once with refreshed credentials', { ...base, status });
            continue;
          }
        }
        if (status === 429) counters.rateLimited++;
        if (status === 408 || status >= 500) counters.serverErrors++;
        retryAfterSeconds =
          status === 429 || status === 503 ? parseRetryAfter(headers.get('retry-after'), now()) : undefined;
        const parsed = text === '' ? undefined : parseJson(text);
        error = mapError({
          ...base,
          status,
          body: parsed?.ok ? parsed.value : undefined,
          retryAfterSeconds,
          redact,
        });
        transient = status === 408 || status === 429 || status >= 500;
      } else if (outcome.kind === 'timeout') {
        counters.timeouts++;
        error = new ProviderTimeoutError({
          ...base,
          providerMessage:
            attemptTimeout < options.timeoutMs
              ? `total budget of ${options.totalBudgetMs} ms exhausted`
              : `attempt exceeded ${options.timeoutMs} ms`,
        });
        transient = true;
      } else {
        counters.networkErrors++;
        error = new ProviderUnavailableError({
          ...base,
          providerMessage: `network error ${outcome.code}`,
          cause: new Error(outcome.code),
        });
        transient = true;
      }
      lastError = error;

      if (!transient || !retryable || attemptNumber > retry.limit) throw error;

      let delayMs: number;
      if (retryAfterSeconds !== undefined) {
        // Waiting a clamped time would only earn another 429: hand the wait to the caller (queue,
        // scheduler), which sees it on ProviderRateLimitedError.retryAfterSeconds.
        if (retryAfterSeconds > retry.maxRetryAfterSeconds) throw error;
        delayMs = retryAfterSeconds * 1000;
      } else {
        delayMs = random() * Math.min(retry.maxBackoffMs, retry.backoffBaseMs * 2 ** (attemptNumber - 1));
      }
      if (now() + delayMs >= deadline) throw error;
      logger?.warn('provider http: retrying', {
        ...base,
        attempt: attemptNumber,
        failure: error.name,
        status: error.status,
        delayMs: Math.round(delayMs),
      });
      await sleep(delayMs);
    }
  }

  function decode<T>(
    request: RequestOptions<T>,
    outcome: { status: number; headers: Headers; text: string },
  ): HttpResponse<T> {
    const base = { provider, operation: request.operation, status: outcome.status } as const;
    let body: unknown;
    if (outcome.text !== '') {
      const parsed = parseJson(outcome.text);
      if (!parsed.ok) throw new ProviderContractError({ ...base, providerMessage: 'body is not JSON' });
      body = parsed.value;
    }
    const result = request.schema.safeParse(body);
    if (!result.success) {
      // Paths only: the values may be personal data.
      const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
      throw new ProviderContractError({
        ...base,
        providerMessage: `body fails the wire schema (${issues.slice(0, 5).join('; ')})`,
        issues,
      });
    }
    return { status: outcome.status, data: result.data, headers: outcome.headers };
  }

  return {
    provider,
    baseUrl,
    request,
    counters: () => ({ ...counters }),
    resetCounters: () => {
      counters = zeroCounters();
    },
  };
}
