/**
 * Page cursors: base64url JSON of where the next page starts (a shard for sharded indexes, and the
 * DynamoDB key to continue after). Opaque to callers; checked on the way back in so a cursor from another
 * query (or a hand-made one) is a 400, not a DynamoDB ValidationException.
 */
import * as z from 'zod/mini';
import { StoreCursorError } from './errors.ts';

export type StartKey = Record<string, string>;

export interface CursorPosition {
  shard: number;
  key: StartKey | null;
}

const CursorSchema = z.object({
  s: z.number().check(z.int(), z.nonnegative()),
  k: z.nullable(z.record(z.string(), z.string())),
});

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ s: position.shard, k: position.key })).toString('base64url');
}

/** Decodes a cursor and checks it with `belongs` (it must point into the query it is used for). */
export function decodeCursor(cursor: string, belongs: (position: CursorPosition) => boolean): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new StoreCursorError('cursor is not valid');
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success) throw new StoreCursorError('cursor is not valid');
  const position = { shard: result.data.s, key: result.data.k };
  if (!belongs(position)) throw new StoreCursorError('cursor does not belong to this query');
  return position;
}

/** A page size as given: a positive integer, else a RangeError. */
export function positiveLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  return limit;
}
