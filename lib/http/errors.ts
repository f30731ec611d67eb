/**
 * One error class per provider failure mode, each with a literal `name`, so callers can branch on the
 * failure without parsing messages. Messages never hold secrets or customer data: only the provider,
 * the operation, the HTTP status and the provider's own error text (which is about the request, not
 * the person).
 */
import type { ProviderName } from '../customer/snapshot.ts';

export interface ProviderErrorDetails {
  provider: ProviderName;
  /** e.g. `getCustomer`, `createCustomer`, `login`. */
  operation: string;
  status?: number;
  /** The provider's error text (`message`, `detail`, `error_message`, `error`), already redacted. */
  providerMessage?: string;
  /** Provider error code where there is one (Juspay `error_code`, Mollie `field`). */
  providerCode?: string;
  cause?: unknown;
}

export abstract class ProviderError extends Error {
  abstract override readonly name: string;
  /** Whether retrying the same request later can succeed. */
  abstract readonly retryable: boolean;
  readonly provider: ProviderName;
  readonly operation: string;
  readonly status: number | undefined;
  readonly providerMessage: string | undefined;
  readonly providerCode: string | undefined;

  constructor(summary: string, details: ProviderErrorDetails) {
    const suffix = details.providerMessage ? `: ${details.providerMessage}` : '';
    const status = details.status === undefined ? '' : ` (HTTP ${details.status})`;
    super(`${details.provider} ${details.operation}: ${summary}${status}${suffix}`, { cause: details.cause });
    this.provider = details.provider;
    this.operation = details.operation;
    this.status = details.status;
    this.providerMessage = details.providerMessage;
    this.providerCode = details.providerCode;
  }
}

/** 404 (and Mollie's 410): the customer does not exist at the provider (any more). */
export class ProviderNotFoundError extends ProviderError {
  readonly name = 'ProviderNotFoundError' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('not found', details);
  }
}

/** 401/403: credentials missing, wrong, rotated, or the caller's IP is not allowed (Juspay BAD_ORIGIN). */
export class ProviderAuthError extends ProviderError {
  readonly name = 'ProviderAuthError' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('authentication failed', details);
  }
}

/** 429 after the retry budget: the provider asked us to slow down. */
export class ProviderRateLimitedError extends ProviderError {
  readonly name = 'ProviderRateLimitedError' as const;
  readonly retryable = true;
  /** Seconds the provider asked us to wait, where it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(details: ProviderErrorDetails & { retryAfterSeconds?: number }) {
    super('rate limited', details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** 5xx, 408 or a network failure (reset, refused) after the retry budget. */
export class ProviderUnavailableError extends ProviderError {
  readonly name = 'ProviderUnavailableError' as const;
  readonly retryable = true;
  constructor(details: ProviderErrorDetails) {
    super('unavailable', details);
  }
}

/** An attempt ran past its timeout, or all attempts ran past the total time budget. */
export class ProviderTimeoutError extends ProviderError {
  readonly name = 'ProviderTimeoutError' as const;
  readonly retryable = true;
  constructor(details: ProviderErrorDetails) {
    super('timed out', details);
  }
}

/** A 2xx whose body is not valid JSON or fails the provider's wire schema: never written as data. */
export class ProviderContractError extends ProviderError {
  readonly name = 'ProviderContractError' as const;
  readonly retryable = true;
  /** Paths of the fields that failed the wire schema (no values: they may be personal data). */
  readonly issues: string[];
  constructor(details: ProviderErrorDetails & { issues?: string[] }) {
    super('response violates the wire contract', details);
    this.issues = details.issues ?? [];
  }
}

/** 4xx the provider says is the request's fault (validation, duplicates not resolvable): not retryable. */
export class ProviderRejectedError extends ProviderError {
  readonly name = 'ProviderRejectedError' as const;
  readonly retryable = false;
  constructor(details: ProviderErrorDetails) {
    super('request rejected', details);
  }
}

export type AnyProviderError =
  | ProviderNotFoundError
  | ProviderAuthError
  | ProviderRateLimitedError
  | ProviderUnavailableError
  | ProviderTimeoutError
  | ProviderContractError
  | ProviderRejectedError;

export const isProviderError = (error: unknown): error is AnyProviderError => error instanceof ProviderError;
export const isNotFound = (error: unknown): error is ProviderNotFoundError =>
  error instanceof ProviderNotFoundError;
export const isRetryable = (error: unknown): boolean => error instanceof ProviderError && error.retryable;
