/**
 * Small in-memory fakes of OUR interfaces (CustomerStoreApi, ProviderAdapter), so the sync services'
 * own rules are tested in isolation. The real store and adapters are exercised in
 * test/integration/sync/ against DynamoDB Local and the sandboxes.
 */
import { createHash } from 'node:crypto';
import type { CustomerInput } from '../../../lib/customer/input.ts';
import type { CustomerSnapshot, ProviderName } from '../../../lib/customer/snapshot.ts';
import { ProviderNotFoundError } from '../../../lib/http/errors.ts';
import type {
  CustomerPage,
  ProviderAdapter,
  ProviderCapabilities,
  RequiredCreateField,
} from '../../../lib/providers/adapter.ts';
import { StoreConflictError } from '../../../lib/store/errors.ts';
import { shardOf } from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';
import type {
  CustomerProfile,
  CustomerRecord,
  CustomerStoreApi,
  DueLink,
  DueLinksQuery,
  HistoryEntry,
  LinkForSync,
  LinkRef,
  Page,
  ProviderLink,
  SnapshotWriteOutcome,
  SyncState,
  SyncTarget,
} from '../../../lib/store/types.ts';
import { stableStringify } from '../../../lib/sync/http.ts';

export function snapshotOf(
  provider: ProviderName,
  providerCustomerId: string,
  overrides: Partial<CustomerSnapshot> = {},
): CustomerSnapshot {
  return {
    provider,
    providerCustomerId,
    reference: null,
    kind: 'individual',
    displayName: 'Ana Gómez',
    givenName: 'Ana',
    familyName: 'Gómez',
    companyName: null,
    email: 'ana@example.com',
    phone: { e164: '+573013111111', raw: '3013111111' },
    document: null,
    locale: null,
    status: { normalized: 'active', raw: 'ACTIVE' },
    balances: [],
    metadata: null,
    providerCreatedAt: '2024-01-01T00:00:00.000Z',
    providerUpdatedAt: '2024-01-02T00:00:00.000Z',
    fetchedAt: '2024-06-01T00:00:00.000Z',
    ...overrides,
  };
}

const hashOf = (snapshot: CustomerSnapshot) => {
  const { fetchedAt: _ignored, ...content } = snapshot;
  return createHash('sha256').update(stableStringify(content)).digest('hex');
};
const orderOf = (snapshot: CustomerSnapshot) => `${snapshot.providerUpdatedAt ?? ''}|${snapshot.fetchedAt}`;

interface LinkState extends ProviderLink {
  hash: string | null;
  order: string | null;
  lease: { id: string; until: string } | null;
}

const key = (customerId: string, provider: ProviderName) => `${customerId}|${provider}`;

export class FakeStore implements CustomerStoreApi {
  readonly profiles = new Map<string, CustomerProfile>();
  readonly links = new Map<string, LinkState>();
  readonly syncs = new Map<string, SyncState>();
  readonly history: HistoryEntry[] = [];
  /** Every write method called, in order. */
  readonly writes: string[] = [];
  /** The number of targets of every `getLinksForSync` call, in order. */
  readonly linkReads: number[] = [];
  /** Makes the next call of a method throw (then it behaves again). */
  readonly failNext = new Map<string, Error>();

