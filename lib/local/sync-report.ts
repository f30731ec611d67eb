/**
 * One console line per sync run of the local runtime: how many customers a scheduled run fetched,
 * changed and failed, per provider. The worker reports only failed records (as in AWS), so outcomes
 * are observed at the store it writes through: which write a message ended in tells what it did.
 */
import type { ProviderName } from '../customer/snapshot.ts';
import type { CustomerStoreApi } from '../store/types.ts';
import type { SyncMessage } from '../sync/queue.ts';
import type { BatchOutcome, DeadLetter, QueuedMessage } from './queue.ts';

type Outcome = 'changed' | 'unchanged' | 'stale' | 'created' | 'gone' | 'failed' | 'skipped';

interface Tally {
  changed: number;
  unchanged: number;
  stale: number;
  created: number;
  gone: number;
  failed: number;
  skipped: number;
}

interface Run {
  provider: ProviderName;
  label: string;
  started: number;
  /** Null until the scheduler returned (it may still be sending pages). */
  expected: number | null;
  delivered: number;
  tally: Tally;
  printed: boolean;
}

const emptyTally = (): Tally => ({
  changed: 0,
  unchanged: 0,
  stale: 0,
  created: 0,
  gone: 0,
  failed: 0,
  skipped: 0,
});

export function formatTally(tally: Tally): string {
  const fetched = tally.changed + tally.unchanged + tally.stale + tally.created;
  const parts = [`${fetched} fetched`, `${tally.changed + tally.created} changed`, `${tally.failed} failed`];
  if (tally.gone > 0) parts.push(`${tally.gone} gone`);
  if (tally.skipped > 0) parts.push(`${tally.skipped} skipped`);
  return parts.join(', ');
}

export class SyncReporter {
  readonly #print: (line: string) => void;
  readonly #runs = new Map<string, Run>();
  /** Last store write per `customerId|provider`, consumed when that message's batch ends. */
  readonly #events = new Map<string, Outcome>();
  #counter = 0;
  /** Totals since start, per provider (tests and the shutdown summary read them). */
  readonly totals = new Map<ProviderName, Tally>();

  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  /** Wraps the worker's store so each message's final write is seen. */
  observe(store: CustomerStoreApi): CustomerStoreApi {
    const record = (customerId: string, provider: ProviderName, outcome: Outcome) =>
      this.#events.set(`${customerId}|${provider}`, outcome);
    const observed: Partial<CustomerStoreApi> = {
      writeSnapshot: async (args) => {
        const result = await store.writeSnapshot(args);
        record(
          args.customerId,
          args.snapshot.provider,
          result.result === 'no-link' ? 'skipped' : result.result,
        );
        return result;
      },
      completePendingLink: async (args) => {
        const result = await store.completePendingLink(args);
        record(args.customerId, args.snapshot.provider, 'created');
        return result;
      },
      recordSyncFailure: async (args) => {
        await store.recordSyncFailure(args);
        record(args.customerId, args.provider, 'failed');
      },
      markGone: async (args) => {
        await store.markGone(args);
        record(args.customerId, args.provider, 'gone');
      },
    };
    // Everything else (reads, and methods beyond the interface) goes to the store itself.
    return new Proxy(store, {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && Object.hasOwn(observed, property)) {
          return Reflect.get(observed, property);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** A scheduler run begins; messages it sends must carry the returned tag. */
  startRun(provider: ProviderName, label: string): string {
    const tag = `run-${++this.#counter}`;
    this.#runs.set(tag, {
      provider,
      label,
      started: Date.now(),
      expected: null,
      delivered: 0,
      tally: emptyTally(),
      printed: false,
    });
    return tag;
  }

  /** The scheduler returned: `enqueued` messages belong to the run. */
  finishScheduling(tag: string, enqueued: number): void {
    const run = this.#runs.get(tag);
    if (!run) return;
    run.expected = enqueued;
    this.#maybePrint(tag, run);
  }

  failRun(tag: string, error: unknown): void {
    const run = this.#runs.get(tag);
    if (!run) return;
    run.printed = true;
    this.#runs.delete(tag);
    const name = error instanceof Error ? error.name : 'Error';
    this.#print(`sync ${run.provider} ${run.label}: scheduler failed (${name}); see the handler log`);
  }

  /** Prints a line that is not about a queued run (backfill results). */
  note(line: string): void {
    this.#print(line);
  }

  onBatch(outcome: BatchOutcome): void {
    const adHoc = new Map<string, { provider: ProviderName; label: string; tally: Tally }>();
    for (const queued of outcome.messages) {
      const result = this.#outcomeOf(queued.message, outcome.failed.has(queued.messageId));
      this.#add(this.#totalsOf(queued.message.provider), result);
      const run = queued.tag ? this.#runs.get(queued.tag) : undefined;
      if (run && queued.receiveCount === 1 && queued.tag) {
        run.delivered++;
        this.#add(run.tally, result);
        this.#maybePrint(queued.tag, run);
        continue;
      }
      const label = queued.receiveCount > 1 ? 'retry' : reasonLabel(queued.message);
      const key = `${queued.message.provider} ${label}`;
      const group = adHoc.get(key) ?? { provider: queued.message.provider, label, tally: emptyTally() };
      this.#add(group.tally, result);
      adHoc.set(key, group);
    }
    for (const group of adHoc.values()) {
      this.#print(`sync ${group.provider} ${group.label}: ${formatTally(group.tally)}`);
    }
  }

  onDeadLetter(letter: DeadLetter): void {
    this.#print(
      `sync ${letter.message.provider}: message for customer ${letter.message.customerId} moved to the local DLQ after ${letter.receiveCount} deliveries`,
    );
  }

  #outcomeOf(message: SyncMessage, failed: boolean): Outcome {
    const key = `${message.customerId}|${message.provider}`;
    const seen = this.#events.get(key);
    this.#events.delete(key);
    if (failed) return 'failed';
    return seen ?? 'skipped';
  }

  #add(tally: Tally, outcome: Outcome): void {
    tally[outcome]++;
  }

  #totalsOf(provider: ProviderName): Tally {
    let tally = this.totals.get(provider);
    if (!tally) {
      tally = emptyTally();
      this.totals.set(provider, tally);
    }
    return tally;
  }

  #maybePrint(tag: string, run: Run): void {
    if (run.printed || run.expected === null || run.delivered < run.expected) return;
    run.printed = true;
    this.#runs.delete(tag);
    const seconds = ((Date.now() - run.started) / 1000).toFixed(1);
    const body = run.expected === 0 ? 'nothing due' : formatTally(run.tally);
    this.#print(`sync ${run.provider} ${run.label}: ${body} (${seconds} s)`);
  }
}

function reasonLabel(message: SyncMessage): string {
  return message.reason === 'scheduled' ? 'due' : message.reason;
}

export type { QueuedMessage };
