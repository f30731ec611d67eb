/**
 * Bulk puts for imports, backfills and bench seeding. BatchWriteItem takes 25 items and may hand back
 * some as UnprocessedItems (throttling, partition limits) without failing: those are retried with
 * exponential backoff and full jitter until done or out of attempts, never dropped.
 * Batch writes carry no conditions: callers own uniqueness (use them on keys nobody else writes).
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreBatchIncompleteError } from './errors.ts';
import type { Item } from './items.ts';

export const BATCH_WRITE_LIMIT = 25;

export interface BatchPutOptions {
  /** Attempts per chunk of 25, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Chunks written in parallel. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export async function batchPut(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  options: BatchPutOptions = {},
): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT)
    chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let next = 0;
  const worker = async () => {
    for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
      await putChunk(doc, tableName, chunk, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, chunks.length) }, worker));
}

async function putChunk(
  doc: DynamoDBDocumentClient,
  tableName: string,
  chunk: Item[],
  options: BatchPutOptions,
): Promise<void> {
  const { maxAttempts = 8, baseDelayMs = 25, maxDelayMs = 2_000, sleep = defaultSleep } = options;
  let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; requests.length > 0; attempt++) {
    if (attempt > maxAttempts) throw new StoreBatchIncompleteError(requests.length);
    if (attempt > 1) await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)));
    const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
      request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
    );
  }
}
