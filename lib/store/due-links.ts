/**
 * The scheduler's reads of the due index (`dueForSync`, keys.ts): every due link of a provider, or only
 * those of some slots and the sync states held by due time (lib/sync/schedule.ts). Apart from
 * `CustomerStore` so that only the scheduler's bundle carries it; it reads what the store writes.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ProviderName } from '../customer/snapshot.ts';
import { batchGet, defaultSleep } from './batch.ts';
import { positiveLimit, type StartKey } from './cursor.ts';
import { SyncDueSchema, toDueLink, toLinkRef } from './items.ts';
import {
  customerPk,
  dueAtOf,
  dueAtRange,
  dueShardValue,
  isoTime,
  isRevisedSk,
  linkSk,
  slotRange,
  syncKey,
  syncSk,
} from './keys.ts';
import { indexKeyAttributes, TABLE } from './table.ts';
import type { DueLink, DueLinksApi, DueLinksQuery, LinkRef, SlotRanges } from './types.ts';

export interface DueLinkReaderOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Waits between retries of unprocessed batch reads; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Index entries per query of `listDueLinks` (default `DUE_WALK_CHUNK`); small in tests of its chunking. */
  dueWalkChunk?: number;
}

export class DueLinkReader implements DueLinksApi {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #dueWalkChunk: number;

  constructor(options: DueLinkReaderOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#dueWalkChunk = positiveLimit(options.dueWalkChunk ?? DUE_WALK_CHUNK);
  }

  /**
   * The due links, in pages of `limit`. Shards are walked in order, each in due-index order, in chunks
   * of `DUE_WALK_CHUNK` entries (option `dueWalkChunk`; the next chunk is queried while this one's due
   * times are batch-read from the sync states), keeping the links due by `dueBy`; a page may end inside
   * a chunk. A pending link with no sync state is due (the scheduler retries its create); an active one
   * without is not (nothing would record its sync). Large chunks mean fewer index queries: DynamoDB
   * Local pays for where a query starts in a partition (a page of 100 at 30,000 entries in costs 3x one
   * at the start), and on AWS they are fewer round trips for the same read units.
   */
  async *listDueLinks(args: DueLinksQuery): AsyncGenerator<DueLink[]> {
    if (args.slots) {
      yield* this.#listDueInSlots({ ...args, slots: args.slots });
      return;
    }
    const limit = positiveLimit(args.limit);
    const walk = this.#dueWalk(args);
    let page: DueLink[] = [];
    let position = walk.start;
    let prefetched: Promise<DueIndexChunk> | null = null;
    try {
      while (position.shard < walk.end) {
        const chunk: DueIndexChunk = await (prefetched ?? walk.chunk(position, this.#dueWalkChunk));
        position = walk.after(position, chunk);
        prefetched = position.shard < walk.end ? walk.chunk(position, this.#dueWalkChunk) : null;
        for (const due of await this.#dueInChunk(args.provider, chunk, walk.dueBy)) {
          if (!due) continue;
          page.push(due);
          if (page.length === limit) {
            yield page;
            page = [];
          }
        }
      }
      if (page.length > 0) yield page;
    } finally {
      // A chunk read ahead but not needed: its outcome no longer matters (nor may it go unhandled).
      prefetched?.catch(() => undefined);
    }
  }

  /**
   * `listDueLinks` over `slots` only: per shard, the link entries of those slots whose due time has come
   * (their sync states' due times batch-read as in the full walk), then the sync states the index holds
   * by due time (new, pending and failing links) due by `dueBy`, read from the index alone. A link of the
   * slots whose sync state is also held by due time is left to that entry, so no link comes twice.
   */
  async *#listDueInSlots(
    args: Omit<DueLinksQuery, 'slots'> & { slots: SlotRanges },
  ): AsyncGenerator<DueLink[]> {
    const limit = positiveLimit(args.limit);
    const dueBy = isoTime(args.dueBy);
    const ranges = [
      ...args.slots.map(({ from, to }) => ({ bySlot: true, ...slotRange(from, to) })),
      { bySlot: false, ...dueAtRange(dueBy) },
    ];
    let page: DueLink[] = [];
    for (const shard of dueShardOrder(args.shards)) {
      const partition = dueShardValue(args.provider, shard);
      for (const { bySlot, ...range } of ranges) {
        let start: StartKey | null = null;
        do {
          const chunk: DueIndexChunk = await this.#dueIndexChunk(partition, start, this.#dueWalkChunk, range);
          start = chunk.last;
          const due = bySlot
            ? await this.#dueInChunk(args.provider, chunk, dueBy, true)
            : chunk.entries.map((entry) => dueAtLink(args.provider, entry));
          for (const link of due) {
            if (!link) continue;
            page.push(link);
            if (page.length === limit) {
              yield page;
              page = [];
            }
          }
        } while (start);
      }
    }
    if (page.length > 0) yield page;
  }

  /** Where a walk of the due index starts and ends, how it reads a chunk and moves past one. */
  #dueWalk(args: { provider: ProviderName; dueBy: string; shards?: readonly number[] | undefined }) {
    const order = dueShardOrder(args.shards);
    // Past the last shard walked: the end of the walk.
    const end = TABLE.dueShards;
    const partition = (shard: number) => dueShardValue(args.provider, shard);
    const start: WalkPosition = { shard: order[0] ?? end, key: null };
    return {
      dueBy: isoTime(args.dueBy),
      end,
      start,
      chunk: (at: WalkPosition, size: number) => this.#dueIndexChunk(partition(at.shard), at.key, size),
      after: (at: WalkPosition, chunk: DueIndexChunk): WalkPosition =>
        chunk.last
          ? { shard: at.shard, key: chunk.last }
          : { shard: order.find((candidate) => candidate > at.shard) ?? end, key: null },
    };
  }

  /**
   * Every entry of an index chunk with its due link, or null where it is not one: another provider's or
   * kind's entry, a gone link, a link not due by `dueBy`; with `skipHeldByTime`, also a link whose sync
   * state the index holds by due time (a walk of slots reads those entries itself).
   */
  async #dueInChunk(
    provider: ProviderName,
    chunk: DueIndexChunk,
    dueBy: string,
    skipHeldByTime = false,
  ): Promise<Array<DueLink | null>> {
    // Only link items: an entry of another kind would not be a link of this provider.
    const links = chunk.entries.map(({ sk, link }) =>
      sk === linkSk(provider) && link && link.status !== 'gone' ? link : null,
    );
    const dueTimes = await this.#nextDueTimes(
      provider,
      links.flatMap((link) => (link ? [link.customerId] : [])),
    );
    return links.map((link) => {
      if (!link) return null;
      const sync = dueTimes.get(link.customerId);
      if (skipHeldByTime && sync?.heldByTime) return null;
      const nextDueAt = sync ? sync.nextDueAt : link.status === 'pending' ? dueBy : undefined;
      return nextDueAt === undefined || nextDueAt > dueBy ? null : toDueLink(link, nextDueAt);
    });
  }

  /**
   * Up to `limit` entries of one due-index partition after `start` (within the sort-key `range` if
   * given), and where the next chunk starts.
   */
  async #dueIndexChunk(
    partition: string,
    start: StartKey | null,
    limit: number,
    range?: { from: string; to: string },
  ): Promise<DueIndexChunk> {
    const index = TABLE.indexes.dueForSync;
    const output = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: index.name,
        KeyConditionExpression: range ? '#pk = :pk AND #sk BETWEEN :from AND :to' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey, ...(range ? { '#sk': index.sortKey } : {}) },
        ExpressionAttributeValues: {
          ':pk': partition,
          ...(range ? { ':from': range.from, ':to': range.to } : {}),
        },
        Limit: limit,
        ExclusiveStartKey: start ?? undefined,
      }),
    );
    const keyAttributes = indexKeyAttributes(index);
    return {
      entries: (output.Items ?? []).map((item) => {
        const sk = String(item.sk);
        return {
          sk,
          indexSk: String(item[index.sortKey]),
          // Links, and sync states held by due time: both project the link's holder and status.
          link: isRevisedSk(sk) ? toLinkRef(item) : null,
        };
      }),
      last: output.LastEvaluatedKey
        ? Object.fromEntries(keyAttributes.map((name) => [name, String(output.LastEvaluatedKey?.[name])]))
        : null,
    };
  }

  /**
   * Due times of these customers' sync states (ISO, as stored), by customer id, and whether the due
   * index holds the sync state by that time; absent where a customer has no sync state, `nextDueAt`
   * undefined where it has no due time. Eventually consistent: a due time a moment old at worst enqueues
   * a sync the worker finds unnecessary.
   */
  async #nextDueTimes(
    provider: ProviderName,
    customerIds: string[],
  ): Promise<Map<string, { nextDueAt: string | undefined; heldByTime: boolean }>> {
    if (customerIds.length === 0) return new Map();
    const items = await batchGet(
      this.#doc,
      this.#table,
      customerIds.map((customerId) => syncKey(customerId, provider)),
      {
        attributes: [TABLE.partitionKey, 'nextDueAt', TABLE.indexes.dueForSync.sortKey],
        sleep: this.#sleep,
        concurrency: DUE_WALK_READS,
      },
    );
    const byPk = new Map(
      items.map((item) => {
        const sync = SyncDueSchema.parse(item);
        const nextDueAt = sync.nextDueAt === undefined ? undefined : isoTime(sync.nextDueAt);
        return [sync.pk, { nextDueAt, heldByTime: sync.gsi4sk !== undefined }] as const;
      }),
    );
    return new Map(
      customerIds.flatMap((customerId) => {
        const sync = byPk.get(customerPk(customerId));
        return sync ? [[customerId, sync] as const] : [];
      }),
    );
  }
}

