/**
 * One scheduled run for one provider (EventBridge Scheduler: `{ provider, mode }`).
 *
 * 'due': pages through the provider's links due by now (`dueLinks.listDueLinks`, sharded index, never a
 * scan; where links are due on slots, only the slots due around now: lib/sync/schedule.ts) and sends
 * one message per link, page by page, so memory is one page whatever the number of links. Links still
 * pending creation go out as 'pending-create' (the worker completes the create with the stored key), so
 * a partial create heals without the caller retrying. Emits OldestOverdueSeconds.
 * With `shard` it plans only that shard of the due index (infra runs one schedule per shard, so a
 * provider's links are planned in parallel, each run reading an eighth); without, all shards (the local
 * runtime). With `remainingMs` it stops paging when the budget is spent (see runDue).
 *
 * 'backfill' (providers with a list endpoint): pages through every customer at the provider and imports
 * the ones no link knows: into the customer with the same merchant reference if there is one, else as a
 * new customer (reference = the snapshot's, or `<provider>:<providerCustomerId>`), with an active link
 * and the listed snapshot stored. Known ones are left to the due run.
 */
import { ulid } from 'ulid';
import * as z from 'zod/mini';
import { type CustomerInput, CustomerInputSchema } from '../customer/input.ts';
import { type CustomerSnapshot, type ProviderName, ProviderNameSchema } from '../customer/snapshot.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import { isStoreConflictError } from '../store/errors.ts';
import { TABLE } from '../store/table.ts';
import type { CustomerStoreApi, DueLinksApi } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { noopSyncMetrics, type SyncMetrics } from './metrics.ts';
import type { SyncMessage, SyncQueue } from './queue.ts';
import type { SyncSchedule } from './schedule.ts';

export const SchedulerEventSchema = z
  .object({
    provider: ProviderNameSchema,
    mode: z._default(z.enum(['due', 'backfill']), 'due'),
    /** Due runs only: the one shard of the due index to plan (absent: all shards). */
    shard: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(TABLE.dueShards - 1))),
  })
  .check(
    z.refine((event) => event.mode === 'due' || event.shard === undefined, {
      message: 'shard applies to due runs only',
      path: ['shard'],
    }),
  );
export type SchedulerEvent = z.infer<typeof SchedulerEventSchema>;

export type AdapterSource =
  | Partial<Record<ProviderName, ProviderAdapter>>
  | ((provider: ProviderName) => Promise<ProviderAdapter | undefined>);

export interface SchedulerDeps {
  store: CustomerStoreApi;
  /** Due runs' reads of the due index (`DueLinkReader`); backfill needs only `store`. */
  dueLinks: DueLinksApi;
  queue: SyncQueue;
  /** Needed for backfill only: a map, or a loader (so due runs never load provider credentials). */
  adapters: AdapterSource;
  clock: Clock;
  schedule: SyncSchedule;
  metrics?: SyncMetrics;
  /** Due links per store page. */
  pageSize: number;
  newId?: () => string;
  /**
   * Milliseconds a due run may still spend (the Lambda's remaining time less a safety margin); once it
   * is 0 or less the run reads no further page. Absent: no budget.
   */
  remainingMs?: () => number;
}

/** What importing one listed customer needs (a backfill's, or the local runtime's demo linking). */
export type ImportDeps = Pick<SchedulerDeps, 'store' | 'clock' | 'schedule' | 'newId'>;

export interface SchedulerSummary {
  provider: ProviderName;
  mode: SchedulerEvent['mode'];
  enqueued: number;
  pages: number;
  /** Due runs: the one shard planned, when the event named one. */
  shard?: number;
  /** Due runs: the time budget ran out before every page was read (the rest waits for the next run). */
  truncated?: boolean;
  /** How late the most overdue link was (0 when none was due). */
  oldestOverdueSeconds: number;
  /** Backfill: customers listed at the provider, and how many of them were imported. */
  scanned?: number;
  imported?: number;
}