  #maybeFail(method: string): void {
    this.writes.push(method);
    this.#failIfAsked(method);
  }

  #failIfAsked(method: string): void {
    const error = this.failNext.get(method);
    if (error) {
      this.failNext.delete(method);
      throw error;
    }
  }

  async createCustomer(args: {
    customerId: string;
    input: CustomerInput;
    providers: ProviderName[];
    createIdempotencyKeys?: Partial<Record<ProviderName, string>>;
    now: string;
  }): Promise<CustomerRecord> {
    this.#maybeFail('createCustomer');
    const owner = [...this.profiles.values()].find((profile) => profile.reference === args.input.reference);
    if (owner && owner.customerId !== args.customerId) {
      throw new StoreConflictError('reference-exists', 'reference exists', owner.customerId);
    }
    if (!owner) {
      this.profiles.set(args.customerId, {
        customerId: args.customerId,
        reference: args.input.reference,
        input: structuredClone(args.input),
        createdAt: args.now,
        updatedAt: args.now,
      });
      for (const provider of args.providers) {
        this.links.set(key(args.customerId, provider), {
          customerId: args.customerId,
          provider,
          providerCustomerId: null,
          status: 'pending',
          snapshot: null,
          version: 0,
          linkedAt: args.now,
          goneAt: null,
          createIdempotencyKey: args.createIdempotencyKeys?.[provider] ?? null,
          hash: null,
          order: null,
          lease: null,
        });
        this.syncs.set(key(args.customerId, provider), this.#sync(args.customerId, provider, args.now));
      }
    }
    const record = await this.getCustomer(args.customerId);
    if (!record) throw new Error('unreachable');
    return record;
  }

  #sync(customerId: string, provider: ProviderName, nextDueAt: string): SyncState {
    return {
      customerId,
      provider,
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      consecutiveFailures: 0,
      nextDueAt,
    };
  }

  async linkProvider(args: {
    customerId: string;
    provider: ProviderName;
    providerCustomerId: string;
    now: string;
  }): Promise<ProviderLink> {
    this.#maybeFail('linkProvider');
    if (!this.profiles.has(args.customerId)) throw new Error('no such customer');
    const taken = await this.findByProviderId(args.provider, args.providerCustomerId);
    if (taken && taken.customerId !== args.customerId) {
      throw new StoreConflictError('provider-id-linked', 'linked elsewhere', taken.customerId);
    }
    const existing = this.links.get(key(args.customerId, args.provider));
    if (existing?.providerCustomerId === args.providerCustomerId) return strip(existing);
    if (existing?.providerCustomerId) throw new StoreConflictError('link-exists', 'linked to another id');
    const link: LinkState = {
      customerId: args.customerId,
      provider: args.provider,
      providerCustomerId: args.providerCustomerId,
      status: 'active',
      snapshot: existing?.snapshot ?? null,
      version: existing?.version ?? 0,
      linkedAt: existing?.linkedAt ?? args.now,
      goneAt: null,
      createIdempotencyKey: existing?.createIdempotencyKey ?? null,
      hash: existing?.hash ?? null,
      order: existing?.order ?? null,
      lease: null,
    };
    this.links.set(key(args.customerId, args.provider), link);
    this.syncs.set(key(args.customerId, args.provider), this.#sync(args.customerId, args.provider, args.now));
    return strip(link);
  }

  async writeSnapshot(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
    basis?: unknown;
  }): Promise<SnapshotWriteOutcome> {
    this.#maybeFail('writeSnapshot');
    const link = this.links.get(key(args.customerId, args.snapshot.provider));
    if (!link || link.providerCustomerId !== args.snapshot.providerCustomerId) return { result: 'no-link' };
    const hash = hashOf(args.snapshot);
    const order = orderOf(args.snapshot);
    let outcome: SnapshotWriteOutcome;
    if (link.hash === hash) outcome = { result: 'unchanged', version: link.version };
    else if (link.order !== null && link.order >= order) outcome = { result: 'stale', version: link.version };
    else {
      link.version += 1;
      link.snapshot = structuredClone(args.snapshot);
      link.hash = hash;
      link.order = order;
      link.status = 'active';
      this.history.push({
        customerId: args.customerId,
        provider: args.snapshot.provider,
        version: link.version,
        snapshot: structuredClone(args.snapshot),
        recordedAt: args.now,
      });
      outcome = { result: 'changed', version: link.version };
    }
    const sync = this.syncs.get(key(args.customerId, args.snapshot.provider));
    if (sync) {
      Object.assign(sync, {
        lastSuccessAt: args.now,
        lastAttemptAt: args.now,
        lastError: null,
        consecutiveFailures: 0,
        nextDueAt: args.nextDueAt,
      });
    }
    return outcome;
  }

  async completePendingLink(args: {
    customerId: string;
    snapshot: CustomerSnapshot;
    now: string;
    nextDueAt: string;
  }): Promise<ProviderLink> {
    this.#maybeFail('completePendingLink');
    const link = this.links.get(key(args.customerId, args.snapshot.provider));
    if (!link) throw new Error('no such link');
    if (link.providerCustomerId === args.snapshot.providerCustomerId) return strip(link);
    if (link.providerCustomerId !== null) throw new StoreConflictError('link-exists', 'linked to another id');
    link.providerCustomerId = args.snapshot.providerCustomerId;
    link.status = 'active';
    link.lease = null;
    link.hash = null;
    await this.writeSnapshot(args);
    this.writes.pop();
    return strip(link);
  }

  async claimCreateAttempt(args: {
    customerId: string;
    provider: ProviderName;
    attemptId: string;
    now: string;
    leaseSeconds: number;
  }): Promise<'claimed' | 'held' | 'done'> {
    this.#maybeFail('claimCreateAttempt');
    const link = this.links.get(key(args.customerId, args.provider));
    if (!link) throw new Error('no such link');
    if (link.providerCustomerId !== null) return 'done';
    if (link.lease && link.lease.until > args.now && link.lease.id !== args.attemptId) return 'held';
    link.lease = {
      id: args.attemptId,
      until: new Date(Date.parse(args.now) + args.leaseSeconds * 1000).toISOString(),
    };
    return 'claimed';
  }

  async recordSyncFailure(args: {
    customerId: string;
    provider: ProviderName;
    error: { name: string; message: string };
    now: string;
    nextDueAt: string;
  }): Promise<void> {
    this.#maybeFail('recordSyncFailure');
    const sync = this.syncs.get(key(args.customerId, args.provider));
    if (!sync) throw new Error('no such sync state');
    sync.lastAttemptAt = args.now;
    sync.lastError = { ...args.error, at: args.now };
    sync.consecutiveFailures += 1;
    const link = this.links.get(key(args.customerId, args.provider));
    if (link?.status !== 'gone') sync.nextDueAt = args.nextDueAt;
  }

  async markGone(args: { customerId: string; provider: ProviderName; now: string }): Promise<void> {
    this.#maybeFail('markGone');
    const link = this.links.get(key(args.customerId, args.provider));
    const sync = this.syncs.get(key(args.customerId, args.provider));
    if (!link || !sync) throw new Error('no such link');
    link.status = 'gone';
    link.goneAt ??= args.now;
    sync.nextDueAt = null;
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | null> {
    const profile = this.profiles.get(customerId);
    if (!profile) return null;
    return {
      profile: structuredClone(profile),
      links: [...this.links.values()].filter((link) => link.customerId === customerId).map(strip),
      syncStates: [...this.syncs.values()]
        .filter((sync) => sync.customerId === customerId)
        .map((sync) => structuredClone(sync)),
    };
  }

  /** The fake decides every write from its own state: it hands out no basis. */
  async getLinksForSync(targets: readonly SyncTarget[]): Promise<(LinkForSync | null)[]> {
    this.linkReads.push(targets.length);
    this.#failIfAsked('getLinksForSync');
    return targets.map(({ customerId, provider }) => {
      const link = this.links.get(key(customerId, provider));
      if (!link) return null;
      const sync = this.syncs.get(key(customerId, provider));
      return { link: strip(link), syncState: sync ? structuredClone(sync) : null, basis: null };
    });
  }

  async findByProviderId(provider: ProviderName, providerCustomerId: string): Promise<LinkRef | null> {
    const link = [...this.links.values()].find(
      (item) => item.provider === provider && item.providerCustomerId === providerCustomerId,
    );
    // What the byProviderId index projects, as the real store returns it.
    return link ? { customerId: link.customerId, provider, providerCustomerId, status: link.status } : null;
  }

  async findByReference(reference: string): Promise<CustomerProfile | null> {
    const profile = [...this.profiles.values()].find((item) => item.reference === reference);
    return profile ? structuredClone(profile) : null;
  }

  async findByEmail(email: string): Promise<CustomerProfile[]> {
    return [...this.profiles.values()].filter((item) => item.input.email === email);
  }

  async listCustomers(args: { limit: number; cursor?: string }): Promise<Page<CustomerProfile>> {
    const all = [...this.profiles.values()];
    const start = Number(args.cursor ?? 0);
    const items = all.slice(start, start + args.limit);
    return { items, cursor: start + args.limit < all.length ? String(start + args.limit) : null };
  }

  async getHistory(args: {
    customerId: string;
    provider: ProviderName;
    limit: number;
  }): Promise<Page<HistoryEntry>> {
    const items = this.history
      .filter((entry) => entry.customerId === args.customerId && entry.provider === args.provider)
      .reverse()
      .slice(0, args.limit);
    return { items, cursor: null };
  }

  /** Pages of `limit`, in due order, of the given shards (the store's hash); counts pages produced. */
  pagesServed = 0;
  /** Every due link: slots are not modelled here (tests of slot runs use the real store). */
  async *listDueLinks(args: DueLinksQuery): AsyncIterable<DueLink[]> {
    const { shards } = args;
    const due = [...this.syncs.values()]
      .filter(
        (sync) =>
          sync.provider === args.provider &&
          sync.nextDueAt !== null &&
          sync.nextDueAt <= args.dueBy &&
          (shards === undefined || shards.includes(shardOf(sync.customerId, TABLE.dueShards))),
      )
      .sort((a, b) => String(a.nextDueAt).localeCompare(String(b.nextDueAt)));
    for (let i = 0; i < due.length; i += args.limit) {
      this.pagesServed++;
      yield due.slice(i, i + args.limit).map((sync) => {
        const link = this.links.get(key(sync.customerId, sync.provider));
        return {
          customerId: sync.customerId,
          provider: sync.provider,
          providerCustomerId: link?.providerCustomerId ?? null,
          status: link?.status ?? 'pending',
          nextDueAt: String(sync.nextDueAt),
        };
      });
    }
  }

  link(customerId: string, provider: ProviderName): LinkState | undefined {
    return this.links.get(key(customerId, provider));
  }
  sync(customerId: string, provider: ProviderName): SyncState | undefined {
    return this.syncs.get(key(customerId, provider));
  }
}

