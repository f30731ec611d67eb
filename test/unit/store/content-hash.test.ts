import fc from 'fast-check';
import { canonicalJson, contentHash, snapshotOrderKey } from '../../../lib/store/content-hash.ts';
import { makeSnapshot } from '../../integration/store/store-fixtures.ts';

describe('contentHash', () => {
  it('ignores fetchedAt: re-reading the same state is not a change', () => {
    const snapshot = makeSnapshot();
    expect(contentHash({ ...snapshot, fetchedAt: '2030-01-01T00:00:00.000Z' })).toBe(contentHash(snapshot));
  });

  it('changes with any content, including exact money strings and the provider update time', () => {
    const snapshot = makeSnapshot();
    const variants = [
      { ...snapshot, balances: [{ name: 'balance', currency: 'COP', amount: '2835.8000000020' }] },
      { ...snapshot, providerUpdatedAt: '2024-06-01T00:00:00.001Z' },
      { ...snapshot, email: null },
      { ...snapshot, metadata: { ...snapshot.metadata, segment: 'silver' } },
    ];
    const hashes = new Set([snapshot, ...variants].map(contentHash));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('does not depend on the order of object keys at any depth', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (metadata) => {
        const reversed = Object.fromEntries(Object.entries(metadata).reverse());
        const snapshot = makeSnapshot({ metadata });
        expect(contentHash(makeSnapshot({ metadata: reversed }))).toBe(contentHash(snapshot));
        expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
          '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
        );
      }),
    );
  });
});

describe('snapshotOrderKey', () => {
  it('orders by provider update time first and fetch time second, whatever the time zone offset', () => {
    const key = (providerUpdatedAt: string | null, fetchedAt: string) =>
      snapshotOrderKey(makeSnapshot({ providerUpdatedAt, fetchedAt }));
    expect(
      key('2024-06-02T00:00:00Z', '2024-06-01T00:00:00Z') >
        key('2024-06-01T00:00:00Z', '2024-06-09T00:00:00Z'),
    ).toBe(true);
    expect(
      key('2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z') >
        key('2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z'),
    ).toBe(true);
    expect(key('2024-06-01T02:00:00+02:00', '2024-06-01T00:00:00Z')).toBe(
      key('2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00Z'),
    );
    // Without update times (Mollie), the fetch time alone decides.
    expect(key(null, '2024-06-02T00:00:00Z') > key(null, '2024-06-01T23:00:00+00:00')).toBe(true);
  });
});