/** Where a walk of the due index is: a shard, and the index key to continue after (null: its start). */
interface WalkPosition {
  shard: number;
  key: StartKey | null;
}

/** One Query's worth of the due index, in index order. */
interface DueIndexChunk {
  /** `sk` is the item's table sort key, `indexSk` its due-index sort key. */
  entries: Array<{ sk: string; indexSk: string; link: LinkRef | null }>;
  /** Where the next chunk of the same partition starts; null at its end. */
  last: StartKey | null;
}

/** Index entries per query of `listDueLinks` (about 150 bytes each), and its parallel due-time reads. */
export const DUE_WALK_CHUNK = 1_000;
const DUE_WALK_READS = 4;

/** A due-index entry of a sync state held by due time (`dueAtIndexKeys`) as a due link; else null. */
function dueAtLink(provider: ProviderName, entry: DueIndexChunk['entries'][number]): DueLink | null {
  const nextDueAt = dueAtOf(entry.indexSk);
  if (entry.sk !== syncSk(provider) || !entry.link || entry.link.status === 'gone' || nextDueAt === null) {
    return null;
  }
  return toDueLink(entry.link, nextDueAt);
}

/** The due-index shards to walk, ascending and each once (all of them by default). */
function dueShardOrder(shards: readonly number[] | undefined): number[] {
  if (shards === undefined) return Array.from({ length: TABLE.dueShards }, (_, shard) => shard);
  for (const shard of shards) {
    if (!Number.isInteger(shard) || shard < 0 || shard >= TABLE.dueShards)
      throw new RangeError(`due shard must be an integer from 0 to ${TABLE.dueShards - 1}`);
  }
  return [...new Set(shards)].sort((a, b) => a - b);
}
