/**
 * The customer repository over the single DynamoDB table (key layout: keys.ts).
 *
 * Every write rule is a condition expression evaluated by DynamoDB, so concurrent writers (the
 * scheduler's worker and a webhook's worker, Lambda retries) cannot break it. Reads happen only to learn
 * the state a conditional write expects, or to explain a write DynamoDB refused; a write whose
 * expectation turned out outdated is decided again from a fresh read. The sync worker's own read of the
 * links of an SQS batch (`getLinksForSync`, one BatchGetItem) serves as the first expectation of each
 * snapshot write, so the common path reads a tenth of a call per customer, then writes.
 *
 * Snapshot writes (`writeSnapshot`), without transactions: single-item conditional writes cost half the
 * write units of a transaction of the same items and, on DynamoDB Local, run at twice its rate:
 * - The link holds the current version (snapshot, content hash, order key `providerUpdatedAt|fetchedAt`,
 *   version). History items hold the versions it replaced: version v's item is written just before the
 *   link moves past v, from the link itself, so its content is fixed and any writer may (re)write it.
 *   `getHistory` lists the link's version first, then the items below it.
 * - The sync-state item keeps the newest order key seen and the hash of that fetch's content. It is the
 *   point where writers meet: an unchanged re-sync raises the order key there (1 WCU, condition: content
 *   still the same, order key older), and a change first claims it by compare-and-set from the values it
 *   read. So of two fetches the older can never store after the newer was recorded, not even content a
 *   newer fetch merely confirmed (a customer edited and edited back at Mollie, which keeps no update
 *   times).
 * - A change: claim (with the success fields) and the replaced version's history item together, then the
 *   link (if it is still as read, holds other content and an older order key). A first snapshot
 *   claims and stores together, having nothing to order against. If anything was overtaken, the state
 *   is read again and the decision made again.
 * - A claim whose link write never happened (error, crash) leaves the sync state ahead of the link:
 *   the same fetch retried resumes it, a newer one claims over it, and a newer fetch of the link's own
 *   content takes the claim back and fences the link (raises its order key) so the overtaken writer's
 *   link write fails. The worker does not skip a redelivered message while a claim is pending.
 * So history versions are gap-free, each is newer (by order key) than the one before and differs from
 * it in content, the newest is the link's, and no re-sync rewrites the large link item.
 *
 * "If the item is still as read" is one condition: links and sync states carry a revision (`rev`) that
 * every write of them raises (`#update` adds 1 to every update of one). The claim, the new version and
 * an unchanged re-sync's success are puts of the item as read with their changes, conditioned on the
 * revision read (`#putIfUnchanged`), and the rules above are checked on the item as read.
 *
 * Due for sync: the scheduler's index (`dueForSync`) holds the link items that are active or pending,
 * under keys fixed for the life of the link (shard, slot, customer id) and projecting only attributes
 * that change with the link's status or id. The due time lives on the sync-state item, which is in that
 * index only while its due time is off the link's slot (new, pending, failing: `dueAtIndexKeys`). So a
 * re-sync of a settled link that finds nothing changed writes one item of a few hundred bytes, 1 WCU in
 * all, instead of also moving an index entry (a delete plus a put on the index, 3 WCU in all); and a
 * change writes the link without touching the due index. The price moves to the read side: the
 * scheduler's `DueLinkReader` (due-links.ts) reads index entries (small) and batch-reads their due
 * times, eventually consistent, about half a read unit per link examined: every link per run, or with
 * `slots` only the links of those slots (about three times per refresh interval, lib/sync/schedule.ts)
 * and the sync states due by time.
 * Against the old layout (due time in the index key: two write units per refresh), and on demand a write
 * unit costs five times a read unit.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { CustomerInput } from '../customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../customer/snapshot.ts';
import { type BatchPutOptions, batchGet, batchPut, defaultSleep } from './batch.ts';
import { contentHash, snapshotOrderKey } from './content-hash.ts';
import { type CursorPosition, decodeCursor, encodeCursor, positiveLimit, type StartKey } from './cursor.ts';
import { StoreConflictError, StoreContentionError, StoreNotFoundError } from './errors.ts';
import {
  GuardItemSchema,
  historyItem,
  type ImportedCustomer,
  type Item,
  importedCustomerItems,
  type LinkItem,
  LinkItemSchema,
  linkFromItem,
  linkItem,
  profileItem,
  SyncItemSchema,
  syncItem,
  syncStateFromItem,
  toHistoryEntry,
  toLink,
  toLinkRef,
  toProfile,
  toSyncState,
} from './items.ts';
import {
  CURRENT_SK_RANGE,
  customerPk,
  dueAtIndexKeys,
  dueIndexKeys,
  emailValue,
  historyPrefix,
  historySk,
  type ItemKey,
  isoTime,
  isRevisedSk,
  linkKey,
  listShardValue,
  PROFILE_SK,
  providerIdGuardKey,
  providerIdValue,
  referenceGuardKey,
  referenceValue,
  syncKey,
} from './keys.ts';
import { indexKeyAttributes, TABLE } from './table.ts';
import {
  type CustomerProfile,
  type CustomerRecord,
  type CustomerStoreApi,
  type HistoryEntry,
  isWritePending,
  type LinkForSync,
  type LinkRef,
  type Page,
  type ProviderLink,
  type SnapshotBasis,
  type SnapshotWriteOutcome,
  type SyncTarget,
} from './types.ts';

export { contentHash, snapshotOrderKey } from './content-hash.ts';
export * from './errors.ts';
export type { ImportedCustomer } from './items.ts';

export interface CustomerStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** History items expire this many days after they are recorded (DynamoDB TTL on `expiresAt`). */
  historyRetentionDays: number;
  /** Waits between retries of contended and batch writes; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Every writer that loses a race makes progress for someone else, so this bounds pathological loops only. */
