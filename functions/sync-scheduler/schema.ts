/** EventBridge Scheduler input: `{ "provider": "mollie", "mode": "due" | "backfill" }` (mode defaults to due). */
export { type SchedulerEvent, SchedulerEventSchema } from '../../lib/sync/scheduler.ts';
