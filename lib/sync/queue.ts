/**
 * The sync queue: what the scheduler, the webhook and create-customer hand to the sync worker. A
 * message names a customer and a provider, never data: the worker always re-fetches from the provider.
 */
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import { sleep } from './clock.ts';

export const SYNC_REASONS = ['scheduled', 'webhook', 'pending-create', 'manual'] as const;
export type SyncReason = (typeof SYNC_REASONS)[number];

export const SyncMessageSchema = z.object({
  customerId: z.string().check(z.minLength(1), z.maxLength(64)),
  provider: ProviderNameSchema,
  reason: z.enum(SYNC_REASONS),
});
export type SyncMessage = z.infer<typeof SyncMessageSchema>;

export interface SyncQueue {
  /** Resolves once every message is accepted by the queue; rejects if any could not be. */
  send(messages: SyncMessage[]): Promise<void>;
}

/** Some messages were still refused after every retry; nothing says which customers (no data in errors). */
export class SyncQueueSendError extends Error {
  override readonly name = 'SyncQueueSendError';
  readonly failed: number;
  constructor(failed: number, detail: string) {
    super(`${failed} sync messages not accepted by the queue: ${detail}`);
    this.failed = failed;
  }
}

/** SendMessageBatch's limit. */
export const SQS_BATCH_SIZE = 10;

export interface SqsSyncQueueOptions {
  client: SQSClient;
  queueUrlFor: (provider: ProviderName) => string;
  /** Attempts per batch, counting the first; only failed entries are resent. Default 5. */
  maxAttempts?: number;
  /** Delay before retry n (1-based); default 100 ms · 2^(n-1). */
  backoffMs?: (retry: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * SQS: batches of 10 per queue, and only the entries SQS refused are resent. Entries refused as the
 * sender's fault (`SenderFault`, e.g. a malformed attribute) are not retried: they never succeed.
 */
export class SqsSyncQueue implements SyncQueue {
  readonly #client: SQSClient;
  readonly #queueUrlFor: (provider: ProviderName) => string;
  readonly #maxAttempts: number;
  readonly #backoffMs: (retry: number) => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: SqsSyncQueueOptions) {
    this.#client = options.client;
    this.#queueUrlFor = options.queueUrlFor;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoffMs = options.backoffMs ?? ((retry) => 100 * 2 ** (retry - 1));
    this.#sleep = options.sleep ?? sleep;
  }

  async send(messages: SyncMessage[]): Promise<void> {
    const byQueue = new Map<string, SyncMessage[]>();
    for (const message of messages) {
      const url = this.#queueUrlFor(message.provider);
      const group = byQueue.get(url);
      if (group) group.push(message);
      else byQueue.set(url, [message]);
    }
    const batches: Array<{ url: string; messages: SyncMessage[] }> = [];
    for (const [url, group] of byQueue) {
      for (let i = 0; i < group.length; i += SQS_BATCH_SIZE) {
        batches.push({ url, messages: group.slice(i, i + SQS_BATCH_SIZE) });
      }
    }
    const results = await Promise.allSettled(
      batches.map((batch) => this.#sendBatch(batch.url, batch.messages)),
    );
    const failures = results.filter((result) => result.status === 'rejected');
    if (failures.length === 0) return;
    const failed = failures.reduce(
      (sum, failure) =>
        sum + (failure.reason instanceof SyncQueueSendError ? failure.reason.failed : SQS_BATCH_SIZE),
      0,
    );
    const first = failures[0]?.reason;
    throw new SyncQueueSendError(failed, first instanceof Error ? first.message : 'unknown error');
  }

  async #sendBatch(url: string, messages: SyncMessage[]): Promise<void> {
    let pending = messages.map((message, index) => ({ id: String(index), message }));
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.#maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await this.#sleep(this.#backoffMs(attempt - 1));
      let output: SendMessageBatchCommandOutput;
      try {
        output = await this.#client.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: pending.map(({ id, message }) => ({ Id: id, MessageBody: JSON.stringify(message) })),
          }),
        );
      } catch (error) {
        // The whole call failed (throttled, network) after the SDK's own retries: retry every entry.
        lastProblem = error instanceof Error ? error.name : 'send failed';
        continue;
      }
      const failed = output.Failed ?? [];
      const senderFaults = failed.filter((entry) => entry.SenderFault);
      if (senderFaults.length > 0) {
        throw new SyncQueueSendError(
          senderFaults.length,
          `rejected (${senderFaults[0]?.Code ?? 'sender fault'})`,
        );
      }
      const failedIds = new Set(failed.map((entry) => entry.Id));
      lastProblem = failed[0]?.Code ?? lastProblem;
      pending = pending.filter(({ id }) => failedIds.has(id));
    }
    if (pending.length > 0) throw new SyncQueueSendError(pending.length, lastProblem || 'retries exhausted');
  }
}

/** Keeps messages in memory: unit tests, and anything that drains them itself. */
export class InMemorySyncQueue implements SyncQueue {
  readonly messages: SyncMessage[] = [];
  async send(messages: SyncMessage[]): Promise<void> {
    this.messages.push(...messages.map((message) => SyncMessageSchema.parse(message)));
  }
  /** Removes and returns everything sent so far. */
  drain(): SyncMessage[] {
    return this.messages.splice(0, this.messages.length);
  }
}

/**
 * Postpones the next delivery of a failed SQS message (ChangeMessageVisibility), so retries back off
 * instead of coming back after the queue's fixed visibility timeout. Best effort: if it fails, SQS
 * still redelivers after the default timeout.
 */
export function sqsRetryDelay(client: SQSClient, queueUrl: string) {
  return async (receiptHandle: string, seconds: number): Promise<void> => {
    try {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(Math.round(seconds), 43_200)),
        }),
      );
    } catch {
      // Deliberately ignored: see above.
    }
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL (no GetQueueUrl call, no extra env). */
export function queueUrlFromArn(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
