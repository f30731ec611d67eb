/**
 * An in-process stand-in for the SQS sync queue and its event source mapping: the same `SyncQueue`
 * the handlers send to, delivering `SQSEvent` batches to the sync worker the way Lambda does. Failed
 * items (`batchItemFailures`, or the whole batch when the handler throws) come back after a backoff
 * (or the delay the worker asked for with `changeVisibility`), and after `maxReceiveCount` deliveries
 * go to a dead-letter list that the local runtime reports.
 *
 * In memory on purpose: on restart nothing is lost that matters, because a link whose sync did not
 * finish is still due in DynamoDB and the next scheduled run enqueues it again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type SyncMessage, SyncMessageSchema, type SyncQueue } from '../sync/queue.ts';

export interface QueuedMessage {
  messageId: string;
  message: SyncMessage;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  /** Set while a batch holding the message runs. */
  receiptHandle: string | null;
  /** Opaque label from the sender (the local scheduler tags the messages of one run). */
  tag: string | undefined;
}

export interface DeadLetter {
  messageId: string;
  message: SyncMessage;
  receiveCount: number;
  at: string;
}

export interface BatchOutcome {
  messages: QueuedMessage[];
  /** Message ids the worker reported failed (or all, when it threw). */
  failed: Set<string>;
  /** Messages that went to the dead-letter list after this delivery. */
  deadLettered: QueuedMessage[];
  error: unknown;
}

export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface LocalSyncQueueOptions {
  /** Records per worker invocation (SQS allows up to 10). */
  batchSize?: number;
  /** Worker invocations running at once (the event source's maximum concurrency). */
  concurrency?: number;
  /** Deliveries before a message moves to the dead-letter list. */
  maxReceiveCount?: number;
  /** Redelivery delay after the n-th failed delivery, in ms; default 1 s · 2^(n-1), at most 30 s. */
  backoffMs?: (receiveCount: number) => number;
  /** How long the poller sleeps when nothing is visible. */
  pollMs?: number;
  /** How long to wait for more messages to fill a batch (SQS `MaximumBatchingWindowInSeconds`). */
  batchWindowMs?: number;
  queueName?: string;
  region?: string;
  onBatch?: (outcome: BatchOutcome) => void;
  onDeadLetter?: (letter: DeadLetter) => void;
  now?: () => number;
}

export class LocalSyncQueue implements SyncQueue {
  readonly #messages = new Map<string, QueuedMessage>();
  readonly #deadLetters: DeadLetter[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #maxReceiveCount: number;
  readonly #backoffMs: (receiveCount: number) => number;
  readonly #pollMs: number;
  readonly #batchWindowMs: number;
  readonly #arn: string;
  readonly #region: string;
  readonly #options: LocalSyncQueueOptions;
  readonly #now: () => number;
  #consumer: SqsConsumer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  // Async-context, not a field: scheduler runs of different providers overlap.
  readonly #sendTag = new AsyncLocalStorage<string>();

  constructor(options: LocalSyncQueueOptions = {}) {
    this.#options = options;
    this.#batchSize = Math.min(Math.max(options.batchSize ?? 10, 1), 10);
    this.#concurrency = Math.max(options.concurrency ?? 2, 1);
    this.#maxReceiveCount = Math.max(options.maxReceiveCount ?? 3, 1);
    this.#backoffMs = options.backoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 30_000));
    this.#pollMs = options.pollMs ?? 100;
    this.#batchWindowMs = options.batchWindowMs ?? 20;
    this.#region = options.region ?? 'us-east-1';
    this.#arn = `arn:aws:sqs:${this.#region}:000000000000:${options.queueName ?? 'customer-sync-local-sync'}`;
    this.#now = options.now ?? Date.now;
  }

