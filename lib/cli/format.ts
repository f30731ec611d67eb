/**
 * Human-readable output: two-column tables for one record, aligned columns for lists. `--json` output
 * bypasses all of this and prints the data as returned.
 */
import type { CustomerSnapshot } from '../customer/snapshot.ts';

export type Row = readonly [label: string, value: string];

const EMPTY = '-';

/** Left column padded to the widest label; multi-line values are indented under their first line. */
export function twoColumns(rows: readonly Row[]): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows
    .map(([label, value]) => {
      const [first = '', ...rest] = (value === '' ? EMPTY : value).split('\n');
      const pad = ' '.repeat(width + 2);
      return [`${label.padEnd(width)}  ${first}`, ...rest.map((line) => pad + line)].join('\n');
    })
    .join('\n');
}

/** A table with a header line; every column as wide as its widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export const orEmpty = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? EMPTY : String(value);

/** A value rendered alongside the provider's raw form when they differ (`+573013111111 (raw 3013111111)`). */
const withRaw = (value: string | null, raw: string | null): string => {
  if (value === null) return raw === null ? EMPTY : `${EMPTY} (raw ${raw})`;
  return raw === null || raw === value ? value : `${value} (raw ${raw})`;
};

/** The normalized snapshot as label/value rows, in the order a person reads a customer. */
export function snapshotRows(snapshot: CustomerSnapshot): Row[] {
  const rows: Row[] = [
    ['provider', snapshot.provider],
    ['providerCustomerId', snapshot.providerCustomerId],
    ['reference', orEmpty(snapshot.reference)],
    ['kind', snapshot.kind],
    ['displayName', orEmpty(snapshot.displayName)],
    ['givenName', orEmpty(snapshot.givenName)],
    ['familyName', orEmpty(snapshot.familyName)],
    ['companyName', orEmpty(snapshot.companyName)],
    ['email', orEmpty(snapshot.email)],
    ['phone', snapshot.phone ? withRaw(snapshot.phone.e164, snapshot.phone.raw) : EMPTY],
    [
      'document',
      snapshot.document
        ? `${snapshot.document.type} ${snapshot.document.number}${
            snapshot.document.rawType && snapshot.document.rawType !== snapshot.document.type
              ? ` (raw type ${snapshot.document.rawType})`
              : ''
          }`
        : EMPTY,
    ],
    ['locale', orEmpty(snapshot.locale)],
    ['status', withRaw(snapshot.status.normalized, snapshot.status.raw)],
  ];
  if (snapshot.balances.length === 0) rows.push(['balances', EMPTY]);
  for (const balance of snapshot.balances) {
    rows.push([`balance.${balance.name}`, `${balance.amount} ${balance.currency}`]);
  }
  const metadata = snapshot.metadata ? Object.entries(snapshot.metadata) : [];
  if (metadata.length === 0) rows.push(['metadata', EMPTY]);
  for (const [key, value] of metadata) rows.push([`metadata.${key}`, scalar(value)]);
  rows.push(
    ['providerCreatedAt', orEmpty(snapshot.providerCreatedAt)],
    ['providerUpdatedAt', orEmpty(snapshot.providerUpdatedAt)],
    ['fetchedAt', snapshot.fetchedAt],
  );
  return rows;
}

export const formatSnapshot = (snapshot: CustomerSnapshot): string => twoColumns(snapshotRows(snapshot));

/** A scalar for a table cell; objects and arrays as compact JSON. */
export function scalar(value: unknown): string {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') return value === '' ? EMPTY : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/**
 * Any JSON value as dotted-path rows (`links.0.provider  mollie`): the fallback view for API answers
 * whose shape the CLI does not lay out by hand.
 */
export function flattenRows(value: unknown, prefix = ''): Row[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix || '(root)', '[]']];
    return value.flatMap((item, i) => flattenRows(item, prefix ? `${prefix}.${i}` : String(i)));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return [[prefix || '(root)', '{}']];
    return entries.flatMap(([key, item]) => flattenRows(item, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix || '(root)', scalar(value)]];
}
