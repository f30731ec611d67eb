/**
 * Key layout of the single table. Every customer lives in one partition, `CUSTOMER#<id>`:
 *
 *   PROFILE                    profile (indexes: byReference, byEmail, allCustomers)
 *   PROVIDER#<provider>        link + latest snapshot (indexes: byProviderId; dueForSync, sparse)
 *   SYNC#<provider>            small sync state: due time, last success/error (no index)
 *   HISTORY#<provider>#<ver>   one item per stored change, TTL `expiresAt`
 *
 * History sorts before `PROFILE`, so "the customer now" (profile, links, sync states) is one key range,
 * `PROFILE`..`SYNC$`, and reading a customer never reads its history. (The design's `SNAPSHOT#` prefix
 * would sort between `PROVIDER#` and `SYNC#` and force a filter that still pays for every history item.)
 *
 * Uniqueness guards live in their own partitions and are written in the same transaction as what they
 * guard: `REF#<reference>`/`REF` and `PROVIDERID#<provider>#<id>`/`PROVIDERID`.
 */
import type { ProviderName } from '../customer/snapshot.ts';
import { TABLE } from './table.ts';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const customerPk = (customerId: string): string => `CUSTOMER#${customerId}`;
export const PROFILE_SK = 'PROFILE';
const LINK_PREFIX = 'PROVIDER#';
const SYNC_PREFIX = 'SYNC#';
export const linkSk = (provider: ProviderName): string => `${LINK_PREFIX}${provider}`;
export const syncSk = (provider: ProviderName): string => `${SYNC_PREFIX}${provider}`;
/** Links and sync states carry a revision (`rev`, items.ts) that every write of them raises. */
export const isRevisedSk = (sk: string): boolean => sk.startsWith(LINK_PREFIX) || sk.startsWith(SYNC_PREFIX);
export const historyPrefix = (provider: ProviderName): string => `HISTORY#${provider}#`;
export const historySk = (provider: ProviderName, version: number): string =>
  `${historyPrefix(provider)}${String(version).padStart(10, '0')}`;
/** Inclusive bounds of the profile, link and sync-state items of a customer partition. */
export const CURRENT_SK_RANGE = { from: PROFILE_SK, to: 'SYNC$' } as const;

export const profileKey = (customerId: string): ItemKey => ({ pk: customerPk(customerId), sk: PROFILE_SK });
export const linkKey = (customerId: string, provider: ProviderName): ItemKey => ({
  pk: customerPk(customerId),
  sk: linkSk(provider),
});
export const syncKey = (customerId: string, provider: ProviderName): ItemKey => ({
  pk: customerPk(customerId),
  sk: syncSk(provider),
});

export const referenceValue = (reference: string): string => `REF#${reference}`;
export const referenceGuardKey = (reference: string): ItemKey => ({
  pk: referenceValue(reference),
  sk: 'REF',
});
export const providerIdValue = (provider: ProviderName, providerCustomerId: string): string =>
  `PROVIDERID#${provider}#${providerCustomerId}`;
export const providerIdGuardKey = (provider: ProviderName, providerCustomerId: string): ItemKey => ({
  pk: providerIdValue(provider, providerCustomerId),
  sk: 'PROVIDERID',
});
export const emailValue = (email: string): string => `EMAIL#${email.trim().toLowerCase()}`;
export const listShardValue = (shard: number): string => `CUSTOMERS#${shard}`;
export const dueShardValue = (provider: ProviderName, shard: number): string => `DUE#${provider}#${shard}`;

/**
 * Due-index keys of a link (active or pending). Both are fixed for the life of the link, so no snapshot
 * write or re-sync moves its index entry; when it is due is read from its sync state.
 */
export function dueIndexKeys(customerId: string, provider: ProviderName): { gsi4pk: string; gsi4sk: string } {
  return { gsi4pk: dueShardValue(provider, shardOf(customerId, TABLE.dueShards)), gsi4sk: customerId };
}

/** FNV-1a: stable across processes and releases (unlike anything seeded), cheap, evenly spread. */
export function shardOf(customerId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** One spelling of a timestamp (UTC, milliseconds), so keys holding times compare as strings. */
export function isoTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new RangeError('not a valid timestamp');
  return time.toISOString();
}
