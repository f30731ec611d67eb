/**
 * Stored item shapes: builders for writes and zod schemas for reads. Reads are parsed, not cast, so a
 * drifted item fails loudly here instead of somewhere downstream; key and index attributes are dropped by
 * the parse. Absent values are stored as absent attributes (smaller items), read back as null.
 */
import * as z from 'zod/mini';
import { type CustomerInput, CustomerInputSchema } from '../customer/input.ts';
import type { ProviderName } from '../customer/snapshot.ts';
import { type CustomerSnapshot, CustomerSnapshotSchema, ProviderNameSchema } from '../customer/snapshot.ts';
import { contentHash, snapshotOrderKey } from './content-hash.ts';
import {
  customerPk,
  dueAtIndexKeys,
  dueIndexKeys,
  emailValue,
  historySk,
  isoTime,
  linkKey,
  listShardValue,
  PROFILE_SK,
  profileKey,
  providerIdGuardKey,
  providerIdValue,
  referenceGuardKey,
  referenceValue,
  shardOf,
  syncKey,
} from './keys.ts';
import { TABLE } from './table.ts';
import type {
  CustomerProfile,
  DueLink,
  HistoryEntry,
  LinkRef,
  LinkStatus,
  ProviderLink,
  SyncState,
} from './types.ts';

export type Item = Record<string, unknown>;

const LinkStatusSchema = z.enum(['active', 'pending', 'gone']);

