/**
 * The store's own failures. Everything else (throttling, validation, network) is the AWS SDK's error,
 * passed through untouched so callers and Lambda retries see the real cause.
 * Messages carry ids only, never customer data (references, emails).
 */

export type StoreConflictReason =
  /** Another customer already has this merchant reference. */
  | 'reference-exists'
  /** A customer with this id already exists. */
  | 'customer-exists'
  /** This provider customer id is linked to another customer. */
  | 'provider-id-linked'
  /** The customer is already linked to a different customer id at this provider. */
  | 'link-exists';

/** A write that would break a uniqueness rule; the API answers 409. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
  readonly reason: StoreConflictReason;
  /** The customer that holds the contested value, where known. */
  readonly existingCustomerId: string | null;
  constructor(reason: StoreConflictReason, message: string, existingCustomerId: string | null = null) {
    super(message);
    this.reason = reason;
    this.existingCustomerId = existingCustomerId;
  }
}

/** The customer or link a write needs does not exist. */
export class StoreNotFoundError extends Error {
  override readonly name = 'StoreNotFoundError';
}

/** A page cursor that this store did not issue for this query; the API answers 400. */
export class StoreCursorError extends Error {
  override readonly name = 'StoreCursorError';
}

/** Conditional writes kept losing to concurrent writers; safe to retry later. */
export class StoreContentionError extends Error {
  override readonly name = 'StoreContentionError';
}

/** DynamoDB left items (or keys) unprocessed after every retry of a batch write (or read). */
export class StoreBatchIncompleteError extends Error {
  override readonly name = 'StoreBatchIncompleteError';
  readonly unprocessed: number;
  constructor(unprocessed: number) {
    super(`${unprocessed} items still unprocessed after retries`);
    this.unprocessed = unprocessed;
  }
}

export const isStoreConflictError = (error: unknown): error is StoreConflictError =>
  error instanceof StoreConflictError;
export const isStoreNotFoundError = (error: unknown): error is StoreNotFoundError =>
  error instanceof StoreNotFoundError;
export const isStoreCursorError = (error: unknown): error is StoreCursorError =>
  error instanceof StoreCursorError;
