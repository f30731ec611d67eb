/**
 * The sync worker: one SQS message = one customer at one provider. The links of a batch's messages are
 * read together (one BatchGetItem), then the messages are processed in parallel.
 *
 * Outcomes per message (partial batch responses, so one customer never fails the others):
 * - refreshed (changed/unchanged/stale), link gone (404/410 → `markGone`), already gone: succeeds.
 * - a pending link (its create at the provider has not succeeded): the create is completed with the
 *   stored idempotency key and the profile's input.
 * - retryable provider failure (rate limit, outage, timeout, contract violation): recorded on the sync
 *   state AND the record fails, so SQS redelivers it (after a backed-off visibility timeout) and it ends
 *   in the DLQ if the provider stays down past maxReceiveCount; the scheduler picks the link up again at
 *   its backed-off next due time either way.
 * - non-retryable provider failure (auth, rejected): recorded on the sync state (visible on the customer
 *   and in `SyncFailures`) and the record SUCCEEDS: redelivering the same request cannot help, and
 *   the scheduler retries at the backed-off due time (after credentials are fixed, say).
 * - poison (unparseable body, unknown customer, no such link, no adapter for the provider): fails, so
 *   it reaches the DLQ after maxReceiveCount tries.
 * - store failures (DynamoDB throttling/5xx after the SDK's retries): the record fails.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ProviderName } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { type CustomerStoreApi, isWritePending, type LinkForSync } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { PoisonMessageError, TransientSyncError } from './errors.ts';
import type { SyncMetrics } from './metrics.ts';
import { createAtProvider } from './provider-create.ts';
import { type SyncMessage, SyncMessageSchema } from './queue.ts';
import { type RefreshOutcome, refreshLink } from './refresh.ts';
import type { SyncSchedule } from './schedule.ts';

export type SyncMessageOutcome =
  | RefreshOutcome
  /** A pending link was created at the provider. */
  | 'created'
  /** The create is held by another attempt, or not done yet for a reason retried later. */
  | 'create-pending'
  /** The provider rejected the create (recorded; retried by the scheduler with backoff). */
  | 'create-failed'
  /** A scheduled message for a link already synced after the message was sent. */
  | 'skipped';

export interface WorkerDeps {
  store: CustomerStoreApi;
  /** The adapters this worker may use; in AWS, the one of its `PROVIDER`. */
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  clock: Clock;
  schedule: SyncSchedule;
  metrics: SyncMetrics;
  createLeaseSeconds: number;
  /** Postpones the redelivery of a failed message (ChangeMessageVisibility); optional. */
  retryDelay?: (receiptHandle: string, seconds: number) => Promise<void>;
  /** Called with each failed record's error before it is reported (logging). */
  onRecordFailure?: (error: unknown, message: SyncMessage | null) => void;
}

export async function processSyncMessage(
  deps: WorkerDeps,
  message: SyncMessage,
  options: {
    sentAt?: Date;
    /** The link as read with the rest of the batch (`readBatchLinks`); read here when not given. */
    read?: LinkForSync | null;
  } = {},
): Promise<SyncMessageOutcome> {
  const { store, clock, schedule, metrics } = deps;
  const adapter = deps.adapters[message.provider];
  if (!adapter) throw new PoisonMessageError(`no adapter for provider ${message.provider} in this worker`);
  const read =
    options.read !== undefined ? options.read : ((await store.getLinksForSync([message]))[0] ?? null);
  if (!read) throw await missingLink(store, message);
  const { link, syncState, basis } = read;
  const consecutiveFailures = syncState?.consecutiveFailures ?? 0;

  if (link.status === 'gone') return 'gone';

  // Decided by the link's state, not the message's reason: a scheduled message for a link still
  // pending creation must complete the create, never fetch.
  if (link.status === 'pending' || link.providerCustomerId === null) {
    // The create needs the customer's input, which is on the profile, not the link.
    const record = await store.getCustomer(message.customerId);
    const pending = record?.links.find((item) => item.provider === message.provider);
    if (!record || !pending) throw await missingLink(store, message);
    const created = await createAtProvider(
      { store, adapter, clock, schedule, metrics, leaseSeconds: deps.createLeaseSeconds },
      { customerId: message.customerId, input: record.profile.input, link: pending, consecutiveFailures },
    );
    if (created.result.status === 'created') return 'created';
    if (created.result.status === 'failed') return 'create-failed';
    if (created.result.error) {
      throw new TransientSyncError(`create at ${message.provider} not done: ${created.result.error.name}`, {
        cause: created.result.error,
        retryAfterSeconds: created.retryAfterSeconds,
      });
    }
    return 'create-pending';
  }

  // The scheduler can enqueue a link again before the worker got to the first message (a backlog
  // longer than the schedule interval); a sync that succeeded after this message was sent covers it.
  const lastSuccessAt = syncState?.lastSuccessAt ? Date.parse(syncState.lastSuccessAt) : Number.NaN;
  const covered = lastSuccessAt >= (options.sentAt?.getTime() ?? Number.POSITIVE_INFINITY);
  if (message.reason === 'scheduled' && covered && !(basis && isWritePending(basis))) {
    return 'skipped';
  }

  const report = await refreshLink(
    { store, adapter, clock, schedule, metrics },
    {
      customerId: message.customerId,
      providerCustomerId: link.providerCustomerId,
      consecutiveFailures,
      basis,
    },
  );
  if (report.outcome === 'failed' && report.error?.retryable) {
    throw new TransientSyncError(`refresh at ${message.provider} failed: ${report.error.name}`, {
      cause: report.error,
      retryAfterSeconds: report.retryAfterSeconds,
    });
  }
  return report.outcome;
}

