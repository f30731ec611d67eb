/**
 * `customer-sync import`: bulk create through the API, resumable and idempotent. Each row's
 * Idempotency-Key is derived from its reference, and finished rows go to `<file>.progress.jsonl`; a
 * re-run (after a crash, Ctrl-C or failed rows) skips what the journal holds and re-sends the rest
 * under the same keys, so nothing is created twice.
 */
import { resolve } from 'node:path';
import { forEachConcurrent } from '../../concurrency.ts';
import type { CustomerInput } from '../../customer/input.ts';
import type { ProviderName } from '../../customer/snapshot.ts';
import { type ApiClient, ApiError } from '../api-client.ts';
import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parsePositiveInt,
  parseProviderList,
} from '../args.ts';
import { defineCommand } from '../command.ts';
import type { CliContext } from '../context.ts';
import { printJson, println } from '../context.ts';
import { CreateResultViewSchema } from '../customer-view.ts';
import { EXIT_FAILURE, EXIT_OK, type FieldIssue, summarizeError } from '../errors.ts';
import { table } from '../format.ts';
import { type InputRow, readImportFile } from '../input-file.ts';
import { importIdempotencyKey, type JournalEntry, journalPathFor, openJournal } from '../journal.ts';
import { createProgress } from '../progress.ts';
import { apiClientFor } from './api.ts';

const NAME = 'import';
/** Readable output lists this many failures; `--json` lists all. */
const SHOWN_FAILURES = 50;

export interface RowFailure {
  row: number;
  line: number;
  type: string;
  message: string;
  /** Field names (and rules) only: the values are the customer's personal data. */
  fields: FieldIssue[];
}

export interface ImportSummary {
  file: string;
  journal: string;
  providers: ProviderName[];
  rows: number;
  created: number;
  /** The API answered with an existing customer (a replay of an earlier, unjournaled attempt). */
  existing: number;
  /** Stored, with some providers still pending: the scheduler completes them. */
  pending: number;
  /** Done in an earlier run (in the journal). */
  skipped: number;
  failed: number;
  /** Valid rows not sent because the run was interrupted. */
  notAttempted: number;
  failures: RowFailure[];
  interrupted: boolean;
  dryRun: boolean;
}

export const importCommand = defineCommand({
  usage: `Usage: customer-sync import <customers.csv|customers.jsonl> --providers a,b [options]

Creates every customer in the file at the given providers through the API, with bounded concurrency
and a progress bar. Safe to re-run: each row's Idempotency-Key is import:<sha256(reference)>, and
finished rows are journaled in <file>.progress.jsonl, so a re-run after a crash or Ctrl-C sends only
what is left and never creates a customer twice. Rows that fail are reported by row number and field
name; the exit code is 1 if any row failed.

CSV header (any subset, reference required):
  reference,kind,givenName,familyName,companyName,email,phone,documentType,documentNumber,locale
  plus optional metadata.<key> columns. JSONL: one CustomerInput object per line.

Options:
  --providers a,b   Comma-separated: palomma, delos, mollie, juspay (required).
  --concurrency n   Requests in flight, 1-32 (default 4).
  --dry-run         Validate the file and show what would be sent; call nothing.
  --json            Print the summary as JSON (progress goes to stderr as plain lines).
  -h, --help        Show this help.

Example:
  customer-sync import customers.csv --providers palomma,mollie --concurrency 8`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...COMMON_OPTIONS,
      providers: { type: 'string' },
      concurrency: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    });
    const [file = ''] = expectPositionals(NAME, positionals, ['file']);
    const providers = parseProviderList(NAME, values.providers);
    const concurrency = parsePositiveInt(NAME, '--concurrency', values.concurrency, 4, 32);
    const path = resolve(ctx.cwd, file);
    const rows = await readImportFile(path);
    const dryRun = values['dry-run'];
    const summary = await runImport({
      path,
      rows,
      providers,
      concurrency,
      dryRun,
      ctx,
      json: values.json,
      api: dryRun ? null : apiClientFor(ctx),
    });
    if (values.json) printJson(ctx.stdout, summary);
    else println(ctx.stdout, formatImportSummary(summary));
    return summary.failed > 0 || summary.interrupted ? EXIT_FAILURE : EXIT_OK;
  },
});

interface PlannedRow {
  row: number;
  line: number;
  input: CustomerInput;
  key: string;
}

