/**
 * What the rest of the product needs from the customer store. `CustomerStore` (customer-store.ts)
 * implements it over DynamoDB; services take it as an argument, so their unit tests need no mocks of
 * the AWS SDK.
 */
import type { CustomerInput } from '../customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../customer/snapshot.ts';
import type { Item, LinkItem, SyncItem } from './items.ts';

export interface CustomerProfile {
  customerId: string;
  reference: string;
  /** The canonical input the customer was created from (or imported from a provider). */
  input: CustomerInput;
  createdAt: string;
  updatedAt: string;
}

/**
 * active: synced normally. pending: creation at the provider has not succeeded yet (the scheduler
 * retries it). gone: the provider answered 404/410; the last data is kept.
 */
export type LinkStatus = 'active' | 'pending' | 'gone';

export interface ProviderLink {
  customerId: string;
  provider: ProviderName;
  /** Null while pending (the provider has not given an id yet). */
  providerCustomerId: string | null;
  status: LinkStatus;
  /** Latest stored snapshot, null until the first successful fetch or create. */
  snapshot: CustomerSnapshot | null;
  /** Increments on every stored change of snapshot. */
  version: number;
  linkedAt: string;
  goneAt: string | null;
  /** For pending links: the idempotency key the create used, so a retry reuses it. */
  createIdempotencyKey: string | null;
  /**
   * For pending links: true once a create attempt has claimed the link (`claimCreateAttempt`), so that
   * attempt may have reached the provider; absent otherwise.
   */
  createAttempted?: boolean;
}

export interface SyncState {
  customerId: string;
  provider: ProviderName;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Error class name and message of the last failure (no customer data), null after a success. */
  lastError: { name: string; message: string; at: string } | null;
  consecutiveFailures: number;
  /** Null once the link is gone: it is no longer due. */
  nextDueAt: string | null;
}

export interface HistoryEntry {
  customerId: string;
  provider: ProviderName;
  version: number;
  snapshot: CustomerSnapshot;
  recordedAt: string;
}

/**
 * A link and its sync state as a caller read them (`getLinksForSync`), handed back to `writeSnapshot`
 * so its first attempt needs no read of its own. Only the store looks inside.
 */
export interface SnapshotBasis {
  link: LinkItem;
  sync: SyncItem | null;
  /** The two items as stored (keys and all): the write puts them back with its changes. */
  stored: { link: Item; sync: Item | null };
}

/**
 * Whether a snapshot write claimed the sync state (its success recorded there) but has not stored its
 * content on the link yet: in flight, or failed part-way. The sync state's success then promises more
 * than the link holds, so a redelivered message must not be skipped because of it.
 */
export function isWritePending(basis: Pick<SnapshotBasis, 'link' | 'sync'>): boolean {
  return (basis.sync?.contentHash ?? null) !== (basis.link.contentHash ?? null);
}

/** One customer's link at one provider: what a sync message names. */
export interface SyncTarget {
  customerId: string;
  provider: ProviderName;
}

/** A link as the sync worker reads it, with its sync state. */
export interface LinkForSync {
  link: ProviderLink;
  syncState: SyncState | null;
  /** For `writeSnapshot`; null from stores that decide every write from their own state (test fakes). */
  basis: SnapshotBasis | null;
}

export interface CustomerRecord {
  profile: CustomerProfile;
  links: ProviderLink[];
  syncStates: SyncState[];
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Null on the last page. */
  cursor: string | null;
}

export type SnapshotWriteOutcome =
  /** Stored as the new latest snapshot, with one new history item. */
  | { result: 'changed'; version: number }
  /** Same content hash as stored: nothing but the sync state written. */
  | { result: 'unchanged'; version: number }
  /** Older than what is stored (provider updatedAt, then fetchedAt): ignored. */
  | { result: 'stale'; version: number }
  /** No such link (or it is pending without an id): nothing written. */
  | { result: 'no-link' };

/**
 * A link as the link indexes (byProviderId, dueForSync) hold it: who holds it and in what state, without
 * the snapshot (`getCustomer` reads the whole link).
 */
export interface LinkRef {
  customerId: string;
  provider: ProviderName;
  providerCustomerId: string | null;
  status: LinkStatus;
}

export interface DueLink extends LinkRef {
  nextDueAt: string;
}

