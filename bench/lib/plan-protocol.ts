/** Arguments and result line of the scheduler-scale child (bench/children/plan-run.ts). */
import * as z from 'zod';

export const PlanArgsSchema = z.object({
  endpoint: z.string(),
  region: z.string(),
  tableName: z.string(),
  historyRetentionDays: z.number(),
  /** Planned first, unmeasured: warms the JIT and the connection. */
  warmupProvider: z.string(),
  provider: z.string(),
  pageSize: z.number().int().positive(),
  /** Measured runs over the same links; the median is reported. */
  runs: z.number().int().positive(),
  /** The clock of an extra run: before every seeded due time, so nothing is due. Null: no such run. */
  idleClockAt: z.string().nullable(),
  /** An extra run on slots (lib/sync/schedule.ts) with this refresh interval and due-run period. */
  slotRun: z.object({ intervalSeconds: z.number(), dueRunSeconds: z.number() }).nullable(),
});
export type PlanArgs = z.infer<typeof PlanArgsSchema>;

export const PlanResultSchema = z.object({
  /** Median of the runs. */
  elapsedMs: z.number(),
  runsMs: z.array(z.number()),
  enqueued: z.number(),
  pages: z.number(),
  /** Read capacity units of the last measured run (DynamoDB's ReturnConsumedCapacity). */
  readUnits: z.number(),
  warmupEnqueued: z.number(),
  idleRun: z.object({ ms: z.number(), enqueued: z.number(), readUnits: z.number() }).nullable(),
  slotRun: z.object({ ms: z.number(), enqueued: z.number(), readUnits: z.number() }).nullable(),
  /** The same index chunks and due-time BatchGets bare, without the planner (after the measured runs). */
  bareWalkMs: z.number(),
  /** `process.resourceUsage().maxRSS`, in bytes: the high-water mark of the whole child. */
  maxRssBytes: z.number(),
  /** RSS after loading the code and warming up, before the measured run. */
  rssBeforeBytes: z.number(),
  peakHeapUsedBytes: z.number(),
  peakHeapTotalBytes: z.number(),
  /** `external` + `arrayBuffers` (sockets, buffers of HTTP bodies). */
  peakExternalBytes: z.number(),
  /** Heap still in use after a full collection at the end (child runs with --expose-gc). */
  heapAfterGcBytes: z.number(),
});
export type PlanResult = z.infer<typeof PlanResultSchema>;