  async send(messages: SyncMessage[]): Promise<void> {
    const now = this.#now();
    const parsed = messages.map((message) => SyncMessageSchema.parse(message));
    for (const message of parsed) {
      const messageId = randomUUID();
      this.#messages.set(messageId, {
        messageId,
        message,
        body: JSON.stringify(message),
        sentAt: now,
        receiveCount: 0,
        visibleAt: now + this.#batchWindowMs,
        receiptHandle: null,
        tag: this.#sendTag.getStore(),
      });
    }
    this.#schedule(this.#batchWindowMs);
  }

  /** Runs `fn` with every message it sends tagged (used to attribute messages to a scheduler run). */
  withTag<T>(tag: string, fn: () => Promise<T>): Promise<T> {
    return this.#sendTag.run(tag, fn);
  }

  /** ChangeMessageVisibility: the worker postpones a failed message's next delivery. */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    for (const queued of this.#messages.values()) {
      if (queued.receiptHandle === receiptHandle) {
        queued.visibleAt = this.#now() + Math.max(0, seconds) * 1000;
        return;
      }
    }
  }

  start(consumer: SqsConsumer): void {
    this.#consumer = consumer;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops taking new batches and waits for the running ones; undelivered messages stay queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Resolves when nothing is queued or in flight (delayed retries included), or after `timeoutMs`. */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const deadline = this.#now() + timeoutMs;
    while (this.#messages.size > 0 || this.#inFlight.size > 0) {
      if (this.#now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return true;
  }

  get depth(): number {
    return this.#messages.size;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) {
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, delayMs);
  }

  #pump(): void {
    if (this.#stopped || !this.#consumer) return;
    const now = this.#now();
    while (this.#inFlight.size < this.#concurrency) {
      const batch = [...this.#messages.values()]
        .filter((queued) => queued.receiptHandle === null && queued.visibleAt <= now)
        .sort((a, b) => a.visibleAt - b.visibleAt)
        .slice(0, this.#batchSize);
      if (batch.length === 0) break;
      const running = this.#deliver(this.#consumer, batch).finally(() => {
        this.#inFlight.delete(running);
        this.#schedule(0);
      });
      this.#inFlight.add(running);
    }
    const waiting = [...this.#messages.values()].filter((queued) => queued.receiptHandle === null);
    if (waiting.length > 0) {
      const soonest = Math.min(...waiting.map((queued) => queued.visibleAt));
      this.#schedule(Math.max(Math.min(soonest - now, this.#pollMs * 10), this.#pollMs / 10));
    }
  }

  async #deliver(consumer: SqsConsumer, batch: QueuedMessage[]): Promise<void> {
    const now = this.#now();
    for (const queued of batch) {
      queued.receiveCount += 1;
      queued.receiptHandle = randomUUID();
    }
    const event: SQSEvent = { Records: batch.map((queued) => this.#record(queued, now)) };
    let failed = new Set<string>();
    let error: unknown;
    try {
      const response = await consumer(event);
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (thrown) {
      // Lambda semantics: a thrown handler fails the whole batch.
      error = thrown;
      failed = new Set(batch.map((queued) => queued.messageId));
    }
    const deadLettered: QueuedMessage[] = [];
    const after = this.#now();
    for (const queued of batch) {
      const visibilityChanged = queued.visibleAt > now;
      queued.receiptHandle = null;
      if (!failed.has(queued.messageId)) {
        this.#messages.delete(queued.messageId);
        continue;
      }
      if (queued.receiveCount >= this.#maxReceiveCount) {
        this.#messages.delete(queued.messageId);
        deadLettered.push(queued);
        const letter = {
          messageId: queued.messageId,
          message: queued.message,
          receiveCount: queued.receiveCount,
          at: new Date(after).toISOString(),
        };
        this.#deadLetters.push(letter);
        this.#options.onDeadLetter?.(letter);
        continue;
      }
      if (!visibilityChanged) queued.visibleAt = after + this.#backoffMs(queued.receiveCount);
    }
    this.#options.onBatch?.({ messages: batch, failed, deadLettered, error });
  }

  #record(queued: QueuedMessage, now: number): SQSRecord {
    return {
      messageId: queued.messageId,
      receiptHandle: queued.receiptHandle ?? '',
      body: queued.body,
      attributes: {
        ApproximateReceiveCount: String(queued.receiveCount),
        SentTimestamp: String(queued.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(now),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(queued.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.#arn,
      awsRegion: this.#region,
    };
  }
}