const MAX_WRITE_ATTEMPTS = 50;
const MAX_ERROR_NAME = 100;
const MAX_ERROR_MESSAGE = 256;

const BASE_KEY = [TABLE.partitionKey, TABLE.sortKey];
/** Chunks of 100 keys read at once by `getLinksForSync` (an SQS batch of 10 is one chunk). */
const SYNC_READ_CONCURRENCY = 4;

export class CustomerStore implements CustomerStoreApi {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #retentionDays: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: CustomerStoreOptions) {
    if (!(options.historyRetentionDays > 0)) throw new RangeError('historyRetentionDays must be positive');
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#retentionDays = options.historyRetentionDays;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  async createCustomer(args: {
    customerId: string;
    input: CustomerInput;
    providers: ProviderName[];
    createIdempotencyKeys?: Partial<Record<ProviderName, string>>;
    now: string;
  }): Promise<CustomerRecord> {
    const { customerId, input, now } = args;
    const profile: CustomerProfile = {
      customerId,
      reference: input.reference,
      input,
      createdAt: now,
      updatedAt: now,
    };
    // Sorted like the sort keys, so the record reads back exactly as returned here.
    const providers = [...new Set(args.providers)].sort();
    const links = providers.map((provider) =>
      linkItem({
        customerId,
        provider,
        status: 'pending',
        linkedAt: now,
        createIdempotencyKey: args.createIdempotencyKeys?.[provider],
      }),
    );
    const syncs = providers.map((provider) =>
      syncItem({ customerId, provider, status: 'pending', nextDueAt: isoTime(now) }),
    );
    const guardKey = referenceGuardKey(input.reference);
    const items = [profileItem(profile), { ...guardKey, customerId }, ...links, ...syncs];
    const puts = items.map((Item) => ({
      Put: { TableName: this.#table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    }));
    for (let attempt = 1; ; attempt++) {
      const codes = await this.#transact(puts);
      if (!codes) break;
      if (codes[1] === 'ConditionalCheckFailed') {
        const owner = await this.#guardOwner(guardKey);
        // A retry of the same create (same id and reference) gets what the first attempt stored.
        const existing = owner === customerId ? await this.#readCustomer(customerId, true) : null;
        if (existing) return existing;
        throw new StoreConflictError(
          'reference-exists',
          'a customer with this reference already exists',
          owner,
        );
      }
      if (codes[0] === 'ConditionalCheckFailed') {
        throw new StoreConflictError('customer-exists', `customer ${customerId} already exists`, customerId);
      }
      // Only a concurrent transaction on the same items (a racing create): the retry sees who won.
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new StoreContentionError(`customer ${customerId}: create kept conflicting`);
      }
      await this.#backoff(attempt);
    }
    return { profile, links: links.map(toLink), syncStates: syncs.map(toSyncState) };
  }

  async linkProvider(args: {
    customerId: string;
    provider: ProviderName;
    providerCustomerId: string;
    now: string;
  }): Promise<ProviderLink> {
    const { customerId, provider, providerCustomerId, now } = args;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const link = await this.#readLink(customerId, provider);
      if (link?.providerCustomerId === providerCustomerId) return linkFromItem(link);
      if (link?.providerCustomerId !== undefined) {
        throw new StoreConflictError(
          'link-exists',
          `customer ${customerId} is linked to another ${provider} id`,
        );
      }
      const created = linkItem({ customerId, provider, status: 'active', linkedAt: now, providerCustomerId });
      const linkWrite = link
        ? // A pending create whose customer turned up at the provider (backfill, lost create response).
          this.#update({
            Key: linkKey(customerId, provider),
            UpdateExpression:
              'SET #providerCustomerId = :id, #status = :active, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk, #gsi4pk = :gsi4pk, #gsi4sk = :gsi4sk REMOVE #createLeaseId, #createLeaseUntil',
            ConditionExpression: 'attribute_not_exists(#providerCustomerId) AND #status = :pending',
            ExpressionAttributeValues: {
              ':id': providerCustomerId,
              ':active': 'active',
              ':pending': 'pending',
              ':gsi1pk': providerIdValue(provider, providerCustomerId),
              ':gsi1sk': customerPk(customerId),
              ...gsi4Values(dueIndexKeys(customerId, provider)),
            },
          })
        : {
            Put: {
              TableName: this.#table,
              Item: created,
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          };
      const codes = await this.#transact([
        {
          ConditionCheck: {
            TableName: this.#table,
            Key: { pk: customerPk(customerId), sk: PROFILE_SK },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        this.#providerIdGuardPut(customerId, provider, providerCustomerId),
        linkWrite,
        // A fresh sync state, due now (the scheduler fetches the first snapshot), in the due index by that
        // time until it succeeds. An update, not a put, so a pending link's sync state keeps raising its
        // revision instead of starting again from 0.
        this.#update({
          Key: syncKey(customerId, provider),
          UpdateExpression:
            'SET #customerId = :customerId, #provider = :provider, #providerCustomerId = :id, #status = :active, #consecutiveFailures = :zero, #nextDueAt = :due, #gsi4pk = :gsi4pk, #gsi4sk = :gsi4sk REMOVE #lastSuccessAt, #lastAttemptAt, #lastError, #orderKey, #contentHash',
          ExpressionAttributeValues: {
            ':customerId': customerId,
            ':provider': provider,
            ':id': providerCustomerId,
            ':active': 'active',
            ':zero': 0,
            ':due': isoTime(now),
            ...gsi4Values(dueAtIndexKeys(customerId, provider, now)),
          },
        }),
      ]);
      if (!codes) {
        return link
          ? { ...linkFromItem({ ...link, providerCustomerId }), status: 'active' }
          : toLink(created);
      }
      if (codes[0] === 'ConditionalCheckFailed')
        throw new StoreNotFoundError(`customer ${customerId} not found`);
      if (codes[1] === 'ConditionalCheckFailed')
        throw await this.#providerIdConflict(provider, providerCustomerId);
      await this.#backoff(attempt);
    }
    throw new StoreContentionError(`customer ${customerId}: linking ${provider} kept conflicting`);
  }

  async writeSnapshot(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
    basis?: SnapshotBasis | null;
  }): Promise<SnapshotWriteOutcome> {
    const { customerId, snapshot, now } = args;
    const { provider } = snapshot;
    const hash = contentHash(snapshot);
    const order = snapshotOrderKey(snapshot);
    // The caller's read decides the first attempt (every write below is conditioned on what it
    // expects, so a stale read only costs a retry); a missing or foreign link is read again here.
    let basis: SnapshotBasis | null =
      args.basis?.link.provider === provider &&
      args.basis.link.providerCustomerId === snapshot.providerCustomerId
        ? args.basis
        : null;
    /** Set once this call stored the snapshot; later attempts only finish the sync state. */
    let stored: number | null = null;
    const outcome = (result: 'unchanged' | 'stale', version: number): SnapshotWriteOutcome =>
      stored === null ? { result, version } : { result: 'changed', version: stored };
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const fromBasis = basis !== null;
      const read = basis ?? (await this.#readBasis(customerId, provider));
      basis = null;
      const link = read?.link;
      if (
        !read ||
        link?.providerCustomerId === undefined ||
        link.providerCustomerId !== snapshot.providerCustomerId
      ) {
        return { result: 'no-link' };
      }
      const { sync } = read;
      // A successful fetch newer than the 404 proves the customer is back (or the 404 was the provider's
      // read-after-create lag), so the link becomes active and due again. An older one changes nothing.
      const reactivate =
        link.status === 'gone' && (!link.goneAt || isoTime(snapshot.fetchedAt) > isoTime(link.goneAt));
      const success: SyncSuccess = {
        customerId,
        provider,
        now,
        nextDueAt: isoTime(args.nextDueAt),
        due: link.status !== 'gone' || reactivate,
      };
      // Once this call stored its snapshot, the link's order key is its own: only the sync state's counts.
      const newestSeen =
        stored === null
          ? ([sync?.orderKey ?? '', link.orderKey ?? ''].sort().at(-1) ?? '')
          : (sync?.orderKey ?? '');
      // This very fetch claimed the sync state before, but its write to the link never happened (an
      // error, a crash): carry on from the claim instead of calling the fetch stale.
      const resume =
        sync?.orderKey === order &&
        sync.contentHash === hash &&
        link.contentHash !== hash &&
        (link.orderKey ?? '') < order;
      if (order <= newestSeen && !resume) {
        // Stale (or a repeat of the newest fetch): only the sync state learns of the successful fetch.
        if (reactivate) await this.#reactivateLink(link);
        await this.#recordSuccess(success, reactivate);
        return outcome(link.contentHash === hash ? 'unchanged' : 'stale', link.version);
      }
      const seen = { ...success, seen: { order, hash } };
      // The sync state mirrors the link's content unless a claim is in flight (or its writer died).
      const settled = !isWritePending(read);
      if (link.contentHash === hash && settled) {
        // Unchanged: raise the newest order key seen, on condition that the content is still this one.
        if (reactivate) await this.#reactivateLink(link);
        if (await this.#confirmUnchanged(read, seen, reactivate)) return outcome('unchanged', link.version);
      } else if (link.version === 0 && link.contentHash === undefined) {
        // The first snapshot: nothing stored to order against, so claim and store go together. A lost
        // claim means a newer fetch claimed meanwhile; the next attempt sees what it left.
        const [claimed, written] = await Promise.all([
          this.#claimNewest(read, seen, reactivate),
          this.#storeVersion(read, snapshot, seen, reactivate),
        ]);
        if (written) stored = 1;
        if (claimed && written) return { result: 'changed', version: 1 };
      } else if (link.contentHash === hash) {
        // The link holds this content but a claim for other content is in flight: take the claim back,
        // then fence the link so the claim's writer cannot store its older content.
        if (
          (await this.#claimNewest(read, seen, reactivate)) &&
          (await this.#fenceLink(link, order, reactivate))
        ) {
          return outcome('unchanged', link.version);
        }
      } else {
        // A change: claim the newest order key on the sync state (so no older fetch can follow), keep
        // the version being replaced as history, then store the new one if the link is still as read.
        const [claimed] = await Promise.all([
          this.#claimNewest(read, seen, reactivate),
          this.#keepAsHistory(link),
        ]);
        if (claimed && (await this.#storeVersion(read, snapshot, seen, reactivate))) {
          return { result: 'changed', version: link.version + 1 };
        }
      }
      if (!fromBasis) await this.#backoff(attempt);
    }
    throw new StoreContentionError(`customer ${customerId}: ${provider} snapshot kept conflicting`);
  }

  async completePendingLink(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
  }): Promise<ProviderLink> {
    const { customerId, snapshot, now } = args;
    const { provider, providerCustomerId } = snapshot;
    const nextDueAt = isoTime(args.nextDueAt);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const link = await this.#readLink(customerId, provider);
      if (!link) throw new StoreNotFoundError(`customer ${customerId} has no ${provider} link`);
      if (link.providerCustomerId === providerCustomerId) return linkFromItem(link);
      if (link.providerCustomerId !== undefined) {
        throw new StoreConflictError(
          'link-exists',
          `customer ${customerId} is linked to another ${provider} id`,
        );
      }
      const version = link.version + 1;
      const hash = contentHash(snapshot);
      const order = snapshotOrderKey(snapshot);
      const codes = await this.#transact([
        this.#providerIdGuardPut(customerId, provider, providerCustomerId),
        this.#update({
          Key: linkKey(customerId, provider),
          UpdateExpression:
            'SET #providerCustomerId = :id, #status = :active, #snapshot = :snapshot, #contentHash = :hash, #orderKey = :order, #version = :version, #recordedAt = :now, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk, #gsi4pk = :gsi4pk, #gsi4sk = :gsi4sk REMOVE #createLeaseId, #createLeaseUntil',
          ConditionExpression: 'attribute_not_exists(#providerCustomerId) AND #version = :expected',
          ExpressionAttributeValues: {
            ':id': providerCustomerId,
            ':active': 'active',
            ':snapshot': snapshot,
            ':hash': hash,
            ':order': order,
            ':version': version,
            ':now': now,
            ':expected': link.version,
            ':gsi1pk': providerIdValue(provider, providerCustomerId),
            ':gsi1sk': customerPk(customerId),
            ...gsi4Values(dueIndexKeys(customerId, provider)),
          },
        }),
        this.#update({
          Key: syncKey(customerId, provider),
          ...syncSuccessExpression({
            customerId,
            provider,
            now,
            nextDueAt,
            due: true,
            seen: { order, hash },
            providerCustomerId,
          }),
        }),
      ]);
      if (!codes) {
        return { ...linkFromItem({ ...link, providerCustomerId }), status: 'active', snapshot, version };
      }
      if (codes[0] === 'ConditionalCheckFailed')
        throw await this.#providerIdConflict(provider, providerCustomerId);
      await this.#backoff(attempt);
    }
    throw new StoreContentionError(`customer ${customerId}: completing ${provider} kept conflicting`);
  }

  async claimCreateAttempt(args: {
    customerId: string;
    provider: ProviderName;
    attemptId: string;
    now: string;
    leaseSeconds: number;
  }): Promise<'claimed' | 'held' | 'done'> {
    const { customerId, provider, attemptId } = args;
    const now = isoTime(args.now);
    const until = new Date(Date.parse(now) + args.leaseSeconds * 1000).toISOString();
    try {
      await this.#send({
        Key: linkKey(customerId, provider),
        UpdateExpression: 'SET #createLeaseId = :attempt, #createLeaseUntil = :until',
        ConditionExpression:
          'attribute_exists(#pk) AND attribute_not_exists(#providerCustomerId) AND (attribute_not_exists(#createLeaseUntil) OR #createLeaseUntil <= :now OR #createLeaseId = :attempt)',
        ExpressionAttributeValues: { ':attempt': attemptId, ':until': until, ':now': now },
      });
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const link = await this.#readLink(customerId, provider);
    if (!link) throw new StoreNotFoundError(`customer ${customerId} has no ${provider} link`);
    return link.providerCustomerId === undefined ? 'held' : 'done';
  }

  async recordSyncFailure(args: {
    customerId: string;
    provider: ProviderName;
    error: { name: string; message: string };
    now: string;
    nextDueAt: string;
  }): Promise<void> {
    const { customerId, provider, now } = args;
    const nextDueAt = isoTime(args.nextDueAt);
    const lastError = {
      name: args.error.name.slice(0, MAX_ERROR_NAME),
      message: args.error.message.slice(0, MAX_ERROR_MESSAGE),
      at: now,
    };
    const values = { ':now': now, ':error': lastError, ':one': 1 };
    try {
      await this.#send({
        Key: syncKey(customerId, provider),
        // Backed off, the due time is off the link's slot: the due index holds it by that time.
        UpdateExpression:
          'SET #lastAttemptAt = :now, #lastError = :error, #nextDueAt = :due, #gsi4pk = :gsi4pk, #gsi4sk = :gsi4sk ADD #consecutiveFailures :one',
        ConditionExpression: 'attribute_exists(#pk) AND #status <> :gone',
        ExpressionAttributeValues: {
          ...values,
          ':gone': 'gone',
          ':due': nextDueAt,
          ...gsi4Values(dueAtIndexKeys(customerId, provider, nextDueAt)),
        },
      });
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // The link went gone (or never existed): record the failure, but a gone link gets no due time.
    try {
      await this.#send({
        Key: syncKey(customerId, provider),
        UpdateExpression: 'SET #lastAttemptAt = :now, #lastError = :error ADD #consecutiveFailures :one',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeValues: values,
      });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new StoreNotFoundError(`customer ${customerId} has no ${provider} link`);
      }
      throw error;
    }
  }

  async markGone(args: { customerId: string; provider: ProviderName; now: string }): Promise<void> {
    const { customerId, provider, now } = args;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const codes = await this.#transact([
        this.#update({
          Key: linkKey(customerId, provider),
          UpdateExpression:
            'SET #status = :gone, #goneAt = if_not_exists(#goneAt, :now) REMOVE #gsi4pk, #gsi4sk',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeValues: { ':gone': 'gone', ':now': now },
        }),
        this.#update({
          Key: syncKey(customerId, provider),
          UpdateExpression: 'SET #status = :gone REMOVE #nextDueAt, #gsi4pk, #gsi4sk',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeValues: { ':gone': 'gone' },
        }),
      ]);
      if (!codes) return;
      if (codes.includes('ConditionalCheckFailed')) {
        throw new StoreNotFoundError(`customer ${customerId} has no ${provider} link`);
      }
      await this.#backoff(attempt);
    }
    throw new StoreContentionError(`customer ${customerId}: marking ${provider} gone kept conflicting`);
  }

  getCustomer(customerId: string): Promise<CustomerRecord | null> {
    return this.#readCustomer(customerId, false);
  }

  async getLinksForSync(targets: readonly SyncTarget[]): Promise<(LinkForSync | null)[]> {
    const keyOf = (key: ItemKey) => `${key.pk}\n${key.sk}`;
    const keys = new Map<string, ItemKey>();
    for (const { customerId, provider } of targets) {
      for (const key of [linkKey(customerId, provider), syncKey(customerId, provider)])
        keys.set(keyOf(key), key);
    }
    const items = await batchGet(this.#doc, this.#table, [...keys.values()], {
      concurrency: SYNC_READ_CONCURRENCY,
    });
    const found = new Map(items.map((item) => [keyOf({ pk: String(item.pk), sk: String(item.sk) }), item]));
    return targets.map(({ customerId, provider }) => {
      const linkRead = found.get(keyOf(linkKey(customerId, provider)));
      if (!linkRead) return null;
      const syncRead = found.get(keyOf(syncKey(customerId, provider)));
      const link = LinkItemSchema.parse(linkRead);
      const sync = syncRead ? SyncItemSchema.parse(syncRead) : null;
      return {
        link: linkFromItem(link),
        syncState: sync ? syncStateFromItem(sync) : null,
        basis: { link, sync, stored: { link: linkRead, sync: syncRead ?? null } },
      };
    });
  }

  async findByProviderId(provider: ProviderName, providerCustomerId: string): Promise<LinkRef | null> {
    const index = TABLE.indexes.byProviderId;
    const [item] = await this.#queryIndex(index, providerIdValue(provider, providerCustomerId), 1);
    return item ? toLinkRef(item) : null;
  }

  async findByReference(reference: string): Promise<CustomerProfile | null> {
    const [item] = await this.#queryIndex(TABLE.indexes.byReference, referenceValue(reference), 1);
    return item ? toProfile(item) : null;
  }

  async findByEmail(email: string): Promise<CustomerProfile[]> {
    const items = await this.#queryIndex(TABLE.indexes.byEmail, emailValue(email));
    return items.map(toProfile);
  }

  async listCustomers(args: { limit: number; cursor?: string }): Promise<Page<CustomerProfile>> {
    const index = TABLE.indexes.allCustomers;
    const page = await this.#shardedPage({
      shards: TABLE.listShards,
      index,
      partition: listShardValue,
      limit: args.limit,
      cursor: args.cursor,
    });
    return { items: page.items.map(toProfile), cursor: page.cursor };
  }

  /**
   * Newest first. The current version lives on the link; history items hold the versions it replaced
   * (each written just before it was replaced), so the first page starts with the link's version and
   * continues below it. Items at or above the link's version (from before this layout) are skipped.
   */
  async getHistory(args: {
    customerId: string;
    provider: ProviderName;
    limit: number;
    cursor?: string;
  }): Promise<Page<HistoryEntry>> {
    const pk = customerPk(args.customerId);
    const prefix = historyPrefix(args.provider);
    const limit = positiveLimit(args.limit);
    const query = {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ScanIndexForward: false,
    };
    const toPage = (entries: HistoryEntry[], next: StartKey | null): Page<HistoryEntry> => ({
      items: entries,
      cursor: next ? encodeCursor({ shard: 0, key: next }) : null,
    });
    if (args.cursor) {
      const start = decodeCursor(
        args.cursor,
        ({ key }) => key?.pk === pk && key.sk?.startsWith(prefix) === true,
      ).key;
      const page = await this.#queryPage(query, limit, start, BASE_KEY);
      return toPage(page.items.map(toHistoryEntry), page.next);
    }
    const link = await this.#get(linkKey(args.customerId, args.provider));
    const current = link ? LinkItemSchema.parse(link) : null;
    if (!current?.snapshot || current.version === 0) {
      const page = await this.#queryPage(query, limit, null, BASE_KEY);
      return toPage(page.items.map(toHistoryEntry), page.next);
    }
    const below = { pk, sk: historySk(args.provider, current.version) };
    const entry: HistoryEntry = {
      customerId: current.customerId,
      provider: current.provider,
      version: current.version,
      snapshot: current.snapshot,
      recordedAt: current.recordedAt ?? current.snapshot.fetchedAt,
    };
    if (limit === 1) {
      const probe = await this.#queryPage(query, 1, below, BASE_KEY);
      return toPage([entry], probe.items.length > 0 ? below : null);
    }
    const page = await this.#queryPage(query, limit - 1, below, BASE_KEY);
    return toPage([entry, ...page.items.map(toHistoryEntry)], page.next);
  }

  /** Bulk put of prepared items, retrying unprocessed ones; for imports into keys nobody else writes. */
  batchPut(items: readonly Item[], options: BatchPutOptions = {}): Promise<void> {
    return batchPut(this.#doc, this.#table, items, { sleep: this.#sleep, ...options });
  }

  /**
   * Bulk import (bench seeding, first backfill into an empty table): profile, uniqueness guards, active
   * links with their snapshot as version 1, history and due sync states. Batch writes carry no
   * conditions, so this overwrites: use `createCustomer`/`linkProvider` where customers may exist.
   */
  importCustomers(customers: readonly ImportedCustomer[], now: string, options: BatchPutOptions = {}) {
    return this.batchPut(
      customers.flatMap((customer) => importedCustomerItems(customer, now)),
      options,
    );
  }

  /** The customer's profile, links and sync states in one Query that skips history. */
  async #readCustomer(customerId: string, consistent: boolean): Promise<CustomerRecord | null> {
    const items = await this.#queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: {
        ':pk': customerPk(customerId),
        ':from': CURRENT_SK_RANGE.from,
        ':to': CURRENT_SK_RANGE.to,
      },
      ConsistentRead: consistent,
    });
    const sk = (item: Item) => String(item.sk);
    const profile = items.find((item) => sk(item) === PROFILE_SK);
    if (!profile) return null;
    return {
      profile: toProfile(profile),
      links: items.filter((item) => sk(item).startsWith('PROVIDER#')).map(toLink),
      syncStates: items.filter((item) => sk(item).startsWith('SYNC#')).map(toSyncState),
    };
  }

  /** Consistent read: it decides what a following conditional write expects, or why one failed. */
  async #get(key: ItemKey): Promise<Item | null> {
    const { Item } = await this.#doc.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return Item ?? null;
  }

  async #readLink(customerId: string, provider: ProviderName): Promise<LinkItem | null> {
    const item = await this.#get(linkKey(customerId, provider));
    return item ? LinkItemSchema.parse(item) : null;
  }

  /** A link and its sync state as `writeSnapshot` starts from them; null when there is no link. */
  async #readBasis(customerId: string, provider: ProviderName): Promise<SnapshotBasis | null> {
    const [linkRead, syncRead] = await Promise.all([
      this.#get(linkKey(customerId, provider)),
      this.#get(syncKey(customerId, provider)),
    ]);
    if (!linkRead) return null;
    return {
      link: LinkItemSchema.parse(linkRead),
      sync: syncRead ? SyncItemSchema.parse(syncRead) : null,
      stored: { link: linkRead, sync: syncRead },
    };
  }

  async #guardOwner(key: ItemKey): Promise<string | null> {
    const item = await this.#get(key);
    return item ? GuardItemSchema.parse(item).customerId : null;
  }

  async #providerIdConflict(provider: ProviderName, providerCustomerId: string): Promise<StoreConflictError> {
    const owner = await this.#guardOwner(providerIdGuardKey(provider, providerCustomerId));
    return new StoreConflictError(
      'provider-id-linked',
      `this ${provider} customer is linked to customer ${owner ?? 'unknown'}`,
      owner,
    );
  }

  /** Claims the provider id for this customer; a no-op when this customer holds it already. */
  #providerIdGuardPut(customerId: string, provider: ProviderName, providerCustomerId: string) {
    return {
      Put: {
        TableName: this.#table,
        Item: { ...providerIdGuardKey(provider, providerCustomerId), customerId },
        ConditionExpression: 'attribute_not_exists(pk) OR customerId = :customerId',
        ExpressionAttributeValues: { ':customerId': customerId },
      },
    };
  }

  /**
   * Claims "newest seen" on the sync state: compare-and-set from the sync state as read (its order key
   * and content hash) to this fetch's, with the success fields. Every writer that stores content claims
   * first, and an unchanged re-sync raises the same order key, so of two fetches the older cannot store
   * after the newer was recorded. False when the sync state changed since it was read: decide again.
   */
  async #claimNewest(
    read: SnapshotBasis,
    success: SyncSuccess & { seen: { order: string; hash: string } },
    reactivate: boolean,
  ): Promise<boolean> {
    return this.#putSuccess(read, success, reactivate);
  }

  /**
   * Writes the link's current version as a history item before anything replaces it. That version's
   * content never changes, so every writer that gets here writes the same item: the first one wins
   * and the others' conditional puts fail harmlessly.
   */
  async #keepAsHistory(link: LinkItem): Promise<void> {
    if (link.version === 0 || link.snapshot === undefined) return;
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: historyItem({
            customerId: link.customerId,
            snapshot: link.snapshot,
            version: link.version,
            recordedAt: link.recordedAt ?? link.snapshot.fetchedAt,
            retentionDays: this.#retentionDays,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Stores `snapshot` as the link's next version if the link is still the one read (its content differs
   * and it holds nothing newer). The due index's projected attributes keep their values (unless
   * reactivating), so a change does not write that index. False when the link changed since it was read.
   */
  async #storeVersion(
    read: SnapshotBasis,
    snapshot: CustomerSnapshot,
    success: SyncSuccess & { seen: { order: string; hash: string } },
    reactivate: boolean,
  ): Promise<boolean> {
    const { link } = read;
    const { hash, order } = success.seen;
    if (link.contentHash === hash || (link.orderKey ?? '') >= order) return false;
    return this.#putIfUnchanged(
      read.stored.link,
      {
        snapshot,
        contentHash: hash,
        orderKey: order,
        version: link.version + 1,
        recordedAt: success.now,
        ...(reactivate ? { status: 'active', ...dueIndexKeys(link.customerId, link.provider) } : {}),
      },
      reactivate ? ['goneAt'] : [],
    );
  }

  /**
   * Raises the link's order key to `order` without changing its content or version, so a writer that
   * claimed an older fetch before us fails its `#storeVersion`. Rare: only after a claim was overtaken.
   */
  async #fenceLink(link: LinkItem, order: string, reactivate: boolean): Promise<boolean> {
    return this.#sendIf({
      Key: linkKey(link.customerId, link.provider),
      UpdateExpression: `SET #orderKey = :order${reactivate ? REACTIVATE_SET : ''}`,
      ConditionExpression:
        '#version = :expected AND #status = :status AND #contentHash = :hash AND (attribute_not_exists(#orderKey) OR #orderKey <= :order)',
      ExpressionAttributeValues: {
        ':order': order,
        ':expected': link.version,
        ':status': link.status,
        ':hash': link.contentHash,
        ...(reactivate ? reactivateValues(link) : {}),
      },
    });
  }

  /** Makes a gone link active and due again; a no-op when someone else already did. */
  async #reactivateLink(link: LinkItem): Promise<void> {
    await this.#sendIf({
      Key: linkKey(link.customerId, link.provider),
      UpdateExpression: `SET ${REACTIVATE_SET.slice(', '.length)}`,
      ConditionExpression: '#status = :gone',
      ExpressionAttributeValues: { ':gone': 'gone', ...reactivateValues(link) },
    });
  }

  /**
   * The one write of an unchanged re-sync: the sync-state item, a few hundred bytes in no index once the
   * link is settled (1 WCU; a recovering link's success also takes it out of the due index by time).
   * It raises the newest order key seen if the stored content is still `seen.hash` and nothing newer was
   * seen, so a delayed older fetch cannot later replace content a newer fetch confirmed. False when the
   * sync state is not like that, or changed since it was read.
   */
  async #confirmUnchanged(
    read: SnapshotBasis,
    success: SyncSuccess & { seen: { order: string; hash: string } },
    reactivate: boolean,
  ): Promise<boolean> {
    const { sync } = read;
    const { hash, order } = success.seen;
    if (sync?.contentHash !== undefined && sync.contentHash !== hash) return false;
    if ((sync?.orderKey ?? '') >= order) return false;
    return this.#putSuccess(read, success, reactivate);
  }

  /**
   * A successful fetch onto the sync state as read, if it exists and did not change since; unless
   * reactivating, not onto a link marked gone (it stays off the due index). False otherwise.
   */
  async #putSuccess(read: SnapshotBasis, success: SyncSuccess, reactivate: boolean): Promise<boolean> {
    const stored = read.stored.sync;
    if (!stored || !read.sync || (success.due && !reactivate && read.sync.status === 'gone')) return false;
    return this.#putIfUnchanged(stored, syncSuccessAttributes(success), SYNC_SUCCESS_REMOVES);
  }

  /**
   * A stale fetch's success onto the sync state: its times and due time, whatever else changed since
   * (no order key, so no condition beyond the item's existence); unless reactivating, not onto a link
   * marked gone meanwhile.
   */
  async #recordSuccess(success: SyncSuccess, reactivate: boolean): Promise<void> {
    const guardGone = success.due && !reactivate;
    const { UpdateExpression, ExpressionAttributeValues } = syncSuccessExpression(success);
    await this.#sendIf({
      Key: syncKey(success.customerId, success.provider),
      UpdateExpression,
      ConditionExpression: ['attribute_exists(#pk)', ...(guardGone ? ['#status <> :gone'] : [])].join(
        ' AND ',
      ),
      ExpressionAttributeValues: { ...ExpressionAttributeValues, ...(guardGone ? { ':gone': 'gone' } : {}) },
    });
  }

  /**
   * Puts `stored` back with `changes` (and without `removed`) if nobody wrote it since it was read: its
   * revision is still the one read (optimistic locking; every write of a link or sync state raises it).
   * A put, not an update: the same write units on DynamoDB, and on DynamoDB Local much less CPU than an
   * update with its expressions (docs/architecture.md). False when the item changed meanwhile.
   */
  async #putIfUnchanged(stored: Item, changes: Item, removed: readonly string[]): Promise<boolean> {
    const read = typeof stored.rev === 'number' ? stored.rev : undefined;
    const Item: Item = { ...stored, ...changes, rev: (read ?? 0) + 1 };
    for (const name of removed) delete Item[name];
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item,
          ...(read === undefined
            ? {
                ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#rev)',
                ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#rev': 'rev' },
              }
            : {
                ConditionExpression: '#rev = :rev',
                ExpressionAttributeNames: { '#rev': 'rev' },
                ExpressionAttributeValues: { ':rev': read },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * An Update for a transaction or for `#send`, with `#name` placeholders filled in from the expressions.
   * An update of a link or sync state also raises its revision, which `#putIfUnchanged` relies on.
   */
  #update(input: Omit<UpdateCommandInput, 'TableName' | 'ExpressionAttributeNames'>) {
    const revised = hasRevision(input.Key) ? withRevision(input) : input;
    return {
      Update: {
        TableName: this.#table,
        ...revised,
        UpdateExpression: revised.UpdateExpression ?? '',
        ExpressionAttributeNames: attributeNames(revised.UpdateExpression, revised.ConditionExpression),
      },
    };
  }

  async #send(input: Omit<UpdateCommandInput, 'TableName' | 'ExpressionAttributeNames'>): Promise<void> {
    await this.#doc.send(new UpdateCommand(this.#update(input).Update));
  }

  /** `#send` that answers false instead of throwing when its condition failed. */
  async #sendIf(input: Omit<UpdateCommandInput, 'TableName' | 'ExpressionAttributeNames'>): Promise<boolean> {
    try {
      await this.#send(input);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Runs a transaction. Returns null on success, or the per-item cancellation codes when DynamoDB
   * cancelled it for a condition or a conflicting concurrent transaction; every other error propagates.
   */
  async #transact(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<string[] | null> {
    try {
      await this.#doc.send(new TransactWriteCommand({ TransactItems: items }));
      return null;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const expected = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict']);
      if (codes.length === 0 || !codes.every((code) => expected.has(code))) throw error;
      return codes;
    }
  }

  async #backoff(attempt: number): Promise<void> {
    await this.#sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
  }

  async #queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const output = await this.#doc.send(
        new QueryCommand({ TableName: this.#table, ...input, ExclusiveStartKey: start }),
      );
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async #queryIndex(index: { name: string; partitionKey: string }, value: string, limit?: number) {
    const input = {
      IndexName: index.name,
      KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': index.partitionKey },
      ExpressionAttributeValues: { ':v': value },
    };
    if (limit === undefined) return this.#queryAll(input);
    const output = await this.#doc.send(new QueryCommand({ TableName: this.#table, ...input, Limit: limit }));
    return output.Items ?? [];
  }

  /**
   * Up to `limit` items from `start`, and the key to continue from when more exist. Asks for one item
   * more than the page so the last page says so itself, instead of handing out a cursor to an empty page.
   */
  async #queryPage(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit: number,
    start: StartKey | null,
    keyAttributes: string[],
  ): Promise<{ items: Item[]; next: StartKey | null }> {
    const items: Item[] = [];
    let exclusiveStartKey: QueryCommandInput['ExclusiveStartKey'] = start ?? undefined;
    do {
      const output = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          ...input,
          Limit: limit + 1 - items.length,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      items.push(...(output.Items ?? []));
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey && items.length <= limit);
    if (items.length <= limit) return { items, next: null };
    const page = items.slice(0, limit);
    const last = page[page.length - 1] ?? {};
    return { items: page, next: Object.fromEntries(keyAttributes.map((name) => [name, String(last[name])])) };
  }

  /** A page over a sharded index: shard 0 to the end, then shard 1, and so on. */
  async #shardedPage(args: {
    shards: number;
    index: { name: string; partitionKey: string; sortKey: string };
    partition: (shard: number) => string;
    sortBelow?: string;
    limit: number;
    cursor: string | undefined;
  }): Promise<{ items: Item[]; cursor: string | null }> {
    const { shards, index, partition, sortBelow } = args;
    const limit = positiveLimit(args.limit);
    const belongs = ({ shard, key }: CursorPosition) =>
      shard < shards && (key === null || key[index.partitionKey] === partition(shard));
    let { shard, key } = args.cursor ? decodeCursor(args.cursor, belongs) : { shard: 0, key: null };
    const items: Item[] = [];
    for (; shard < shards && items.length < limit; shard++, key = null) {
      const page = await this.#queryPage(
        {
          IndexName: index.name,
          KeyConditionExpression: `#pk = :pk${sortBelow ? ' AND #sk < :below' : ''}`,
          ExpressionAttributeNames: {
            '#pk': index.partitionKey,
            ...(sortBelow ? { '#sk': index.sortKey } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': partition(shard),
            ...(sortBelow ? { ':below': sortBelow } : {}),
          },
        },
        limit - items.length,
        key,
        indexKeyAttributes(index),
      );
      items.push(...page.items);
      if (page.next) return { items, cursor: encodeCursor({ shard, key: page.next }) };
    }
    return { items, cursor: shard < shards ? encodeCursor({ shard, key: null }) : null };
  }
}