const ProfileItemSchema = z.object({
  customerId: z.string(),
  reference: z.string(),
  input: CustomerInputSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * A link's or sync state's revision: raised by every write of the item (updates add 1; puts write the
 * revision they read plus 1), so a put conditioned on the revision it read replaces exactly the item
 * it read (optimistic locking). Absent on items stored before revisions existed: the same as 0.
 */
const RevisionSchema = z.number().check(z.int(), z.nonnegative());

export const LinkItemSchema = z.object({
  customerId: z.string(),
  provider: ProviderNameSchema,
  providerCustomerId: z.optional(z.string()),
  status: LinkStatusSchema,
  snapshot: z.optional(CustomerSnapshotSchema),
  contentHash: z.optional(z.string()),
  orderKey: z.optional(z.string()),
  version: z.number().check(z.int(), z.nonnegative()),
  linkedAt: z.string(),
  goneAt: z.optional(z.string()),
  createIdempotencyKey: z.optional(z.string()),
  createLeaseId: z.optional(z.string()),
  createLeaseUntil: z.optional(z.string()),
  /** When the current version was stored; it becomes the history item's `recordedAt` once superseded. */
  recordedAt: z.optional(z.string()),
  rev: z.optional(RevisionSchema),
});
export type LinkItem = z.infer<typeof LinkItemSchema>;

export const SyncItemSchema = z.object({
  customerId: z.string(),
  provider: ProviderNameSchema,
  providerCustomerId: z.optional(z.string()),
  status: LinkStatusSchema,
  lastSuccessAt: z.optional(z.string()),
  lastAttemptAt: z.optional(z.string()),
  lastError: z.optional(z.object({ name: z.string(), message: z.string(), at: z.string() })),
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
  nextDueAt: z.optional(z.string()),
  /** The newest snapshot order key seen for this link (stored or confirmed unchanged). */
  orderKey: z.optional(z.string()),
  /** Mirrors the link's latest content hash, so an unchanged re-sync can be conditioned on it. */
  contentHash: z.optional(z.string()),
  rev: z.optional(RevisionSchema),
});
export type SyncItem = z.infer<typeof SyncItemSchema>;

const HistoryItemSchema = z.object({
  customerId: z.string(),
  provider: ProviderNameSchema,
  version: z.number().check(z.int(), z.positive()),
  snapshot: CustomerSnapshotSchema,
  recordedAt: z.string(),
});

export const GuardItemSchema = z.object({ customerId: z.string() });

export const toProfile = (item: Item): CustomerProfile => ProfileItemSchema.parse(item);

export function toLink(item: Item): ProviderLink {
  return linkFromItem(LinkItemSchema.parse(item));
}

export function linkFromItem(link: LinkItem): ProviderLink {
  return {
    customerId: link.customerId,
    provider: link.provider,
    providerCustomerId: link.providerCustomerId ?? null,
    status: link.status,
    snapshot: link.snapshot ?? null,
    version: link.version,
    linkedAt: link.linkedAt,
    goneAt: link.goneAt ?? null,
    createIdempotencyKey: link.createIdempotencyKey ?? null,
    // The lease outlives its attempt (a release only shortens it) and goes once the id is stored.
    ...(link.createLeaseId === undefined || link.providerCustomerId !== undefined
      ? {}
      : { createAttempted: true }),
  };
}

export const toSyncState = (item: Item): SyncState => syncStateFromItem(SyncItemSchema.parse(item));

export function syncStateFromItem(sync: SyncItem): SyncState {
  return {
    customerId: sync.customerId,
    provider: sync.provider,
    lastSuccessAt: sync.lastSuccessAt ?? null,
    lastAttemptAt: sync.lastAttemptAt ?? null,
    lastError: sync.lastError ?? null,
    consecutiveFailures: sync.consecutiveFailures,
    nextDueAt: sync.nextDueAt ?? null,
  };
}

export const toHistoryEntry = (item: Item): HistoryEntry => HistoryItemSchema.parse(item);

export function profileItem(profile: CustomerProfile): Item {
  const { customerId, reference, input } = profile;
  return {
    ...profileKey(customerId),
    ...profile,
    gsi2pk: referenceValue(reference),
    gsi2sk: PROFILE_SK,
    ...(input.email ? { gsi3pk: emailValue(input.email), gsi3sk: customerId } : {}),
    gsi5pk: listShardValue(shardOf(customerId, TABLE.listShards)),
    gsi5sk: customerId,
  };
}

/** The snapshot attributes of a link item, as stored by every write of a new latest snapshot. */
export function snapshotAttributes(snapshot: CustomerSnapshot): {
  snapshot: CustomerSnapshot;
  contentHash: string;
  orderKey: string;
} {
  return { snapshot, contentHash: contentHash(snapshot), orderKey: snapshotOrderKey(snapshot) };
}

export function linkItem(args: {
  customerId: string;
  provider: ProviderName;
  status: LinkStatus;
  linkedAt: string;
  providerCustomerId?: string | undefined;
  snapshot?: CustomerSnapshot;
  version?: number;
  /** When the snapshot's version was stored. */
  recordedAt?: string;
  createIdempotencyKey?: string | undefined;
}): Item {
  const { customerId, provider, providerCustomerId, snapshot } = args;
  return {
    ...linkKey(customerId, provider),
    customerId,
    provider,
    status: args.status,
    version: args.version ?? 0,
    linkedAt: args.linkedAt,
    providerCustomerId,
    createIdempotencyKey: args.createIdempotencyKey,
    ...(providerCustomerId ? providerIdIndexKeys(customerId, provider, providerCustomerId) : {}),
    // Gone links leave the due index (sparse); active and pending ones are what the scheduler reads.
    ...(args.status === 'gone' ? {} : dueIndexKeys(customerId, provider)),
    ...(snapshot ? { ...snapshotAttributes(snapshot), recordedAt: args.recordedAt ?? args.linkedAt } : {}),
    rev: 0,
  };
}

export function providerIdIndexKeys(
  customerId: string,
  provider: ProviderName,
  providerCustomerId: string,
): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: providerIdValue(provider, providerCustomerId), gsi1sk: customerPk(customerId) };
}

/**
 * A sync state that is due at `nextDueAt` and has never run. Until its first success it is in the due
 * index by that time (`dueAtIndexKeys`: a new link is due whenever its creator said, not at its slot);
 * after, in no index, so re-syncs rewrite only it.
 */
