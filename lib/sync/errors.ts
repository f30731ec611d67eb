/**
 * Errors of the sync services, and the one summary of any error that may be stored or answered: a class
 * name and a message that by construction hold no customer data (provider errors are built that way;
 * anything else is reduced to its name).
 */
import { isProviderError, ProviderRateLimitedError } from '../http/errors.ts';

export interface ErrorSummary {
  name: string;
  message: string;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (isProviderError(error)) return { name: error.name, message: error.message };
  if (error instanceof SyncError) return { name: error.name, message: error.message };
  // Store and SDK errors can quote keys (references, emails in index values): keep the class only.
  const name = error instanceof Error ? error.name : 'Error';
  return { name, message: 'internal error' };
}

export abstract class SyncError extends Error {}

/**
 * A message that can never succeed as it stands (unparseable, unknown customer, no such link, no adapter
 * for its provider). The worker fails it like any other, so it reaches the DLQ after maxReceiveCount
 * tries, where an operator can look at it.
 */
export class PoisonMessageError extends SyncError {
  override readonly name = 'PoisonMessageError';
}

/** A provider failure worth retrying (rate limit, outage, timeout, contract): fails the SQS record. */
export class TransientSyncError extends SyncError {
  override readonly name = 'TransientSyncError';
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options: { cause: unknown; retryAfterSeconds?: number | undefined }) {
    super(message, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The adapter answered for another provider than it was asked about: a wiring bug, never data. */
export class AdapterMismatchError extends SyncError {
  override readonly name = 'AdapterMismatchError';
}

/** Seconds a rate-limited provider asked us to wait, where it said. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ProviderRateLimitedError ? error.retryAfterSeconds : undefined;
}
