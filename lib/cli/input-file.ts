/**
 * Reads customers from a file for `create --file` and `import`: a JSON object, CSV with a header row, or
 * JSON Lines. Every row is validated with CustomerInputSchema up front; a bad row is reported by its
 * number and field names (never its values, which are personal data) and does not stop the others.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import * as z from 'zod/mini';
import { type CustomerInput, CustomerInputSchema } from '../customer/input.ts';
import { errorCode, type FieldIssue, InputFileError, isError } from './errors.ts';

/** CSV columns that map to CustomerInput fields; `metadata.<key>` columns become metadata strings. */
export const CSV_COLUMNS = [
  'reference',
  'kind',
  'givenName',
  'familyName',
  'companyName',
  'email',
  'phone',
  'documentType',
  'documentNumber',
  'locale',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const METADATA_PREFIX = 'metadata.';

const CsvRecordsSchema = z.array(
  z.object({ record: z.array(z.string()), info: z.object({ lines: z.number().check(z.int()) }) }),
);

export type InputRow =
  | { row: number; line: number; ok: true; input: CustomerInput }
  | { row: number; line: number; ok: false; issues: FieldIssue[] };

export type InputFormat = 'csv' | 'jsonl';

export function detectFormat(path: string): InputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new InputFileError(`unsupported file type '${extension || '(none)'}': use .csv or .jsonl`);
}

/** Zod issues as field paths and rules. Zod's messages describe the rule, not the input. */
export function issuesFromZod(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(row)',
    message: issue.message,
  }));
}

export function validateInput(
  value: unknown,
): { ok: true; input: CustomerInput } | { ok: false; issues: FieldIssue[] } {
  const parsed = CustomerInputSchema.safeParse(value);
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, issues: issuesFromZod(parsed.error) };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputFileError(`cannot read ${path} (${errorCode(error) ?? 'unreadable'})`);
  }
}

/** One customer from a JSON file (`create --file`). */
export async function readCustomerJson(path: string): Promise<CustomerInput> {
  const text = await readText(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputFileError(`${path} is not valid JSON`);
  }
  const result = validateInput(value);
  if (!result.ok) throw new InvalidCustomerError(path, result.issues);
  return result.input;
}

/** The file's customer failed CustomerInputSchema; lists the bad fields. */
export class InvalidCustomerError extends Error {
  override readonly name = 'InvalidCustomerError';
  readonly fieldIssues: FieldIssue[];
  constructor(path: string, issues: FieldIssue[]) {
    super(`${path} is not a valid customer (${issues.map((issue) => issue.field).join(', ')})`);
    this.fieldIssues = issues;
  }
}

export async function readImportFile(path: string): Promise<InputRow[]> {
  const format = detectFormat(path);
  const text = await readText(path);
  return format === 'csv' ? parseCsvRows(text) : parseJsonlRows(text);
}

export function parseJsonlRows(text: string): InputRow[] {
  const rows: InputRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((content, index) => {
    if (content.trim() === '') return;
    const row = rows.length + 1;
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      rows.push({ row, line, ok: false, issues: [{ field: '(row)', message: 'not valid JSON' }] });
      return;
    }
    const result = validateInput(value);
    rows.push(
      result.ok
        ? { row, line, ok: true, input: result.input }
        : { row, line, ok: false, issues: result.issues },
    );
  });
  return rows;
}

export function parseCsvRows(text: string): InputRow[] {
  let records: z.infer<typeof CsvRecordsSchema>;
  try {
    // csv-parse types `info: true` results as plain records; check the shape instead of casting.
    records = CsvRecordsSchema.parse(
      parseCsv(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: true }),
    );
  } catch (error) {
    // csv-parse messages can quote the offending characters: report the code and line only.
    const line = isError(error) && 'lines' in error ? ` at line ${String(error.lines)}` : '';
    throw new InputFileError(`malformed CSV (${errorCode(error) ?? 'CSV_ERROR'})${line}`);
  }
  const [header, ...data] = records;
  if (!header) return [];
  const columns = header.record.map((name) => name.trim());
  const unknown = columns.filter(
    (name) => !(CSV_COLUMNS as readonly string[]).includes(name) && !name.startsWith(METADATA_PREFIX),
  );
  if (unknown.length > 0) {
    throw new InputFileError(
      `unknown CSV column(s): ${unknown.join(', ')}; expected ${CSV_COLUMNS.join(',')} (and optional metadata.<key>)`,
    );
  }
  if (!columns.includes('reference')) throw new InputFileError('the CSV header has no reference column');
  const duplicates = columns.filter((name, i) => columns.indexOf(name) !== i);
  if (duplicates.length > 0) throw new InputFileError(`duplicate CSV column(s): ${duplicates.join(', ')}`);

  return data.map(({ record, info }, index): InputRow => {
    const row = index + 1;
    const line = info.lines;
    if (record.length !== columns.length) {
      const message = `has ${record.length} fields, the header has ${columns.length}`;
      return { row, line, ok: false, issues: [{ field: '(row)', message }] };
    }
    const cells = new Map<string, string>();
    columns.forEach((name, i) => {
      const cell = (record[i] ?? '').trim();
      if (cell !== '') cells.set(name, cell);
    });
    const result = validateInput(csvRecordToInput(cells));
    return result.ok
      ? { row, line, ok: true, input: result.input }
      : { row, line, ok: false, issues: result.issues };
  });
}

/** Non-empty cells → a CustomerInput-shaped object for the schema to judge; empty cells are absent fields. */
function csvRecordToInput(cells: Map<string, string>): Record<string, unknown> {
  const get = (column: CsvColumn) => cells.get(column);
  const input: Record<string, unknown> = {};
  for (const field of [
    'reference',
    'kind',
    'givenName',
    'familyName',
    'companyName',
    'email',
    'phone',
    'locale',
  ] as const) {
    const value = get(field);
    if (value !== undefined) input[field] = value;
  }
  const documentType = get('documentType');
  const documentNumber = get('documentNumber');
  if (documentType !== undefined || documentNumber !== undefined) {
    // Half a document is passed through as is, so the schema names the missing half.
    input.document = {
      ...(documentType === undefined ? {} : { type: documentType.toLowerCase() }),
      ...(documentNumber === undefined ? {} : { number: documentNumber }),
    };
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of cells) {
    if (name.startsWith(METADATA_PREFIX)) metadata[name.slice(METADATA_PREFIX.length)] = value;
  }
  if (Object.keys(metadata).length > 0) input.metadata = metadata;
  return input;
}