/**
 * Slots of the refresh interval (fractions in [0, 1), `slotOf` in keys.ts) a due run plans: ranges
 * [from, to) that do not wrap (a window across the end of the interval is two).
 */
export type SlotRanges = ReadonlyArray<{ readonly from: number; readonly to: number }>;

export interface CustomerStoreApi {
  /** Creates profile (and, atomically, pending links for `providers`). Fails if the reference exists. */
  createCustomer(args: {
    customerId: string;
    input: CustomerInput;
    providers: ProviderName[];
    createIdempotencyKeys?: Partial<Record<ProviderName, string>>;
    now: string;
  }): Promise<CustomerRecord>;
  /** Links an existing provider customer (POST /customers/{id}/links, backfill import). Idempotent. */
  linkProvider(args: {
    customerId: string;
    provider: ProviderName;
    providerCustomerId: string;
    now: string;
  }): Promise<ProviderLink>;
  /** Stores a snapshot by the write rules (hash, ordering, conditional writes) and updates sync state. */
  writeSnapshot(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
    /** What the caller read (eventually consistent is fine): saves the write's own reads. */
    basis?: SnapshotBasis | null;
  }): Promise<SnapshotWriteOutcome>;
  /**
   * Turns a pending link active once the provider created the customer: stores its id, the first
   * snapshot (one history item) and makes it due. Idempotent: a second call with the same id is a no-op.
   */
  completePendingLink(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
  }): Promise<ProviderLink>;
  /**
   * Per-link create guard for providers without idempotency (Delos): claims the right to call the
   * provider's create for this link. 'claimed': go ahead. 'held': another attempt holds an unexpired
   * lease. 'done': the link already has a provider id. Once claimed, the pending link reads
   * `createAttempted: true`, so later attempts know an earlier one may have reached the provider.
   */
  claimCreateAttempt(args: {
    customerId: string;
    provider: ProviderName;
    attemptId: string;
    now: string;
    leaseSeconds: number;
  }): Promise<'claimed' | 'held' | 'done'>;
  recordSyncFailure(args: {
    customerId: string;
    provider: ProviderName;
    error: { name: string; message: string };
    now: string;
    nextDueAt: string;
  }): Promise<void>;
  /** Marks the link gone (provider 404/410), keeping its snapshot and history; no longer due. */
  markGone(args: { customerId: string; provider: ProviderName; now: string }): Promise<void>;

  getCustomer(customerId: string): Promise<CustomerRecord | null>;
  /**
   * The links `targets` name, with their sync states and the basis a following `writeSnapshot` can start
   * from, in the order of `targets`; null where a customer has no such link (or does not exist). Batch
   * reads, eventually consistent: one BatchGetItem per 50 targets, so an SQS batch's links in one call.
   */
  getLinksForSync(targets: readonly SyncTarget[]): Promise<(LinkForSync | null)[]>;
  /** Who holds this provider customer id, from the byProviderId index (no snapshot). */
  findByProviderId(provider: ProviderName, providerCustomerId: string): Promise<LinkRef | null>;
  findByReference(reference: string): Promise<CustomerProfile | null>;
  findByEmail(email: string): Promise<CustomerProfile[]>;
  listCustomers(args: { limit: number; cursor?: string }): Promise<Page<CustomerProfile>>;
  getHistory(args: {
    customerId: string;
    provider: ProviderName;
    limit: number;
    cursor?: string;
  }): Promise<Page<HistoryEntry>>;
}

/** Which due links `listDueLinks` lists, in pages of `limit`. */
export interface DueLinksQuery {
  provider: ProviderName;
  dueBy: string;
  limit: number;
  shards?: readonly number[] | undefined;
  /**
   * Only these slots' links, and links held by due time (new, pending, failing): what came due since
   * the last runs when links are due on their slots (lib/sync/schedule.ts). Absent: every link.
   */
  slots?: SlotRanges | undefined;
}

/** The scheduler's reads of the due index (`DueLinkReader`, lib/store/due-links.ts). */
export interface DueLinksApi {
  /**
   * Links of one provider due at or before `dueBy`, across all shards of the due index (or only
   * `shards`), paged; never a table scan.
   */
  listDueLinks(args: DueLinksQuery): AsyncIterable<DueLink[]>;
}