export async function runScheduledSync(
  deps: SchedulerDeps,
  event: SchedulerEvent,
): Promise<SchedulerSummary> {
  return event.mode === 'backfill'
    ? runBackfill(deps, event.provider)
    : runDue(deps, event.provider, event.shard);
}

/**
 * Truncation loses nothing: planning only reads (a link's due time moves when the worker syncs it), so
 * a link this run did not reach is still due, and the next run of the same schedule lists it again. A
 * run always plans at least its first page; but every run starts at the beginning of its shard(s), so a
 * run truncated every time would never reach the end: SchedulerRunsTruncated says so (and the links it
 * never reached do not count in OldestOverdueSeconds).
 */
async function runDue(
  deps: SchedulerDeps,
  provider: ProviderName,
  shard: number | undefined,
): Promise<SchedulerSummary> {
  const metrics = deps.metrics ?? noopSyncMetrics;
  const now = deps.clock.now();
  let enqueued = 0;
  let pages = 0;
  let oldestOverdueMs = 0;
  let truncated = false;
  // Where links are due on their slots, only the slots due around now (and links held by due time).
  const slots = deps.schedule.dueSlots(provider, now);
  const listed = deps.dueLinks.listDueLinks({
    provider,
    dueBy: now.toISOString(),
    limit: deps.pageSize,
    ...(shard === undefined ? {} : { shards: [shard] }),
    ...(slots ? { slots } : {}),
  });
  for await (const page of listed) {
    pages++;
    const messages: SyncMessage[] = [];
    for (const link of page) {
      if (link.status === 'gone') continue;
      oldestOverdueMs = Math.max(oldestOverdueMs, now.getTime() - Date.parse(link.nextDueAt));
      messages.push({
        customerId: link.customerId,
        provider,
        reason: link.status === 'pending' ? 'pending-create' : 'scheduled',
      });
    }
    if (messages.length > 0) await deps.queue.send(messages);
    enqueued += messages.length;
    // Checked before asking for the next page: the store reads it only when asked. Stopping right
    // after the last page still counts as truncated (the run cannot know no page follows).
    if (deps.remainingMs && deps.remainingMs() <= 0) {
      truncated = true;
      break;
    }
  }
  const oldestOverdueSeconds = Math.max(0, Math.round(oldestOverdueMs / 1000));
  metrics.gauge('OldestOverdueSeconds', provider, oldestOverdueSeconds);
  metrics.count('SyncMessagesEnqueued', provider, enqueued);
  metrics.count('SchedulerRunsTruncated', provider, truncated ? 1 : 0);
  return {
    provider,
    mode: 'due',
    ...(shard === undefined ? {} : { shard }),
    enqueued,
    pages,
    oldestOverdueSeconds,
    truncated,
  };
}

async function runBackfill(deps: SchedulerDeps, provider: ProviderName): Promise<SchedulerSummary> {
  const metrics = deps.metrics ?? noopSyncMetrics;
  const adapter =
    typeof deps.adapters === 'function' ? await deps.adapters(provider) : deps.adapters[provider];
  const summary: SchedulerSummary = {
    provider,
    mode: 'backfill',
    enqueued: 0,
    pages: 0,
    oldestOverdueSeconds: 0,
    scanned: 0,
    imported: 0,
  };
  if (!adapter?.capabilities.canList) return summary;
  let scanned = 0;
  let imported = 0;
  for await (const page of adapter.listCustomers()) {
    summary.pages++;
    for (const snapshot of page.customers) {
      scanned++;
      if (await importIfUnknown(deps, snapshot)) imported++;
    }
  }
  metrics.count('CustomersImported', provider, imported);
  return { ...summary, scanned, imported };
}