export async function runImport(options: {
  path: string;
  rows: InputRow[];
  providers: ProviderName[];
  concurrency: number;
  dryRun: boolean;
  json: boolean;
  ctx: CliContext;
  api: ApiClient | null;
}): Promise<ImportSummary> {
  const { rows, ctx } = options;
  const failures: RowFailure[] = [];
  const journal = await openJournal(journalPathFor(options.path));
  const firstRowOfKey = new Map<string, number>();
  const planned: PlannedRow[] = [];
  let skipped = 0;

  for (const row of rows) {
    if (!row.ok) {
      failures.push({
        row: row.row,
        line: row.line,
        type: 'InvalidRow',
        message: 'invalid customer',
        fields: row.issues,
      });
      continue;
    }
    const key = importIdempotencyKey(row.input.reference);
    const first = firstRowOfKey.get(key);
    if (first !== undefined) {
      failures.push({
        row: row.row,
        line: row.line,
        type: 'DuplicateReference',
        message: `same reference as row ${first}`,
        fields: [{ field: 'reference', message: 'duplicate in file' }],
      });
      continue;
    }
    firstRowOfKey.set(key, row.row);
    if (journal.done.has(key)) {
      skipped++;
      continue;
    }
    planned.push({ row: row.row, line: row.line, input: row.input, key });
  }

  let created = 0;
  let existing = 0;
  let pending = 0;
  let attempted = 0;
  const api = options.api;
  if (!options.dryRun && api && planned.length > 0) {
    const progress = createProgress({
      label: 'import',
      total: planned.length,
      terminal: options.json ? null : (ctx.terminal ?? null),
      stream: ctx.stderr,
    });
    try {
      await forEachConcurrent(
        planned,
        options.concurrency,
        async (item) => {
          attempted++;
          try {
            // Not aborted on Ctrl-C: a request in flight finishes, so its row is journaled.
            const outcome = await createRow(api, item, options.providers);
            await journal.record({
              key: item.key,
              row: item.row,
              customerId: outcome.customerId,
              outcome: outcome.kind,
              at: (ctx.now?.() ?? new Date()).toISOString(),
            });
            if (outcome.kind === 'created') created++;
            else if (outcome.kind === 'pending') pending++;
            else existing++;
          } catch (error) {
            const summary = summarizeError(error);
            failures.push({
              row: item.row,
              line: item.line,
              type: summary.type,
              message: summary.message,
              fields: summary.errors ?? [],
            });
          } finally {
            progress.tick();
          }
        },
        ctx.signal,
      );
    } finally {
      progress.stop();
    }
  }

  failures.sort((a, b) => a.row - b.row);
  const notAttempted = options.dryRun ? planned.length : planned.length - attempted;
  return {
    file: options.path,
    journal: journal.path,
    providers: options.providers,
    rows: rows.length,
    created,
    existing,
    pending,
    skipped,
    failed: failures.length,
    notAttempted,
    failures,
    interrupted: !options.dryRun && notAttempted > 0,
    dryRun: options.dryRun,
  };
}

/** Some provider rejected the row's customer; the customer is stored, the row is not done. */
export class ProviderCreateFailedError extends Error {
  override readonly name = 'ProviderCreateFailedError';
  constructor(failed: [string, { error?: { name: string } | undefined }][]) {
    super(
      `rejected by ${failed.map(([provider, item]) => `${provider} (${item.error?.name ?? 'error'})`).join(', ')}`,
    );
  }
}

async function createRow(
  api: ApiClient,
  item: PlannedRow,
  providers: ProviderName[],
): Promise<{ customerId: string; kind: JournalEntry['outcome'] }> {
  const response = await api.createCustomer(item.input, providers, item.key);
  const parsed = CreateResultViewSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new ApiError(`POST /customers: HTTP ${response.status}: the answer is not a create result`, {
      status: response.status,
    });
  }
  const results = Object.entries(parsed.data.providers);
  const failed = results.filter(([, result]) => result.status === 'failed');
  // Not journaled: a re-run sends the same key, and the API resumes the providers still missing.
  if (failed.length > 0) throw new ProviderCreateFailedError(failed);
  if (results.some(([, result]) => result.status === 'pending')) {
    // Stored, and the scheduler completes the pending providers: nothing left for the import to do.
    return { customerId: parsed.data.customerId, kind: 'pending' };
  }
  const replayed = response.headers.get('idempotent-replayed') === 'true';
  return { customerId: parsed.data.customerId, kind: replayed ? 'existing' : 'created' };
}

export function formatImportSummary(summary: ImportSummary): string {
  const lines: string[] = [];
  if (summary.dryRun) {
    lines.push(
      `Dry run: ${summary.rows} rows, ${summary.notAttempted} would be sent, ${summary.skipped} already done, ${summary.failed} invalid.`,
    );
  } else {
    lines.push(
      `Imported ${summary.rows} rows to ${summary.providers.join(', ')}: ${summary.created} created, ` +
        `${summary.existing} already existed, ` +
        (summary.pending > 0 ? `${summary.pending} stored with providers pending, ` : '') +
        `${summary.skipped} skipped (done earlier), ${summary.failed} failed` +
        (summary.notAttempted > 0 ? `, ${summary.notAttempted} not attempted (interrupted)` : '') +
        '.',
    );
  }
  if (summary.failures.length > 0) {
    lines.push('', 'Failed rows:');
    lines.push(
      table(
        ['ROW', 'LINE', 'ERROR', 'FIELDS'],
        summary.failures
          .slice(0, SHOWN_FAILURES)
          .map((failure) => [
            String(failure.row),
            String(failure.line),
            `${failure.type}: ${failure.message}`,
            failure.fields.map((field) => `${field.field} (${field.message})`).join('; ') || '-',
          ]),
      ),
    );
    if (summary.failures.length > SHOWN_FAILURES) {
      lines.push(`… and ${summary.failures.length - SHOWN_FAILURES} more (use --json for all).`);
    }
  }
  if (!summary.dryRun && (summary.failed > 0 || summary.interrupted)) {
    lines.push('', `Progress is saved in ${summary.journal}: fix the rows and run the same command again.`);
  }
  return lines.join('\n');
}