/** The poison error for a message whose link the store does not hold: no such customer, or no such link. */
async function missingLink(store: CustomerStoreApi, message: SyncMessage): Promise<PoisonMessageError> {
  const customer = await store.getCustomer(message.customerId);
  return new PoisonMessageError(
    customer
      ? `customer ${message.customerId} has no ${message.provider} link`
      : `unknown customer ${message.customerId}`,
  );
}

/** A batch's parsed messages by message id, each with its link as the batch read it (`readBatchLinks`). */
export type BatchLinks = ReadonlyMap<string, { message: SyncMessage; read?: LinkForSync | null }>;

/**
 * Parses a batch's messages and reads their links with one batch read, by message id, so each record
 * starts from both instead of parsing and reading on its own. Records whose body is not a sync message
 * are left out, to fail in their handler. If the batch read fails, the messages come without a read and
 * every record reads for itself (and reports what fails).
 */
export async function readBatchLinks(
  store: CustomerStoreApi,
  records: readonly SQSRecord[],
): Promise<BatchLinks> {
  const messages = records.flatMap((record) => {
    try {
      return [{ id: record.messageId, message: parseSyncMessage(record.body) }];
    } catch {
      return [];
    }
  });
  const reads =
    messages.length === 0
      ? []
      : await store.getLinksForSync(messages.map(({ message }) => message)).catch(() => null);
  return new Map(
    messages.map(({ id, message }, i) => [id, reads ? { message, read: reads[i] ?? null } : { message }]),
  );
}

/** Parses an SQS body; anything else than a sync message is poison. */
export function parseSyncMessage(body: string): SyncMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PoisonMessageError('message body is not JSON');
  }
  const parsed = SyncMessageSchema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new PoisonMessageError(`message body is not a sync message (${paths.join(', ')})`);
  }
  return parsed.data;
}

/** Redelivery delay after the n-th failed receive: 30 s doubling, capped at 15 min, or Retry-After. */
export function redeliveryDelaySeconds(receiveCount: number, retryAfterSeconds?: number): number {
  const backoff = Math.min(30 * 2 ** Math.max(receiveCount - 1, 0), 900);
  return Math.max(backoff, retryAfterSeconds ?? 0);
}

/** Handles one SQS record, from its batch's parsed messages and links (`readBatchLinks`) where given. */
export function createSyncRecordHandler(
  deps: WorkerDeps,
  batch: BatchLinks = new Map(),
): (record: SQSRecord) => Promise<SyncMessageOutcome> {
  return async (record) => {
    let message: SyncMessage | null = null;
    try {
      const batched = batch.get(record.messageId);
      message = batched?.message ?? parseSyncMessage(record.body);
      const sent = Number(record.attributes?.SentTimestamp);
      return await processSyncMessage(deps, message, {
        ...(Number.isFinite(sent) ? { sentAt: new Date(sent) } : {}),
        ...(batched?.read === undefined ? {} : { read: batched.read }),
      });
    } catch (error) {
      deps.onRecordFailure?.(error, message);
      if (error instanceof TransientSyncError && deps.retryDelay) {
        const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
        await deps.retryDelay(
          record.receiptHandle,
          redeliveryDelaySeconds(receives, error.retryAfterSeconds),
        );
      }
      throw error;
    }
  };
}

/**
 * Processes an SQS batch: one read of all its links, then the records in parallel; reports failed
 * records only. A batch where every record failed is reported the same way (not thrown), so a provider
 * outage is not also a Lambda error storm.
 */
export async function processSyncBatch(
  deps: WorkerDeps,
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const batch = await readBatchLinks(deps.store, event.Records);
  return processPartialResponse(event, createSyncRecordHandler(deps, batch), processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
}