/** A successful fetch, as recorded on the sync-state item. */
interface SyncSuccess {
  customerId: string;
  provider: ProviderName;
  now: string;
  /** UTC ISO (`isoTime`), so due times compare as strings. */
  nextDueAt: string;
  /** Active (or reactivated) links become due at `nextDueAt`; a gone link gets no due time. */
  due: boolean;
  /** The fetched snapshot's order key and content hash, when it is the newest seen. */
  seen?: { order: string; hash: string };
  /** Writes the item's identity too, so the update also makes a complete item where none was. */
  providerCustomerId?: string;
}

/**
 * What a successful fetch removes from the sync state: the last error, and its due-index entry by due
 * time (the success's due time is on the link's slot, where the due runs find it).
 */
const SYNC_SUCCESS_REMOVES = ['lastError', 'gsi4pk', 'gsi4sk'] as const;

/** What a successful fetch sets on the sync state (and it removes `SYNC_SUCCESS_REMOVES`). */
function syncSuccessAttributes(success: SyncSuccess): Item {
  return {
    lastSuccessAt: success.now,
    lastAttemptAt: success.now,
    consecutiveFailures: 0,
    ...(success.due ? { status: 'active', nextDueAt: success.nextDueAt } : {}),
    ...(success.seen ? { orderKey: success.seen.order, contentHash: success.seen.hash } : {}),
    ...(success.providerCustomerId
      ? {
          customerId: success.customerId,
          provider: success.provider,
          providerCustomerId: success.providerCustomerId,
        }
      : {}),
  };
}

