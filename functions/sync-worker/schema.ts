/** The sync queue's message body (JSON); defined with the queue in lib/sync/queue.ts. */
export { SYNC_REASONS, type SyncMessage, SyncMessageSchema } from '../../lib/sync/queue.ts';