export function syncItem(args: {
  customerId: string;
  provider: ProviderName;
  status: LinkStatus;
  nextDueAt: string;
  providerCustomerId?: string;
  /** The link's latest snapshot, whose hash and order key the sync state mirrors. */
  latest?: CustomerSnapshot;
}): Item {
  const { customerId, provider, nextDueAt } = args;
  return {
    ...syncKey(customerId, provider),
    customerId,
    provider,
    providerCustomerId: args.providerCustomerId,
    status: args.status,
    consecutiveFailures: 0,
    nextDueAt,
    ...dueAtIndexKeys(customerId, provider, nextDueAt),
    ...(args.latest
      ? { contentHash: contentHash(args.latest), orderKey: snapshotOrderKey(args.latest) }
      : {}),
    rev: 0,
  };
}

export function historyItem(args: {
  customerId: string;
  snapshot: CustomerSnapshot;
  version: number;
  recordedAt: string;
  retentionDays: number;
}): Item {
  const { customerId, snapshot, version, recordedAt } = args;
  return {
    pk: customerPk(customerId),
    sk: historySk(snapshot.provider, version),
    customerId,
    provider: snapshot.provider,
    version,
    snapshot,
    contentHash: contentHash(snapshot),
    recordedAt,
    [TABLE.ttlAttribute]: expiresAt(recordedAt, args.retentionDays),
  };
}

/** Epoch seconds `retentionDays` after `recordedAt`: DynamoDB TTL deletes the item some time after. */
export function expiresAt(recordedAt: string, retentionDays: number): number {
  return Math.floor(new Date(recordedAt).getTime() / 1000) + retentionDays * 86_400;
}

/** What the link indexes (byProviderId, dueForSync) project of a link: no snapshot write changes it. */
const LinkRefItemSchema = z.object({
  customerId: z.string(),
  provider: ProviderNameSchema,
  providerCustomerId: z.optional(z.string()),
  status: LinkStatusSchema,
});

export function toLinkRef(item: Item): LinkRef {
  const link = LinkRefItemSchema.parse(item);
  return {
    customerId: link.customerId,
    provider: link.provider,
    providerCustomerId: link.providerCustomerId ?? null,
    status: link.status,
  };
}

/** The part of a sync state `listDueLinks` reads (its BatchGetItem projection). */
export const SyncDueSchema = z.object({
  pk: z.string(),
  nextDueAt: z.optional(z.string()),
  /** Present while the due index holds the sync state by its due time (`dueAtIndexKeys`). */
  gsi4sk: z.optional(z.string()),
});

export function toDueLink(link: LinkRef, nextDueAt: string): DueLink {
  return { ...link, nextDueAt };
}

export interface ImportedCustomer {
  customerId: string;
  input: CustomerInput;
  /** The customer's current state at each linked provider; stored as the link's version 1. */
  snapshots: CustomerSnapshot[];
  nextDueAt: string;
}

/** Everything a customer is made of once created and linked, for bulk import with `batchPut`. */
export function importedCustomerItems(customer: ImportedCustomer, now: string): Item[] {
  const { customerId, input, snapshots } = customer;
  const nextDueAt = isoTime(customer.nextDueAt);
  return [
    profileItem({ customerId, reference: input.reference, input, createdAt: now, updatedAt: now }),
    { ...referenceGuardKey(input.reference), customerId },
    ...snapshots.flatMap((snapshot) => {
      const { provider, providerCustomerId } = snapshot;
      return [
        { ...providerIdGuardKey(provider, providerCustomerId), customerId },
        linkItem({
          customerId,
          provider,
          status: 'active',
          linkedAt: now,
          providerCustomerId,
          snapshot,
          version: 1,
          recordedAt: now,
        }),
        syncItem({ customerId, provider, status: 'active', nextDueAt, providerCustomerId, latest: snapshot }),
      ];
    }),
  ];
}
