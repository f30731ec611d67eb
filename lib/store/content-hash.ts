/**
 * Snapshot identity and ordering. The content hash decides "unchanged" (no snapshot, no history write);
 * the order key decides "stale" (an older snapshot never replaces a newer one).
 */
import { createHash } from 'node:crypto';
import type { CustomerSnapshot } from '../customer/snapshot.ts';
import { isoTime } from './keys.ts';

/** JSON with object keys sorted (by code unit) at every depth, so equal content always hashes equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 (hex) of the snapshot's content; `fetchedAt` is left out because re-reading is not a change. */
export function contentHash(snapshot: CustomerSnapshot): string {
  const { fetchedAt: _fetchedAt, ...content } = snapshot;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * `<providerUpdatedAt>|<fetchedAt>`, both as UTC ISO with milliseconds, so plain string comparison
 * orders snapshots: the provider's update time first, our fetch time second. Providers without an update
 * time (Mollie) get an empty first part, so fetchedAt alone decides between their snapshots.
 */
export function snapshotOrderKey(snapshot: CustomerSnapshot): string {
  const updated = snapshot.providerUpdatedAt === null ? '' : isoTime(snapshot.providerUpdatedAt);
  return `${updated}|${isoTime(snapshot.fetchedAt)}`;
}
