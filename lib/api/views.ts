/**
 * What the store holds → what the API shows. Every view is parsed by its response schema (a customer
 * by the schemas of its profile and links), which drops any key it does not declare: whatever the store adds to its records later (keys, hashes, leases,
 * idempotency keys) stays inside.
 */
import { PROVIDERS } from '../customer/snapshot.ts';
import type {
  CustomerProfile,
  CustomerRecord,
  HistoryEntry,
  ProviderLink,
  SyncState,
} from '../store/types.ts';
import { HttpProblem } from './problem.ts';
import {
  CustomerSummaryViewSchema,
  type CustomerView,
  HistoryEntryViewSchema,
  ProviderLinkViewSchema,
} from './schemas.ts';

export function profileView(profile: CustomerProfile) {
  return CustomerSummaryViewSchema.parse({
    id: profile.customerId,
    reference: profile.reference,
    profile: profile.input,
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  });
}

export function linkView(link: ProviderLink, sync: SyncState | undefined) {
  return ProviderLinkViewSchema.parse({
    provider: link.provider,
    providerCustomerId: link.providerCustomerId,
    status: link.status,
    version: link.version,
    linkedAt: link.linkedAt,
    goneAt: link.goneAt,
    snapshot: link.snapshot,
    sync: sync
      ? {
          lastSuccessAt: sync.lastSuccessAt,
          lastAttemptAt: sync.lastAttemptAt,
          lastError: sync.lastError,
          consecutiveFailures: sync.consecutiveFailures,
          nextDueAt: sync.nextDueAt,
        }
      : null,
  });
}

/** Its parts are parsed by their own schemas; parsing the whole again would only repeat that work. */
export function customerView(record: CustomerRecord): CustomerView {
  const links = [...record.links].sort(
    (a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider),
  );
  return {
    ...profileView(record.profile),
    providers: links.map((link) =>
      linkView(
        link,
        record.syncStates.find((state) => state.provider === link.provider),
      ),
    ),
  };
}

export function historyEntryView(entry: HistoryEntry) {
  return HistoryEntryViewSchema.parse({
    provider: entry.provider,
    version: entry.version,
    recordedAt: entry.recordedAt,
    snapshot: entry.snapshot,
  });
}

/**
 * API cursors wrap the store's cursor with the listing they belong to, so a cursor from one customer's
 * history cannot page through another listing, and a mangled one is a 400, never a store error.
 */
export function encodeCursor(scope: string, storeCursor: string | null): string | null {
  if (storeCursor === null) return null;
  return Buffer.from(JSON.stringify({ s: scope, c: storeCursor }), 'utf8').toString('base64url');
}

export function decodeCursor(scope: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new HttpProblem(400, 'The cursor is invalid for this listing.', {
      errors: [{ field: 'query.cursor', message: 'must be a cursor returned by this listing' }],
    });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    !('s' in decoded) ||
    !('c' in decoded) ||
    decoded.s !== scope ||
    typeof decoded.c !== 'string' ||
    decoded.c === ''
  ) {
    throw invalid();
  }
  return decoded.c;
}
