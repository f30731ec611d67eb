/**
 * EventBridge Scheduler input: `{ "provider": "mollie", "mode": "due" | "backfill", "shard"?: 0..7 }`
 * (mode defaults to due; shard, due runs only, plans one shard of the due index, absent all of them).
 */
export { type SchedulerEvent, SchedulerEventSchema } from '../../lib/sync/scheduler.ts';
