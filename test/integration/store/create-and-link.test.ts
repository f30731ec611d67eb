import { ulid } from 'ulid';
import { CustomerStore, StoreConflictError } from '../../../lib/store/customer-store.ts';
import { dueAtIndexKeys, linkKey, referenceGuardKey, syncKey } from '../../../lib/store/keys.ts';
import { createTestTable, type TestTable } from '../../helpers/dynamodb.ts';
import { linkedCustomer, makeInput, makeSnapshot, RETENTION_DAYS, rawItem } from './store-fixtures.ts';

describe('CustomerStore customers and links', () => {
  let table: TestTable;
  let store: CustomerStore;
  beforeAll(async () => {
    table = await createTestTable('store-create');
    store = new CustomerStore({
      doc: table.doc,
      tableName: table.tableName,
      historyRetentionDays: RETENTION_DAYS,
    });
  });
  afterAll(async () => table.drop());

  const now = '2024-06-01T12:00:00.000Z';

  describe('createCustomer', () => {
    it('stores the profile, a pending link per provider and their sync states due now', async () => {
      const customerId = ulid();
      const input = makeInput();
      const created = await store.createCustomer({
        customerId,
        input,
        providers: ['palomma', 'delos', 'palomma'],
        createIdempotencyKeys: { palomma: 'idem-1' },
        now,
      });

      expect(await store.getCustomer(customerId)).toEqual(created);
      expect(created.profile).toEqual({
        customerId,
        reference: input.reference,
        input,
        createdAt: now,
        updatedAt: now,
      });
      expect(created.links).toEqual([
        expect.objectContaining({ provider: 'delos', status: 'pending', createIdempotencyKey: null }),
        {
          customerId,
          provider: 'palomma',
          providerCustomerId: null,
          status: 'pending',
          snapshot: null,
          version: 0,
          linkedAt: now,
          goneAt: null,
          createIdempotencyKey: 'idem-1',
        },
      ]);
      expect(created.syncStates.map((s) => [s.provider, s.nextDueAt, s.consecutiveFailures])).toEqual([
        ['delos', now, 0],
        ['palomma', now, 0],
      ]);
    });

    it('refuses a second customer with the same reference, naming the one that has it', async () => {
      const input = makeInput();
      const first = ulid();
      await store.createCustomer({ customerId: first, input, providers: ['palomma'], now });
      const second = ulid();

      const attempt = store.createCustomer({
        customerId: second,
        input: { ...input },
        providers: ['mollie'],
        now,
      });

      await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
      await expect(attempt).rejects.toMatchObject({ reason: 'reference-exists', existingCustomerId: first });
      // Atomic: nothing of the refused customer was written.
      expect(await store.getCustomer(second)).toBeNull();
      expect(await rawItem(table.doc, table.tableName, linkKey(second, 'mollie'))).toBeUndefined();
    });

    it('lets only one of many concurrent creates with one reference win', async () => {
      const input = makeInput();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          store.createCustomer({ customerId: ulid(), input, providers: [], now }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
      expect(refused.every((reason) => reason instanceof StoreConflictError)).toBe(true);
      const guard = await rawItem(table.doc, table.tableName, referenceGuardKey(input.reference));
      expect(await store.findByReference(input.reference)).toMatchObject({ customerId: guard?.customerId });
    });

    it('answers a retry of the same create (same id and reference) with what the first stored', async () => {
      const customerId = ulid();
      const input = makeInput();
      const first = await store.createCustomer({ customerId, input, providers: ['juspay'], now });
      const retry = await store.createCustomer({
        customerId,
        input,
        providers: ['juspay'],
        now: '2024-06-01T12:00:09.000Z',
      });
      expect(retry).toEqual(first);
    });
  });

  describe('linkProvider', () => {
    it('links an existing provider customer, due now, and is idempotent', async () => {
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: [], now });

      const link = await store.linkProvider({
        customerId,
        provider: 'delos',
        providerCustomerId: 'del_9',
        now,
      });
      const again = await store.linkProvider({
        customerId,
        provider: 'delos',
        providerCustomerId: 'del_9',
        now: '2024-06-02T00:00:00.000Z',
      });

      expect(link).toMatchObject({
        status: 'active',
        providerCustomerId: 'del_9',
        version: 0,
        linkedAt: now,
      });
      expect(again).toEqual(link);
      // The provider-id index holds who has the id and its status, not the snapshot.
      expect(await store.findByProviderId('delos', 'del_9')).toEqual({
        customerId,
        provider: 'delos',
        providerCustomerId: 'del_9',
        status: 'active',
      });
      expect((await store.getCustomer(customerId))?.syncStates).toEqual([
        expect.objectContaining({ provider: 'delos', nextDueAt: now }),
      ]);
    });

    it('refuses a provider id that is linked to another customer', async () => {
      const { customerId: owner, providerCustomerId } = await linkedCustomer(store, { provider: 'juspay' });
      const other = ulid();
      await store.createCustomer({ customerId: other, input: makeInput(), providers: [], now });

      const attempt = store.linkProvider({ customerId: other, provider: 'juspay', providerCustomerId, now });

      await expect(attempt).rejects.toMatchObject({
        name: 'StoreConflictError',
        reason: 'provider-id-linked',
        existingCustomerId: owner,
      });
      expect(await rawItem(table.doc, table.tableName, linkKey(other, 'juspay'))).toBeUndefined();
    });

    it('lets one of two customers racing for the same provider id win', async () => {
      const [a, b] = [ulid(), ulid()];
      await store.createCustomer({ customerId: a, input: makeInput(), providers: [], now });
      await store.createCustomer({ customerId: b, input: makeInput(), providers: [], now });
      const results = await Promise.allSettled(
        [a, b].map((customerId) =>
          store.linkProvider({ customerId, provider: 'mollie', providerCustomerId: 'cst_race', now }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = await store.findByProviderId('mollie', 'cst_race');
      expect([a, b]).toContain(winner?.customerId);
    });

    it('refuses to link a customer to a second id at the same provider, or a customer that does not exist', async () => {
      const { customerId } = await linkedCustomer(store, { provider: 'palomma' });
      await expect(
        store.linkProvider({ customerId, provider: 'palomma', providerCustomerId: `other-${ulid()}`, now }),
      ).rejects.toMatchObject({ name: 'StoreConflictError', reason: 'link-exists' });
      await expect(
        store.linkProvider({
          customerId: ulid(),
          provider: 'palomma',
          providerCustomerId: `x-${ulid()}`,
          now,
        }),
      ).rejects.toMatchObject({ name: 'StoreNotFoundError' });
    });
  });

  describe('completePendingLink', () => {
    it('turns a pending link active with its first snapshot, one history item, and is idempotent', async () => {
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: ['palomma'], now });
      const snapshot = makeSnapshot({ providerCustomerId: `pal_${customerId}` });
      const nextDueAt = '2024-06-02T00:00:00.000Z';

      const link = await store.completePendingLink({ customerId, snapshot, now, nextDueAt });
      const again = await store.completePendingLink({ customerId, snapshot, now, nextDueAt });

      expect(link).toMatchObject({
        status: 'active',
        providerCustomerId: snapshot.providerCustomerId,
        version: 1,
        snapshot,
      });
      expect(again).toEqual(link);
      const record = await store.getCustomer(customerId);
      expect(record?.links).toEqual([link]);
      expect(record?.syncStates[0]).toMatchObject({ nextDueAt, lastSuccessAt: now, consecutiveFailures: 0 });
      expect((await store.getHistory({ customerId, provider: 'palomma', limit: 10 })).items).toHaveLength(1);
      expect(await store.findByProviderId('palomma', snapshot.providerCustomerId)).toEqual({
        customerId,
        provider: 'palomma',
        providerCustomerId: snapshot.providerCustomerId,
        status: 'active',
      });
      // The next fetch of the same content is "unchanged": the pending completion stored hash and order.
      await expect(
        store.writeSnapshot({
          customerId,
          snapshot: { ...snapshot, fetchedAt: nextDueAt },
          now: nextDueAt,
          nextDueAt,
        }),
      ).resolves.toEqual({ result: 'unchanged', version: 1 });
    });

    it('refuses a provider id that another customer holds', async () => {
      const { providerCustomerId } = await linkedCustomer(store, { provider: 'palomma' });
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: ['palomma'], now });

      await expect(
        store.completePendingLink({
          customerId,
          snapshot: makeSnapshot({ providerCustomerId }),
          now,
          nextDueAt: now,
        }),
      ).rejects.toMatchObject({ name: 'StoreConflictError', reason: 'provider-id-linked' });
      expect((await store.getCustomer(customerId))?.links[0]).toMatchObject({
        status: 'pending',
        version: 0,
      });
    });
  });

  describe('claimCreateAttempt', () => {
    const lease = { provider: 'delos' as const, leaseSeconds: 60 };

    it('grants the create to one attempt at a time until the lease expires, then to the next', async () => {
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: ['delos'], now });
      const claim = (attemptId: string, at: string) =>
        store.claimCreateAttempt({ customerId, attemptId, now: at, ...lease });

      const racing = await Promise.all(['a', 'b', 'c', 'd'].map((id) => claim(id, now)));
      expect(racing.filter((r) => r === 'claimed')).toHaveLength(1);
      expect(racing.filter((r) => r === 'held')).toHaveLength(3);
      const holder = ['a', 'b', 'c', 'd'][racing.indexOf('claimed')] ?? '';

      expect(await claim(holder, '2024-06-01T12:00:30.000Z')).toBe('claimed');
      expect(await claim('e', '2024-06-01T12:01:29.000Z')).toBe('held');
      expect(await claim('e', '2024-06-01T12:01:31.000Z')).toBe('claimed');
    });

    it('answers done once the provider id is stored, and removes the lease', async () => {
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: ['delos'], now });
      await store.claimCreateAttempt({ customerId, attemptId: 'a', now, ...lease });
      await store.completePendingLink({
        customerId,
        snapshot: makeSnapshot({ provider: 'delos', providerCustomerId: `del_${customerId}` }),
        now,
        nextDueAt: now,
      });

      expect(await store.claimCreateAttempt({ customerId, attemptId: 'b', now, ...lease })).toBe('done');
      const item = await rawItem(table.doc, table.tableName, linkKey(customerId, 'delos'));
      expect(item).not.toHaveProperty('createLeaseId');
    });

    it('shows a pending link as attempted once claimed, and not once its id is stored', async () => {
      const customerId = ulid();
      await store.createCustomer({ customerId, input: makeInput(), providers: ['delos'], now });
      const link = async () => (await store.getCustomer(customerId))?.links[0];
      expect(await link()).not.toHaveProperty('createAttempted');

      await store.claimCreateAttempt({ customerId, attemptId: 'a', now, ...lease });
      // Released (zero lease) after a failed attempt: still attempted.
      await store.claimCreateAttempt({ customerId, attemptId: 'a', now, provider: 'delos', leaseSeconds: 0 });
      expect(await link()).toMatchObject({ providerCustomerId: null, createAttempted: true });

      const completed = await store.completePendingLink({
        customerId,
        snapshot: makeSnapshot({ provider: 'delos', providerCustomerId: `del_${customerId}` }),
        now,
        nextDueAt: now,
      });
      expect(completed).not.toHaveProperty('createAttempted');
      expect(await link()).not.toHaveProperty('createAttempted');
    });

    it('refuses a link that does not exist', async () => {
      await expect(
        store.claimCreateAttempt({ customerId: ulid(), attemptId: 'a', now, ...lease }),
      ).rejects.toMatchObject({ name: 'StoreNotFoundError' });
    });
  });

  it('keeps sync-state items small and free of customer data, in the due index by due time until synced', async () => {
    const { customerId } = await linkedCustomer(store);
    const item = await rawItem(table.doc, table.tableName, syncKey(customerId, 'palomma'));
    expect(Object.keys(item ?? {}).sort()).toEqual(
      [
        'pk',
        'sk',
        'customerId',
        'provider',
        'providerCustomerId',
        'status',
        'consecutiveFailures',
        'nextDueAt',
        'gsi4pk',
        'gsi4sk',
        'rev',
      ].sort(),
    );
    expect(item).toMatchObject(dueAtIndexKeys(customerId, 'palomma', String(item?.nextDueAt)));
  });
});