function strip(link: LinkState): ProviderLink {
  const { hash: _hash, order: _order, lease, ...rest } = link;
  // Like the store: a pending link remembers that a create attempt claimed it.
  const attempted = lease !== null && rest.providerCustomerId === null;
  return structuredClone(attempted ? { ...rest, createAttempted: true } : rest);
}

const DEFAULT_CAPABILITIES: ProviderCapabilities = {
  createIdempotency: 'idempotency-key',
  canList: true,
  customerWebhooks: false,
  hasUpdatedAt: true,
};

/**
 * A provider in memory. Errors queued in `getErrors` / `createErrors` are thrown by the next calls;
 * create replays the first answer for a repeated idempotency key, like Mollie.
 */
export class FakeAdapter implements ProviderAdapter {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  readonly requiredCreateFields: readonly RequiredCreateField[];
  readonly customers = new Map<string, CustomerSnapshot>();
  readonly getErrors: Error[] = [];
  readonly createErrors: Error[] = [];
  readonly calls = { get: 0, create: 0, list: 0 };
  readonly createKeys: string[] = [];
  #byKey = new Map<string, string>();
  #next = 1;
  /** Resolves a create only when released (for concurrency tests). */
  createGate: Promise<void> | null = null;
  fetchedAt = '2024-06-01T00:00:00.000Z';

