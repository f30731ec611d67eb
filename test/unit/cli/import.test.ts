import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatImportSummary, runImport } from '../../../lib/cli/commands/import.ts';
import { formatSyncSummary } from '../../../lib/cli/commands/sync.ts';
import type { CliContext } from '../../../lib/cli/context.ts';
import { parseCsvRows } from '../../../lib/cli/input-file.ts';
import { importIdempotencyKey, journalPathFor } from '../../../lib/cli/journal.ts';

const ctx: CliContext = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {},
  cwd: '/',
  signal: new AbortController().signal,
};

describe('runImport (dry run)', () => {
  it('plans valid rows, skips journaled ones and fails invalid and duplicate rows, sending nothing', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'import-')), 'c.csv');
    await writeFile(
      journalPathFor(path),
      `${JSON.stringify({ key: importIdempotencyKey('r-1'), row: 1, customerId: '01X', outcome: 'created', at: '2024-01-01T00:00:00.000Z' })}\n`,
    );
    const rows = parseCsvRows('reference,email\nr-1,\nr-2,\nr-3,nope\nr-2,\nr-4,\n');
    const summary = await runImport({
      path,
      rows,
      providers: ['mollie'],
      concurrency: 2,
      dryRun: true,
      json: true,
      ctx,
      api: null,
    });
    expect(summary).toMatchObject({
      rows: 5,
      skipped: 1,
      notAttempted: 2,
      failed: 2,
      created: 0,
      interrupted: false,
    });
    expect(summary.failures.map((failure) => [failure.row, failure.type])).toEqual([
      [3, 'InvalidRow'],
      [4, 'DuplicateReference'],
    ]);
    expect(formatImportSummary(summary)).toMatch(
      /^Dry run: 5 rows, 2 would be sent, 1 already done, 2 invalid\.$/m,
    );
  });
});

describe('formatImportSummary', () => {
  it('lists failed rows with field names and points at the journal', () => {
    const text = formatImportSummary({
      file: '/d/c.csv',
      journal: '/d/c.csv.progress.jsonl',
      providers: ['mollie', 'delos'],
      rows: 3,
      created: 1,
      existing: 0,
      pending: 0,
      skipped: 1,
      failed: 1,
      notAttempted: 0,
      failures: [
        {
          row: 2,
          line: 3,
          type: 'InvalidRow',
          message: 'invalid customer',
          fields: [{ field: 'email', message: 'Invalid email address' }],
        },
      ],
      interrupted: false,
      dryRun: false,
    });
    expect(text).toMatch(
      /^Imported 3 rows to mollie, delos: 1 created, 0 already existed, 1 skipped \(done earlier\), 1 failed\.$/m,
    );
    expect(text).toMatch(/^2 +3 +InvalidRow: invalid customer +email \(Invalid email address\)$/m);
    expect(text).toContain('Progress is saved in /d/c.csv.progress.jsonl');
  });
});

describe('formatSyncSummary', () => {
  const summary = {
    provider: 'mollie' as const,
    due: 3,
    fetched: 2,
    changed: 1,
    unchanged: 1,
    stale: 0,
    gone: 0,
    created: 0,
    pending: 0,
    failed: 1,
    skipped: 0,
    errors: { ProviderUnavailableError: 1 },
  };

  it('prints one row per provider and the failures by type', () => {
    const text = formatSyncSummary([summary], false, false);
    expect(text).toMatch(/^PROVIDER +DUE +FETCHED +CHANGED +UNCHANGED +STALE +GONE +CREATED +FAILED$/m);
    expect(text).toMatch(/^mollie +3 +2 +1 +1 +0 +0 +0 +1$/m);
    expect(text).toContain('mollie: 1 × ProviderUnavailableError');
  });

  it('adds the backfill columns and says when it was interrupted', () => {
    const text = formatSyncSummary([{ ...summary, scanned: 10, imported: 4 }], true, true);
    expect(text).toMatch(/SCANNED +IMPORTED$/m);
    expect(text).toMatch(/ 10 +4$/m);
    expect(text).toContain('Interrupted');
  });
});
