import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importIdempotencyKey, journalPathFor, openJournal } from '../../../lib/cli/journal.ts';

describe('importIdempotencyKey', () => {
  it('is deterministic, prefixed and does not reveal the reference', () => {
    const key = importIdempotencyKey('merchant-ref-42');
    expect(key).toBe(importIdempotencyKey('merchant-ref-42'));
    expect(key).toMatch(/^import:[0-9a-f]{64}$/);
    expect(key).not.toContain('merchant-ref-42');
    expect(importIdempotencyKey('merchant-ref-43')).not.toBe(key);
  });
});

describe('openJournal', () => {
  const entry = (key: string, row: number) => ({
    key,
    row,
    customerId: `01CUSTOMER${row}`,
    outcome: 'created' as const,
    at: '2024-06-01T00:00:00.000Z',
  });

  it('names the journal after the import file', () => {
    expect(journalPathFor('/data/customers.csv')).toBe('/data/customers.csv.progress.jsonl');
  });

  it('starts empty, records entries, and finds them on the next open', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'journal-')), 'x.progress.jsonl');
    const first = await openJournal(path);
    expect(first.done.size).toBe(0);
    await Promise.all([
      first.record(entry('k1', 1)),
      first.record(entry('k2', 2)),
      first.record(entry('k3', 3)),
    ]);
    const second = await openJournal(path);
    expect([...second.done.keys()].sort()).toEqual(['k1', 'k2', 'k3']);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('ignores a torn last line and keeps appending on a fresh line', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'journal-')), 'x.progress.jsonl');
    await appendFile(path, `${JSON.stringify(entry('k1', 1))}\n{"key":"k2","ro`);
    const journal = await openJournal(path);
    expect([...journal.done.keys()]).toEqual(['k1']);
    await journal.record(entry('k3', 3));
    const reopened = await openJournal(path);
    expect([...reopened.done.keys()].sort()).toEqual(['k1', 'k3']);
  });
});
