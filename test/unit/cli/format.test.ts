import { flattenRows, formatSnapshot, table, twoColumns } from '../../../lib/cli/format.ts';
import type { CustomerSnapshot } from '../../../lib/customer/snapshot.ts';

const snapshot: CustomerSnapshot = {
  provider: 'delos',
  providerCustomerId: 'DqCsgSE-4e95-ViYbNI',
  reference: null,
  kind: 'company',
  displayName: 'Acme Ltd',
  givenName: null,
  familyName: null,
  companyName: 'Acme Ltd',
  email: 'j***@example.com',
  phone: { e164: null, raw: '+44*******735' },
  document: { type: 'other', number: 'X123', rawType: 'TAX_ID' },
  locale: null,
  status: { normalized: 'active', raw: 'ACCEPT' },
  balances: [
    { name: 'balance', currency: 'EUR', amount: '2835.800000002' },
    { name: 'balanceHold', currency: 'EUR', amount: '3144.199999998' },
  ],
  metadata: { tier: 'gold', nested: { a: 1 } },
  providerCreatedAt: '2024-01-02T03:04:05.000Z',
  providerUpdatedAt: null,
  fetchedAt: '2024-06-01T00:00:00.000Z',
};

describe('twoColumns', () => {
  it('aligns values after the widest label', () => {
    expect(
      twoColumns([
        ['id', '1'],
        ['reference', 'r-1'],
      ]),
    ).toBe('id         1\nreference  r-1');
  });

  it('shows empty values as a dash and indents continuation lines', () => {
    expect(
      twoColumns([
        ['a', ''],
        ['bb', 'x\ny'],
      ]),
    ).toBe('a   -\nbb  x\n    y');
  });
});

describe('table', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      table(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
    ).toBe('A    LONG\nxyz  1\nq    22');
  });
});

describe('formatSnapshot', () => {
  const text = formatSnapshot(snapshot);
  const value = (label: string) =>
    text
      .split('\n')
      .find((line) => line.startsWith(`${label} `))
      ?.slice(label.length)
      .trim();

  it('prints each field on its own labeled line', () => {
    expect(value('provider')).toBe('delos');
    expect(value('providerCustomerId')).toBe('DqCsgSE-4e95-ViYbNI');
    expect(value('reference')).toBe('-');
    expect(value('fetchedAt')).toBe('2024-06-01T00:00:00.000Z');
  });

  it('shows the raw provider value beside a normalized one', () => {
    expect(value('status')).toBe('active (raw ACCEPT)');
    expect(value('phone')).toBe('- (raw +44*******735)');
    expect(value('document')).toBe('other X123 (raw type TAX_ID)');
  });

  it('keeps balances exact and metadata per key', () => {
    expect(value('balance.balance')).toBe('2835.800000002 EUR');
    expect(value('balance.balanceHold')).toBe('3144.199999998 EUR');
    expect(value('metadata.tier')).toBe('gold');
    expect(value('metadata.nested')).toBe('{"a":1}');
  });
});

describe('flattenRows', () => {
  it('turns nested objects and arrays into dotted paths', () => {
    expect(flattenRows({ id: 'x', links: [{ provider: 'mollie' }], empty: [], none: null })).toEqual([
      ['id', 'x'],
      ['links.0.provider', 'mollie'],
      ['empty', '[]'],
      ['none', '-'],
    ]);
  });
});
