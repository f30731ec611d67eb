/**
 * Batch reads and writes. BatchWriteItem takes 25 items and BatchGetItem 100 keys, and either may hand
 * some back (UnprocessedItems/UnprocessedKeys: throttling, partition or response-size limits) without
 * failing: those are retried with exponential backoff and full jitter until done or out of attempts,
 * never dropped.
 * Batch writes carry no conditions: callers own uniqueness (use them on keys nobody else writes).
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrent } from '../concurrency.ts';
import { StoreBatchIncompleteError } from './errors.ts';
import type { Item } from './items.ts';
import type { ItemKey } from './keys.ts';

export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;

export interface BatchRetryOptions {
  /** Attempts per chunk, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BatchPutOptions extends BatchRetryOptions {
  /** Chunks written in parallel. */
  concurrency?: number;
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
  await forEachConcurrent(chunks, options.concurrency ?? 4, (chunk) =>
    putChunk(doc, tableName, chunk, options),
  );
}

function putChunk(
  doc: DynamoDBDocumentClient,
  tableName: string,
  chunk: Item[],
  options: BatchRetryOptions,
): Promise<void> {
  return untilProcessed(
    chunk.map((Item) => ({ PutRequest: { Item } })),
    async (requests) => {
      const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      return (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    },
    options,
  );
}

/**
 * The items at `keys` that exist, in no particular order (BatchGetItem's own). Eventually consistent,
 * at half the read cost of a consistent read: for readers that tolerate a moment's lag (the scheduler).
 * `attributes` limits what comes back (the read still costs the whole item); include the key attributes
 * the caller matches results by. Keys must be distinct. `concurrency` chunks of 100 keys are read at once.
 */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: BatchRetryOptions & { attributes?: readonly string[]; concurrency?: number } = {},
): Promise<Item[]> {
  const { attributes } = options;
  const projection = attributes
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  const chunks: Array<Record<string, unknown>[]> = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT)
    chunks.push(keys.slice(i, i + BATCH_GET_LIMIT).map((key) => ({ ...key })));
  const found: Item[] = [];
  await forEachConcurrent(chunks, options.concurrency ?? 1, (chunk) =>
    untilProcessed<Record<string, unknown>>(
      chunk,
      async (requested) => {
        const output = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: requested, ...projection } } }),
        );
        found.push(...(output.Responses?.[tableName] ?? []));
        return output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      },
      options,
    ),
  );
  return found;
}

/** Sends `requests`, then what DynamoDB left unprocessed, with backoff, until none is left. */
async function untilProcessed<T>(
  requests: T[],
  send: (requests: T[]) => Promise<T[]>,
  options: BatchRetryOptions,
): Promise<void> {
  const { maxAttempts = 8, baseDelayMs = 25, maxDelayMs = 2_000, sleep = defaultSleep } = options;
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > maxAttempts) throw new StoreBatchIncompleteError(pending.length);
    if (attempt > 1) await sleep(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)));
    pending = await send(pending);
  }
}