  constructor(
    name: ProviderName,
    options: {
      capabilities?: Partial<ProviderCapabilities>;
      requiredCreateFields?: RequiredCreateField[];
    } = {},
  ) {
    this.name = name;
    this.capabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
    this.requiredCreateFields = options.requiredCreateFields ?? [];
  }

  async getCustomer(providerCustomerId: string): Promise<CustomerSnapshot> {
    this.calls.get++;
    const error = this.getErrors.shift();
    if (error) throw error;
    const customer = this.customers.get(providerCustomerId);
    if (!customer)
      throw new ProviderNotFoundError({ provider: this.name, operation: 'getCustomer', status: 404 });
    return { ...structuredClone(customer), fetchedAt: this.fetchedAt };
  }

  async createCustomer(input: CustomerInput, idempotencyKey: string): Promise<CustomerSnapshot> {
    this.calls.create++;
    this.createKeys.push(idempotencyKey);
    if (this.createGate) await this.createGate;
    const error = this.createErrors.shift();
    if (error) throw error;
    const replay = this.#byKey.get(idempotencyKey);
    if (replay) return this.getCustomer(replay);
    const id = `${this.name.slice(0, 3)}_${this.#next++}`;
    this.#byKey.set(idempotencyKey, id);
    const snapshot = snapshotOf(this.name, id, {
      reference: input.reference,
      givenName: input.givenName ?? null,
      fetchedAt: this.fetchedAt,
    });
    this.customers.set(id, snapshot);
    return structuredClone(snapshot);
  }

  async *listCustomers(options: { pageSize?: number } = {}): AsyncIterable<CustomerPage> {
    this.calls.list++;
    const all = [...this.customers.values()];
    const size = options.pageSize ?? 2;
    for (let i = 0; i < all.length; i += size) {
      yield {
        customers: all.slice(i, i + size),
        nextCursor: i + size < all.length ? String(i + size) : null,
      };
    }
  }

  /** Number of customers the fake provider holds (what a sandbox's control stats would say). */
  get createdCount(): number {
    return this.#byKey.size;
  }
}
