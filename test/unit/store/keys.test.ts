import { ulid } from 'ulid';
import { PROVIDERS } from '../../../lib/customer/snapshot.ts';
import {
  CURRENT_SK_RANGE,
  dueAtIndexKeys,
  dueAtOf,
  dueAtRange,
  dueIndexKeys,
  historySk,
  isoTime,
  linkSk,
  PROFILE_SK,
  shardOf,
  slotOf,
  slotRange,
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

describe('due-index slots', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `customer-${i}`);

  it('spreads links evenly over the slots of an interval', () => {
    const quarters = [0, 0, 0, 0];
    for (const id of ids) {
      const quarter = Math.floor(slotOf(id) * 4);
      quarters[quarter] = (quarters[quarter] ?? 0) + 1;
    }
    expect(Math.min(...quarters)).toBeGreaterThan(400);
  });

  it('sorts link entries by slot, so a range of slots is one key range', () => {
    const [from, to] = [0.25, 0.5];
    const range = slotRange(from, to);
    for (const id of ids) {
      const { gsi4sk } = dueIndexKeys(id, 'mollie');
      const inKeys = gsi4sk >= range.from && gsi4sk <= range.to;
      expect(inKeys).toBe(slotOf(id) >= from && slotOf(id) < to);
    }
    // The end of the interval bounds every slot.
    expect(ids.every((id) => dueIndexKeys(id, 'mollie').gsi4sk <= slotRange(0, 1).to)).toBe(true);
  });

  it('keys a sync state held by due time so that those due by a time are one key range', () => {
    const keys = dueAtIndexKeys('a#b', 'mollie', '2024-06-01T12:00:00Z');
    expect(keys.gsi4pk).toBe(dueIndexKeys('a#b', 'mollie').gsi4pk);
    expect(dueAtOf(keys.gsi4sk)).toBe('2024-06-01T12:00:00.000Z');
    const range = dueAtRange('2024-06-01T12:00:00.000Z');
    expect(keys.gsi4sk >= range.from && keys.gsi4sk <= range.to).toBe(true);
    const later = dueAtIndexKeys('a#b', 'mollie', '2024-06-01T12:00:00.001Z').gsi4sk;
    expect(later <= range.to).toBe(false);
    // Link entries are not in that range.
    expect(
      dueIndexKeys('a#b', 'mollie').gsi4sk <= range.to && dueIndexKeys('a#b', 'mollie').gsi4sk >= range.from,
    ).toBe(false);
    expect(dueAtOf(dueIndexKeys('a#b', 'mollie').gsi4sk)).toBeNull();
  });
});

const PINNED_SHARDS = [4, 7, 2, 5, 0, 3, 6, 1];
