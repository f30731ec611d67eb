/**
 * The import's progress journal, `<file>.progress.jsonl`: one line per row the API accepted, appended
 * as soon as it is accepted. A re-run skips every row whose key is in the journal. Rows that were sent
 * but not yet journaled when a run died are sent again with the same Idempotency-Key, so the API
 * replays the first answer instead of creating twice: the journal saves work, the key guarantees
 * exactly-once.
 */
import { createHash } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { errorCode } from './errors.ts';

export const journalPathFor = (importFile: string): string => `${importFile}.progress.jsonl`;

/** Derived from the merchant reference only, so the same customer gets the same key on every run. */
export const importIdempotencyKey = (reference: string): string =>
  `import:${createHash('sha256').update(reference, 'utf8').digest('hex')}`;

const JournalEntrySchema = z.object({
  key: z.string().check(z.minLength(1)),
  row: z.number().check(z.int(), z.positive()),
  customerId: z.string().check(z.minLength(1)),
  /**
   * created: on this run. existing: the API replayed an earlier attempt. pending: stored, some
   * providers not created yet (the scheduler completes them).
   */
  outcome: z.enum(['created', 'existing', 'pending']),
  at: z.string(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

export interface Journal {
  readonly path: string;
  /** Keys already done, with their entries. */
  readonly done: ReadonlyMap<string, JournalEntry>;
  record(entry: JournalEntry): Promise<void>;
}

/**
 * Opens (or starts) the journal. Lines that do not parse are ignored: a crash can leave a half-written
 * last line, and the row it stood for is simply sent again under the same key.
 */
export async function openJournal(path: string): Promise<Journal> {
  const done = new Map<string, JournalEntry>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = JournalEntrySchema.safeParse(value);
    if (parsed.success) done.set(parsed.data.key, parsed.data);
  }
  // A torn last line would glue onto the next append: start appends on a fresh line.
  let needsNewline = text !== '' && !text.endsWith('\n');
  // Appends are chained so concurrent workers never interleave partial lines.
  let tail: Promise<void> = Promise.resolve();
  return {
    path,
    done,
    record(entry) {
      done.set(entry.key, entry);
      const line = `${needsNewline ? '\n' : ''}${JSON.stringify(entry)}\n`;
      needsNewline = false;
      tail = tail.then(() => appendFile(path, line, 'utf8'));
      return tail;
    },
  };
}