/** Imports one listed provider customer unless a link already knows it; true when it imported. */
export async function importIfUnknown(deps: ImportDeps, snapshot: CustomerSnapshot): Promise<boolean> {
  const { store, clock, schedule } = deps;
  const { provider, providerCustomerId } = snapshot;
  if (await store.findByProviderId(provider, providerCustomerId)) return false;
  const now = clock.now().toISOString();
  const fallbackReference = `${provider}:${providerCustomerId}`.slice(0, 128);
  let customerId: string | null = null;
  let reference = snapshot.reference ?? fallbackReference;
  if (snapshot.reference) {
    // The merchant's reference names the same customer at every provider: link it there, unless that
    // customer is already linked to another customer of this provider.
    const existing = await store.findByReference(snapshot.reference);
    if (existing) {
      const record = await store.getCustomer(existing.customerId);
      const link = record?.links.find((item) => item.provider === provider);
      if (!link || link.providerCustomerId === null) customerId = existing.customerId;
      else reference = fallbackReference;
    }
  }
  if (customerId === null)
    customerId = await createImported(deps, snapshot, reference, fallbackReference, now);
  try {
    await store.linkProvider({ customerId, provider, providerCustomerId, now });
  } catch (error) {
    // Someone linked it first (a create completing, a parallel backfill): it is known now.
    if (isStoreConflictError(error)) return false;
    throw error;
  }
  const at = clock.now();
  await store.writeSnapshot({
    customerId,
    snapshot,
    now: at.toISOString(),
    nextDueAt: schedule.nextDueAfterSuccess(provider, at, customerId),
  });
  return true;
}

/** Creates the profile of an imported customer; returns its id (an earlier, interrupted import's too). */
async function createImported(
  deps: ImportDeps,
  snapshot: CustomerSnapshot,
  reference: string,
  fallbackReference: string,
  now: string,
): Promise<string> {
  const customerId = (deps.newId ?? ulid)();
  let input = inputFromSnapshot(snapshot, reference);
  for (;;) {
    try {
      await deps.store.createCustomer({ customerId, input, providers: [], now });
      return customerId;
    } catch (error) {
      if (!isStoreConflictError(error) || error.reason !== 'reference-exists') throw error;
      // The provider-scoped reference is ours: an import that stopped before linking made it.
      if (input.reference === fallbackReference && error.existingCustomerId) return error.existingCustomerId;
      if (input.reference === fallbackReference) throw error;
      // The merchant reference was taken meanwhile: import under the provider-scoped one.
      input = { ...input, reference: fallbackReference };
    }
  }
}

/**
 * The merchant input an imported customer's profile holds: what the snapshot says, keeping only values
 * the strict input schema accepts (provider data may be masked or odd; it stays in the snapshot).
 */
export function inputFromSnapshot(snapshot: CustomerSnapshot, reference?: string): CustomerInput {
  const metadata = Object.fromEntries(
    Object.entries(snapshot.metadata ?? {}).filter(
      (entry): entry is [string, string | number | boolean | null] =>
        entry[1] === null || ['string', 'number', 'boolean'].includes(typeof entry[1]),
    ),
  );
  const candidate: Record<string, unknown> = {
    reference: reference ?? snapshot.reference ?? `${snapshot.provider}:${snapshot.providerCustomerId}`,
    kind: snapshot.kind === 'company' ? 'company' : 'individual',
    givenName: snapshot.givenName ?? undefined,
    familyName: snapshot.familyName ?? undefined,
    companyName: snapshot.companyName ?? undefined,
    email: snapshot.email ?? undefined,
    phone: snapshot.phone?.e164 ?? undefined,
    document: snapshot.document
      ? { type: snapshot.document.type, number: snapshot.document.number }
      : undefined,
    locale: snapshot.locale ?? undefined,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
  };
  for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
  // Drop whichever fields fail, one round per failing field at most.
  for (let round = 0; round < 12; round++) {
    const parsed = CustomerInputSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    const bad = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')));
    if (bad.has('reference') || bad.has('')) break;
    for (const key of bad) delete candidate[key];
  }
  return CustomerInputSchema.parse({
    reference: `${snapshot.provider}:${snapshot.providerCustomerId}`.slice(0, 128),
  });
}
