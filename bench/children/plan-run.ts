/**
 * Child process of benchmark 6: scheduler runs ('due' mode, `runScheduledSync` from lib/sync) over a
 * provider's links, into a queue that only counts. A fresh process per size, so
 * `process.resourceUsage().maxRSS` is this process's high-water mark. Prints one JSON result line.
 *
 * After the measured runs (every link due), optionally one more run with the clock set before every due
 * time: what a run costs when nothing is due, which is what most runs of a large deployment look like;
 * and one run on slots (a long refresh interval), which reads only the slots come due around now.
 */
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { loadRuntimeConfig } from '../../lib/config/runtime.ts';
import { ProviderNameSchema } from '../../lib/customer/snapshot.ts';
import { BATCH_GET_LIMIT } from '../../lib/store/batch.ts';
import { createDynamoClients } from '../../lib/store/client.ts';
import { CustomerStore } from '../../lib/store/customer-store.ts';
import { DUE_WALK_CHUNK, DueLinkReader } from '../../lib/store/due-links.ts';
import { customerPk, dueShardValue, syncSk } from '../../lib/store/keys.ts';
import { TABLE } from '../../lib/store/table.ts';
import { fixedClock, systemClock } from '../../lib/sync/clock.ts';
import { noopSyncMetrics } from '../../lib/sync/metrics.ts';
import type { SyncMessage, SyncQueue } from '../../lib/sync/queue.ts';
import { createRuntimeSchedule } from '../../lib/sync/runtime-deps.ts';
import { createSyncSchedule } from '../../lib/sync/schedule.ts';
import { runScheduledSync, type SchedulerDeps } from '../../lib/sync/scheduler.ts';
import { recordCapacity } from '../lib/capacity.ts';
import { PlanArgsSchema, type PlanResult } from '../lib/plan-protocol.ts';
import { byProvider } from '../lib/providers.ts';

/** Counts what would go to SQS and keeps nothing, so the queue adds no memory of its own. */
class CountingQueue implements SyncQueue {
  count = 0;
  async send(messages: SyncMessage[]): Promise<void> {
    this.count += messages.length;
  }
}

const args = PlanArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const config = loadRuntimeConfig({
  STAGE: 'local',
  TABLE_NAME: args.tableName,
  DYNAMODB_ENDPOINT: args.endpoint,
});
const { client, doc } = createDynamoClients({ region: args.region, endpoint: args.endpoint });
const capacity = recordCapacity(client);
const store = new CustomerStore({
  doc,
  tableName: args.tableName,
  historyRetentionDays: args.historyRetentionDays,
});
const queue = new CountingQueue();
const deps: SchedulerDeps = {
  store,
  dueLinks: new DueLinkReader({ doc, tableName: args.tableName }),
  queue,
  adapters: {},
  clock: systemClock,
  schedule: createRuntimeSchedule(config),
  metrics: noopSyncMetrics,
  pageSize: args.pageSize,
};

await runScheduledSync(deps, { provider: ProviderNameSchema.parse(args.warmupProvider), mode: 'due' });
const warmupEnqueued = queue.count;
const rssBeforeBytes = process.memoryUsage.rss();
const provider = ProviderNameSchema.parse(args.provider);
// What the RSS is made of, to tell retained data (heap after GC) from collector slack (heap total).
const peaks = { heapUsed: 0, heapTotal: 0, external: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
  peaks.heapTotal = Math.max(peaks.heapTotal, usage.heapTotal);
  peaks.external = Math.max(peaks.external, usage.external + usage.arrayBuffers);
}, 25);

// A run changes nothing (the queue only counts), so it can be repeated on the same links: the median
// of a few runs keeps one noisy moment on the machine out of the growth ratio.
const times: number[] = [];
let enqueued = 0;
let pages = 0;
let readUnits = 0;
for (let run = 0; run < args.runs; run++) {
  queue.count = 0;
  capacity.reset();
  const started = performance.now();
  const summary = await runScheduledSync(deps, { provider, mode: 'due' });
  times.push(performance.now() - started);
  enqueued = queue.count;
  pages = summary.pages;
  readUnits = capacity.snapshot().readUnits;
}

/**
 * The same reads with no planner: every chunk of the provider's due-index partitions (as many entries
 * per query as the planner's walk), then BatchGetItems of those links' due times, one at a time, nothing
 * parsed. Separates the cost of the index and table
 * (how DynamoDB Local answers at this size) from the product's own work per page.
 */
async function bareWalk(): Promise<number> {
  const started = performance.now();
  for (let shard = 0; shard < TABLE.dueShards; shard++) {
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: args.tableName,
          IndexName: TABLE.indexes.dueForSync.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.indexes.dueForSync.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: dueShardValue(provider, shard) } },
          Limit: DUE_WALK_CHUNK,
          ExclusiveStartKey: start,
        }),
      );
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += BATCH_GET_LIMIT) {
        let keys: KeysAndAttributes | undefined = {
          Keys: items.slice(i, i + BATCH_GET_LIMIT).map((item) => ({
            pk: { S: customerPk(item.customerId?.S ?? '') },
            sk: { S: syncSk(provider) },
          })),
          ProjectionExpression: 'pk, nextDueAt',
        };
        while (keys?.Keys?.length) {
          const got: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({ RequestItems: { [args.tableName]: keys } }),
          );
          keys = got.UnprocessedKeys?.[args.tableName];
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return performance.now() - started;
}
const bareWalkMs = await bareWalk();

let idleRun: PlanResult['idleRun'] = null;
if (args.idleClockAt !== null) {
  queue.count = 0;
  capacity.reset();
  const started = performance.now();
  await runScheduledSync({ ...deps, clock: fixedClock(args.idleClockAt) }, { provider, mode: 'due' });
  idleRun = {
    ms: performance.now() - started,
    enqueued: queue.count,
    readUnits: capacity.snapshot().readUnits,
  };
}

let slotRun: PlanResult['slotRun'] = null;
if (args.slotRun !== null) {
  const { intervalSeconds, dueRunSeconds } = args.slotRun;
  const schedule = createSyncSchedule({
    intervalSeconds: byProvider(() => intervalSeconds),
    dueRunSeconds: byProvider(() => dueRunSeconds),
    retryBaseSeconds: config.sync.retryBaseSeconds,
    maxBackoffSeconds: config.sync.maxBackoffSeconds,
  });
  queue.count = 0;
  capacity.reset();
  const started = performance.now();
  await runScheduledSync({ ...deps, schedule }, { provider, mode: 'due' });
  slotRun = {
    ms: performance.now() - started,
    enqueued: queue.count,
    readUnits: capacity.snapshot().readUnits,
  };
}

clearInterval(sampler);
const collect: unknown = Reflect.get(globalThis, 'gc');
if (typeof collect === 'function') collect();
const heapAfterGcBytes = process.memoryUsage().heapUsed;
const sorted = [...times].sort((a, b) => a - b);
const result: PlanResult = {
  elapsedMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
  runsMs: times,
  enqueued,
  pages,
  readUnits,
  warmupEnqueued,
  idleRun,
  slotRun,
  bareWalkMs,
  // maxRSS is in kilobytes.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  rssBeforeBytes,
  peakHeapUsedBytes: peaks.heapUsed,
  peakHeapTotalBytes: peaks.heapTotal,
  peakExternalBytes: peaks.external,
  heapAfterGcBytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
client.destroy();
