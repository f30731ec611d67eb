/**
 * Key layout of the single table. Every customer lives in one partition, `CUSTOMER#<id>`:
 *
 *   PROFILE                    profile (indexes: byReference, byEmail, allCustomers)
 *   PROVIDER#<provider>        link + latest snapshot (indexes: byProviderId; dueForSync, sparse)
 *   SYNC#<provider>            small sync state: due time, last success/error (dueForSync only while
 *                              its due time is off the link's slot: new, pending or failing links)
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
 * Due-index keys of a link (active or pending): its shard, and its slot then its id. Both are fixed for
 * the life of the link, so no snapshot write or re-sync moves its index entry; when it is due is read
 * from its sync state. Entries sort by slot, so a due run can read only the slots due now (`slotRange`).
 */
export function dueIndexKeys(customerId: string, provider: ProviderName): { gsi4pk: string; gsi4sk: string } {
  return {
    gsi4pk: duePartition(customerId, provider),
    gsi4sk: `${SLOT_PREFIX}${slotHex(customerId)}#${customerId}`,
  };
}

/**
 * Due-index keys of a sync state whose due time is off its link's slot (a new, pending or failing link),
 * by due time: a due run reads the ones due by now (`dueAtRange`) besides its slots. A success puts the
 * due time back on the slot and removes them.
 */
export function dueAtIndexKeys(
  customerId: string,
  provider: ProviderName,
  nextDueAt: string,
): { gsi4pk: string; gsi4sk: string } {
  return {
    gsi4pk: duePartition(customerId, provider),
    gsi4sk: `${DUE_AT_PREFIX}${isoTime(nextDueAt)}#${customerId}`,
  };
}

/** A customer's due-index partition for one provider: both its link's and its sync state's entries. */
const duePartition = (customerId: string, provider: ProviderName) =>
  dueShardValue(provider, shardOf(customerId, TABLE.dueShards));

const SLOT_PREFIX = 'SLOT#';
const DUE_AT_PREFIX = 'AT#';
const SLOTS = 2 ** 32;

/** Inclusive `BETWEEN` bounds of the link entries whose slot lies in [from, to) (fractions, 0 <= from <= to <= 1). */
export function slotRange(from: number, to: number): { from: string; to: string } {
  const bound = (fraction: number) =>
    fraction >= 1 ? `${SLOT_PREFIX.slice(0, -1)}$` : `${SLOT_PREFIX}${hex8(Math.floor(fraction * SLOTS))}`;
  return { from: bound(from), to: bound(to) };
}

/** Inclusive `BETWEEN` bounds of the sync-state entries due at or before `dueBy`. */
export function dueAtRange(dueBy: string): { from: string; to: string } {
  return { from: DUE_AT_PREFIX, to: `${DUE_AT_PREFIX}${isoTime(dueBy)}$` };
}

/** The due time in a sync state's due-index sort key (`dueAtIndexKeys`). */
export function dueAtOf(gsi4sk: string): string | null {
  if (!gsi4sk.startsWith(DUE_AT_PREFIX)) return null;
  // An ISO time holds no '#'; a customer id might.
  return gsi4sk.slice(DUE_AT_PREFIX.length, gsi4sk.indexOf('#', DUE_AT_PREFIX.length));
}

/**
 * Where in every refresh interval a link comes due, as a fraction in [0, 1): fixed for the life of the
 * link and evenly spread over links, so the links due in any stretch of time are one range of slots.
 */
export function slotOf(customerId: string): number {
  return fnv1a(customerId) / SLOTS;
}

const slotHex = (customerId: string) => hex8(fnv1a(customerId));
const hex8 = (value: number) => value.toString(16).padStart(8, '0');

/** The shard of a customer's due and list index entries: the low bits of its hash (the slot is all of it). */
export function shardOf(customerId: string, shards: number): number {
  return fnv1a(customerId) % shards;
}

/** FNV-1a: stable across processes and releases (unlike anything seeded), cheap, evenly spread. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** One spelling of a timestamp (UTC, milliseconds), so keys holding times compare as strings. */
export function isoTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new RangeError('not a valid timestamp');
  return time.toISOString();
}