/** `syncSuccessAttributes` as an update. */
function syncSuccessExpression(success: SyncSuccess) {
  const set = Object.entries(syncSuccessAttributes(success));
  return {
    UpdateExpression: `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')} REMOVE ${SYNC_SUCCESS_REMOVES.map((name) => `#${name}`).join(', ')}`,
    ExpressionAttributeValues: Object.fromEntries(set.map(([name, value]) => [`:${name}`, value])),
  };
}

/** Whether the item under `key` is a link or a sync state, the items that carry a revision. */
function hasRevision(key: UpdateCommandInput['Key']): boolean {
  const sk: unknown = key?.[TABLE.sortKey];
  return typeof sk === 'string' && isRevisedSk(sk);
}

/** The update with its item's revision raised by one (an ADD creates it on items stored without one). */
function withRevision(input: Omit<UpdateCommandInput, 'TableName' | 'ExpressionAttributeNames'>) {
  const expression = input.UpdateExpression ?? '';
  return {
    ...input,
    // An update expression may hold one ADD clause only.
    UpdateExpression: /\bADD\b/.test(expression)
      ? expression.replace(/\bADD\b/, 'ADD #rev :revisionStep,')
      : `${expression} ADD #rev :revisionStep`,
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':revisionStep': 1 },
  };
}

/** Makes a gone link active and due again, appended to a link update (values: `reactivateValues`). */
const REACTIVATE_SET = ', #status = :active, #gsi4pk = :gsi4pk, #gsi4sk = :gsi4sk REMOVE #goneAt';

function reactivateValues(link: LinkItem) {
  return { ':active': 'active', ...gsi4Values(dueIndexKeys(link.customerId, link.provider)) };
}

/** Due-index keys (a link's by slot, or a sync state's by due time) as `:gsi4pk` and `:gsi4sk`. */
function gsi4Values(keys: { gsi4pk: string; gsi4sk: string }) {
  return { ':gsi4pk': keys.gsi4pk, ':gsi4sk': keys.gsi4sk };
}

/** `#name` placeholders used in the expressions, each standing for the attribute of the same name. */
function attributeNames(...expressions: (string | undefined)[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const expression of expressions) {
    for (const [placeholder, name] of expression?.matchAll(/#(\w+)/g) ?? []) {
      if (name) names[placeholder] = name;
    }
  }
  return names;
}
