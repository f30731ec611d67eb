/**
 * Turns a failed HTTP exchange into one of the typed provider errors. Each provider's `errors.ts` only
 * reads its own error body (message text, code, whether the body is recognisably the provider's); the
 * status classes below are shared so that every provider fails the same way for the same reason.
 */
import type { ProviderName } from '../customer/snapshot.ts';
import {
  type AnyProviderError,
  ProviderAuthError,
  type ProviderErrorDetails,
  ProviderNotFoundError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderUnavailableError,
} from './errors.ts';

export interface HttpErrorContext {
  provider: ProviderName;
  operation: string;
  status: number;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  retryAfterSeconds: number | undefined;
  /** Scrubs PII and the client's secrets from provider text (see redact.ts). */
  redact: (text: string) => string;
}

/** What a provider's error body says, read by the provider's own schema. */
export interface ProviderErrorInfo {
  message?: string | undefined;
  code?: string | undefined;
  /** True when the body has the provider's documented error shape. */
  recognized: boolean;
}

export type ErrorMapper = (context: HttpErrorContext) => AnyProviderError;

export type ErrorOverride = (
  context: HttpErrorContext,
  details: ProviderErrorDetails,
  info: ProviderErrorInfo,
) => AnyProviderError | undefined;

/**
 * Status classes: 401/403 auth; 404/410 not found, but only when the body is the provider's own error
 * (a bare 404 from a proxy or a wrong base URL says nothing about the customer, and treating it as "gone"
 * would unlink customers on a misconfiguration); 429 rate limited; 408/5xx unavailable; other 4xx rejected.
 */
export function errorFromStatus(
  context: HttpErrorContext,
  info: ProviderErrorInfo,
  override?: ErrorOverride,
): AnyProviderError {
  const details: ProviderErrorDetails = {
    provider: context.provider,
    operation: context.operation,
    status: context.status,
  };
  if (info.message !== undefined && info.message.trim() !== '') {
    details.providerMessage = context.redact(info.message.trim());
  }
  if (info.code !== undefined && info.code !== '') details.providerCode = context.redact(info.code);
  const overridden = override?.(context, details, info);
  if (overridden) return overridden;

  const { status } = context;
  if (status === 401 || status === 403) return new ProviderAuthError(details);
  if (status === 404 || status === 410) {
    if (!info.recognized) {
      return new ProviderUnavailableError({
        ...details,
        providerMessage: 'not-found response without the provider error body (wrong route or gateway?)',
      });
    }
    return new ProviderNotFoundError(status === 410 ? { ...details, providerCode: 'gone' } : details);
  }
  if (status === 429) {
    return new ProviderRateLimitedError(
      context.retryAfterSeconds === undefined
        ? details
        : { ...details, retryAfterSeconds: context.retryAfterSeconds },
    );
  }
  if (status === 408 || status >= 500) return new ProviderUnavailableError(details);
  return new ProviderRejectedError(details);
}

/** For clients with no provider-specific body reader. */
export const defaultErrorMapper: ErrorMapper = (context) => errorFromStatus(context, { recognized: false });
