import { ulid } from 'ulid';
import { PROVIDERS } from '../../../lib/customer/snapshot.ts';
import {
  CURRENT_SK_RANGE,
  dueIndexKeys,
  historySk,
  isoTime,
  linkSk,
  PROFILE_SK,
  shardOf,
  syncSk,
} from '../../../lib/store/keys.ts';
import { TABLE } from '../../../lib/store/table.ts';

describe('store keys', () => {
  it('puts profile, links and sync states in one sort-key range that history stays out of', () => {
    const inRange = (sk: string) => sk >= CURRENT_SK_RANGE.from && sk <= CURRENT_SK_RANGE.to;
    for (const provider of PROVIDERS) {
      expect([PROFILE_SK, linkSk(provider), syncSk(provider)].every(inRange)).toBe(true);
      expect(inRange(historySk(provider, 1))).toBe(false);
      expect(inRange(historySk(provider, 9_999_999_999))).toBe(false);
    }
  });

  it('pads history versions so sort-key order is version order', () => {
    const versions = [1, 2, 9, 10, 99, 100, 12_345];
    const keys = versions.map((version) => historySk('mollie', version));
    expect([...keys].sort()).toEqual(keys);
  });

  it('spells every timestamp one way, and refuses what is not one', () => {
    expect(isoTime('2024-06-01T02:00:00+02:00')).toBe('2024-06-01T00:00:00.000Z');
    expect(isoTime('2024-06-01T00:00:00Z')).toBe('2024-06-01T00:00:00.000Z');
    expect(() => isoTime('yesterday')).toThrow(RangeError);
  });

  it('spreads customer ids over every shard, the same way every time', () => {
    const ids = Array.from({ length: 800 }, () => ulid());
    const counts = new Array<number>(8).fill(0);
    for (const id of ids) counts[shardOf(id, 8)] = (counts[shardOf(id, 8)] ?? 0) + 1;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    // Pinned: existing items carry shard numbers, so the function must never change silently.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => shardOf(`customer-${n}`, 8))).toEqual(PINNED_SHARDS);
  });

  it('gives a link due-index keys that depend on nothing but its customer and provider', () => {
    const customerId = ulid();
    const keys = dueIndexKeys(customerId, 'mollie');
    expect(keys.gsi4pk).toBe(`DUE#mollie#${shardOf(customerId, TABLE.dueShards)}`);
    expect(keys.gsi4sk).toMatch(new RegExp(`^SLOT#[0-9a-f]{8}#${customerId}$`));
    expect(dueIndexKeys(customerId, 'mollie')).toEqual(keys);
    expect(dueIndexKeys(customerId, 'delos').gsi4pk).not.toBe(keys.gsi4pk);
  });
});

const PINNED_SHARDS = [4, 7, 2, 5, 0, 3, 6, 1];
