/**
 * The bench's worker pool: at most `concurrency` calls in flight, in item order, like an SQS event
 * source with a maximum concurrency (a slot takes the next item as soon as it frees up). The same
 * pool the CLI and the store's batch reads and writes use.
 */
export { forEachConcurrent as runPool } from '../../lib/concurrency.ts';
