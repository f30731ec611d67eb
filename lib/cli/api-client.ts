/**
 * A small client for the customer-sync API (the local gateway or API Gateway). Answers are parsed with
 * the API's own view schemas; failures become ApiError with the problem's detail and field names.
 * Requests that are safe to repeat (GETs, and POSTs carrying an Idempotency-Key) are retried on 429,
 * 502-504 and network errors.
 */
import * as z from 'zod/mini';
import type { CliApiConfig } from '../config/cli.ts';
import type { CustomerInput } from '../customer/input.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import { errorCode, type FieldIssue, isError } from './errors.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status, or undefined when no answer came (network, timeout). */
  readonly status: number | undefined;
  readonly fieldIssues: FieldIssue[];
  /** The parsed answer, for callers that read more of it (e.g. a 409 naming the existing customer). */
  readonly body: unknown;
  constructor(
    message: string,
    options: { status?: number; fieldIssues?: FieldIssue[]; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.fieldIssues = options.fieldIssues ?? [];
    this.body = options.body;
  }
}

const ProblemBodySchema = z.object({
  title: z.optional(z.string()),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

const RETRY_STATUSES = new Set([429, 502, 503, 504]);

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface ApiClientOptions extends CliApiConfig {
  fetch?: typeof fetch;
  /** Attempts for retry-safe requests (1 = no retry). */
  attempts?: number;
  /** Base of the exponential backoff, in ms. */
  backoffMs?: number;
}

export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 250;

  async function request(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<ApiResponse> {
    const url = `${options.apiUrl}${path}`;
    const headers: Record<string, string> = { 'x-api-key': options.apiKey, accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;
    const retrySafe = method === 'GET' || init.idempotencyKey !== undefined;
    const maxAttempts = retrySafe ? attempts : 1;

    for (let attempt = 1; ; attempt++) {
      const signals = [AbortSignal.timeout(options.timeoutMs)];
      if (init.signal) signals.push(init.signal);
      let response: Response;
      try {
        response = await doFetch(url, {
          method,
          headers,
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        // Refused means nothing listens (the stack is not running): retrying only delays the message.
        if (init.signal?.aborted || attempt >= maxAttempts || networkReason(error) === 'ECONNREFUSED') {
          throw new ApiError(
            `${method} ${path}: no answer from ${options.apiUrl} (${networkReason(error)})`,
            {
              cause: error,
            },
          );
        }
        await sleep(backoff(attempt, backoffMs, null), init.signal);
        continue;
      }
      const body = await readBody(response);
      if (response.ok) return { status: response.status, headers: response.headers, body };
      // 409 + Retry-After: the same Idempotency-Key is still being processed (another attempt of ours).
      const inProgress = response.status === 409 && response.headers.has('retry-after');
      if ((RETRY_STATUSES.has(response.status) || inProgress) && attempt < maxAttempts) {
        await sleep(backoff(attempt, backoffMs, response.headers.get('retry-after')), init.signal);
        continue;
      }
      throw apiErrorFrom(method, path, response.status, body);
    }
  }

  return {
    request,
    /** `POST /customers`: create at the given providers; the key makes a retry replay the first answer. */
    async createCustomer(
      customer: CustomerInput,
      providers: ProviderName[],
      idempotencyKey: string | undefined,
      signal?: AbortSignal,
    ): Promise<ApiResponse> {
      return request('POST', '/customers', {
        body: { customer, providers },
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...(signal ? { signal } : {}),
      });
    },
    async getCustomer(id: string): Promise<ApiResponse> {
      return request('GET', `/customers/${encodeURIComponent(id)}`);
    },
    async findByReference(reference: string): Promise<ApiResponse> {
      return request('GET', `/customers?reference=${encodeURIComponent(reference)}`);
    },
    async getHistory(
      id: string,
      provider: ProviderName,
      limit: number,
      cursor?: string,
    ): Promise<ApiResponse> {
      const query = new URLSearchParams({ provider, limit: String(limit) });
      if (cursor !== undefined) query.set('cursor', cursor);
      return request('GET', `/customers/${encodeURIComponent(id)}/history?${query}`);
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function apiErrorFrom(method: string, path: string, status: number, body: unknown): ApiError {
  const problem = ProblemBodySchema.safeParse(body);
  const detail = problem.success ? (problem.data.detail ?? problem.data.title) : undefined;
  const message = `${method} ${path.split('?')[0]}: HTTP ${status}${detail ? `: ${detail}` : ''}`;
  return new ApiError(message, {
    status,
    body,
    fieldIssues: problem.success ? (problem.data.errors ?? []) : [],
  });
}

function networkReason(error: unknown): string {
  if (!isError(error)) return 'network error';
  if (error.name === 'TimeoutError') return 'timed out';
  if (error.name === 'AbortError') return 'aborted';
  return errorCode(error.cause) ?? errorCode(error) ?? error.name;
}

function backoff(attempt: number, baseMs: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 30_000);
  return baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        done();
      },
      { once: true },
    );
  });
}
