import {
  COMMON_OPTIONS,
  expectPositionals,
  parseCommandArgs,
  parseIdempotencyKey,
  parsePositiveInt,
  parseProvider,
  parseProviderList,
} from '../../../lib/cli/args.ts';
import { UsageError } from '../../../lib/cli/errors.ts';

describe('parseCommandArgs', () => {
  it('parses known flags and positionals', () => {
    const parsed = parseCommandArgs('get', ['01ABC', '--json'], { ...COMMON_OPTIONS });
    expect(parsed.values.json).toBe(true);
    expect(parsed.positionals).toEqual(['01ABC']);
  });

  it('turns an unknown flag into a UsageError for the command', () => {
    const run = () =>
      parseCommandArgs('history', ['--lmit', '3'], { ...COMMON_OPTIONS, limit: { type: 'string' } });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(/--lmit/);
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).command).toBe('history');
    }
  });

  it('rejects a string flag without its value', () => {
    expect(() =>
      parseCommandArgs('create', ['--file'], { ...COMMON_OPTIONS, file: { type: 'string' } }),
    ).toThrow(UsageError);
  });
});

describe('expectPositionals', () => {
  it('names the missing argument', () => {
    expect(() => expectPositionals('get', [], ['customer-id'])).toThrow('missing argument <customer-id>');
  });

  it('names the extra argument', () => {
    expect(() => expectPositionals('get', ['a', 'b'], ['customer-id'])).toThrow("unexpected argument 'b'");
  });

  it('returns the positionals when the count is right', () => {
    expect(expectPositionals('providers get', ['mollie', 'cst_1'], ['provider', 'id'])).toEqual([
      'mollie',
      'cst_1',
    ]);
  });
});

describe('parseProvider', () => {
  it('accepts the four providers', () => {
    for (const name of ['palomma', 'delos', 'mollie', 'juspay']) expect(parseProvider('x', name)).toBe(name);
  });

  it('rejects anything else, listing the valid names', () => {
    expect(() => parseProvider('x', 'stripe')).toThrow(/palomma, delos, mollie, juspay/);
  });
});

describe('parseProviderList', () => {
  it('splits, trims and de-duplicates in order', () => {
    expect(parseProviderList('create', ' mollie, palomma ,mollie')).toEqual(['mollie', 'palomma']);
  });

  it('requires at least one provider', () => {
    expect(() => parseProviderList('create', undefined)).toThrow('--providers is required');
    expect(() => parseProviderList('create', ' , ')).toThrow(UsageError);
  });

  it('rejects an unknown provider in the list', () => {
    expect(() => parseProviderList('create', 'mollie,acme')).toThrow(/acme/);
  });
});

describe('parsePositiveInt', () => {
  it('falls back to the default when absent', () => {
    expect(parsePositiveInt('x', '--limit', undefined, 20)).toBe(20);
  });

  it('rejects non-numbers, zero and values above the maximum', () => {
    expect(() => parsePositiveInt('x', '--limit', 'ten', 20)).toThrow(UsageError);
    expect(() => parsePositiveInt('x', '--limit', '0', 20)).toThrow(/between 1 and/);
    expect(() => parsePositiveInt('x', '--limit', '101', 20, 100)).toThrow(/between 1 and 100/);
    expect(parsePositiveInt('x', '--limit', '100', 20, 100)).toBe(100);
  });
});

describe('parseIdempotencyKey', () => {
  it('accepts printable ASCII and rejects spaces or control characters', () => {
    expect(parseIdempotencyKey('x', 'ana-2024:06')).toBe('ana-2024:06');
    expect(parseIdempotencyKey('x', undefined)).toBeUndefined();
    expect(() => parseIdempotencyKey('x', 'a b')).toThrow(UsageError);
    expect(() => parseIdempotencyKey('x', 'a\nb')).toThrow(UsageError);
    expect(() => parseIdempotencyKey('x', 'k'.repeat(256))).toThrow(UsageError);
  });
});
