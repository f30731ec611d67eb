import fc from 'fast-check';
import {
  joinName,
  moneyFromUnitsNanos,
  normalizeDocumentType,
  normalizeEmail,
  normalizePhone,
  splitFullName,
  unitsNanosFromMoney,
} from '../../../lib/customer/normalize.ts';

const MAX_NANOS = 999_999_999;

describe('normalizePhone', () => {
  it('prefixes a national number with the country calling code (Palomma, Colombia)', () => {
    expect(normalizePhone('3013111111', { countryCallingCode: '57' })).toEqual({
      e164: '+573013111111',
      raw: '3013111111',
    });
  });

  it('joins Juspay mobile_country_code and mobile_number', () => {
    expect(normalizePhone('7030688664', { countryCallingCode: '91' })?.e164).toBe('+917030688664');
    expect(normalizePhone('99887766', { countryCallingCode: '+65' })?.e164).toBe('+6599887766');
  });

  it('drops the national trunk 0 except where E.164 keeps it (Italy)', () => {
    expect(normalizePhone('07030 688664', { countryCallingCode: '91' })?.e164).toBe('+917030688664');
    expect(normalizePhone('06 1234 5678', { countryCallingCode: '39' })?.e164).toBe('+390612345678');
  });

  it('strips formatting from +-prefixed numbers (Delos)', () => {
    expect(normalizePhone('+447533029735')?.e164).toBe('+447533029735');
    expect(normalizePhone('+57 (301) 311-1111')?.e164).toBe('+573013111111');
    expect(normalizePhone('+1.234.567.890')?.e164).toBe('+1234567890');
  });

  it('keeps the raw value and no E.164 for masked numbers', () => {
    expect(normalizePhone('+44*******735')).toEqual({ e164: null, raw: '+44*******735' });
    expect(normalizePhone('301xxx1111', { countryCallingCode: '57' })).toEqual({
      e164: null,
      raw: '301xxx1111',
    });
  });

  it('gives no E.164 when it cannot be derived, and null for no phone at all', () => {
    expect(normalizePhone('3013111111')).toEqual({ e164: null, raw: '3013111111' });
    expect(normalizePhone('+0123456789')?.e164).toBeNull();
    expect(normalizePhone('+1234567890123456')?.e164).toBeNull();
    expect(normalizePhone('+123456')?.e164).toBeNull();
    expect(normalizePhone('call me', { countryCallingCode: '57' })?.e164).toBeNull();
    expect(normalizePhone('3013111111', { countryCallingCode: 'CO' })?.e164).toBeNull();
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone(undefined)).toBeNull();
    expect(normalizePhone('  ')).toBeNull();
  });

  const phoneLike = fc.oneof(fc.string(), fc.stringMatching(/^\+?[0-9 ().-]{5,20}$/));

  it('is idempotent on its own E.164 output', () => {
    fc.assert(
      fc.property(
        phoneLike,
        fc.option(fc.stringMatching(/^\+?[0-9]{1,4}$/), { nil: undefined }),
        (raw, cc) => {
          const e164 = normalizePhone(raw, { countryCallingCode: cc })?.e164;
          if (e164 === null || e164 === undefined) return;
          expect(normalizePhone(e164)?.e164).toBe(e164);
          expect(normalizePhone(e164, { countryCallingCode: '57' })?.e164).toBe(e164);
        },
      ),
    );
  });

  it('derives E.164 from any formatted national digits', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{6,9}$/),
        fc.constantFrom(' ', '-', '.', ''),
        (digits, sep) => {
          const formatted = `(${digits.slice(0, 3)})${sep}${digits.slice(3)}`;
          expect(normalizePhone(formatted, { countryCallingCode: '57' })?.e164).toBe(`+57${digits}`);
        },
      ),
    );
  });
});

describe('moneyFromUnitsNanos', () => {
  it('keeps the Delos seed amounts exact', () => {
    expect(moneyFromUnitsNanos('2835', 800000002)).toBe('2835.800000002');
    expect(moneyFromUnitsNanos('3144', 199999998)).toBe('3144.199999998');
    expect(moneyFromUnitsNanos('1500', 500000000)).toBe('1500.5');
    expect(moneyFromUnitsNanos('250', 0)).toBe('250');
    expect(moneyFromUnitsNanos('50000', 0)).toBe('50000');
  });

  it("follows Google Money's sign rules for negatives", () => {
    expect(moneyFromUnitsNanos('-1', -500000000)).toBe('-1.5');
    expect(moneyFromUnitsNanos('0', -500000000)).toBe('-0.5');
    expect(moneyFromUnitsNanos('-3', 0)).toBe('-3');
    expect(moneyFromUnitsNanos('-0', 0)).toBe('0');
  });

  it('reads units beyond the float range exactly', () => {
    expect(moneyFromUnitsNanos('9223372036854775807', 999999999)).toBe('9223372036854775807.999999999');
    expect(moneyFromUnitsNanos(12, 1)).toBe('12.000000001');
  });

  it('throws a RangeError for values with no exact meaning', () => {
    expect(() => moneyFromUnitsNanos('1', -1)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos('-1', 1)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos('1', 1_000_000_000)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos('1', 0.5)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos('1.5', 0)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos('', 0)).toThrow(RangeError);
    expect(() => moneyFromUnitsNanos(2 ** 60, 0)).toThrow(RangeError);
  });
});

describe('unitsNanosFromMoney', () => {
  it('splits decimal strings into units and nanos', () => {
    expect(unitsNanosFromMoney('2835.800000002')).toEqual({ units: '2835', nanos: 800000002 });
    expect(unitsNanosFromMoney('-0.5')).toEqual({ units: '0', nanos: -500000000 });
    expect(unitsNanosFromMoney('-1.5')).toEqual({ units: '-1', nanos: -500000000 });
    expect(unitsNanosFromMoney('007.10')).toEqual({ units: '7', nanos: 100000000 });
    expect(unitsNanosFromMoney('-0')).toEqual({ units: '0', nanos: 0 });
    expect(unitsNanosFromMoney('1.5000000000000')).toEqual({ units: '1', nanos: 500000000 });
  });

  it('throws a RangeError for what it cannot represent exactly', () => {
    expect(() => unitsNanosFromMoney('1.0000000001')).toThrow(RangeError);
    expect(() => unitsNanosFromMoney('1e3')).toThrow(RangeError);
    expect(() => unitsNanosFromMoney('')).toThrow(RangeError);
  });

  const units = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
  const nanos = fc.integer({ min: -MAX_NANOS, max: MAX_NANOS });
  // `|| 0`: negating 0 gives -0, which is no Delos value (JSON integers) and which toEqual tells from 0.
  const sameSign = fc.tuple(units, nanos).map(([u, n]) => ({
    units: u.toString(),
    nanos: u === 0n ? n : u > 0n ? Math.abs(n) : -Math.abs(n) || 0,
  }));

  it('round-trips units and nanos exactly', () => {
    fc.assert(
      fc.property(sameSign, (money) => {
        expect(unitsNanosFromMoney(moneyFromUnitsNanos(money.units, money.nanos))).toEqual(money);
      }),
    );
  });

  it('round-trips canonical decimal strings exactly', () => {
    fc.assert(
      fc.property(sameSign, (money) => {
        const amount = moneyFromUnitsNanos(money.units, money.nanos);
        expect(amount).toMatch(/^-?(0|[1-9]\d*)(\.\d{0,8}[1-9])?$/);
        const back = unitsNanosFromMoney(amount);
        expect(moneyFromUnitsNanos(back.units, back.nanos)).toBe(amount);
      }),
    );
  });
});

describe('splitFullName', () => {
  it('splits a full name at its first space', () => {
    expect(splitFullName('Pepito Perez')).toEqual({ givenName: 'Pepito', familyName: 'Perez' });
    expect(splitFullName('  Juan   Carlos  Pérez ')).toEqual({
      givenName: 'Juan',
      familyName: 'Carlos Pérez',
    });
  });

  it('gives a one-word name as the given name only, and no name as nulls', () => {
    expect(splitFullName('Cher')).toEqual({ givenName: 'Cher', familyName: null });
    expect(splitFullName('')).toEqual({ givenName: null, familyName: null });
    expect(splitFullName(' \t ')).toEqual({ givenName: null, familyName: null });
    expect(splitFullName(null)).toEqual({ givenName: null, familyName: null });
  });

  it('round-trips through joinName for names without extra whitespace', () => {
    const word = fc.string({ minLength: 1 }).filter((w) => !/\s/u.test(w));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
        const full = words.join(' ');
        const { givenName, familyName } = splitFullName(full);
        expect(joinName(givenName, familyName)).toBe(full);
      }),
    );
  });
});

describe('joinName', () => {
  it('joins given and family names, leaving out empty parts', () => {
    expect(joinName('John', 'Doe')).toBe('John Doe');
    expect(joinName(' Acme  Corp ', '')).toBe('Acme Corp');
    expect(joinName(null, 'Doe')).toBe('Doe');
    expect(joinName('', '  ')).toBeNull();
    expect(joinName(undefined, null)).toBeNull();
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases, keeping masked values', () => {
    expect(normalizeEmail(' Aman.Lalpuria@Juspay.IN ')).toBe('aman.lalpuria@juspay.in');
    expect(normalizeEmail('J***@Example.com')).toBe('j***@example.com');
    expect(normalizeEmail('not an email')).toBe('not an email');
  });

  it('gives null for no email', () => {
    expect(normalizeEmail('')).toBeNull();
    expect(normalizeEmail('   ')).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
  });
});

describe('normalizeDocumentType', () => {
  it('maps the known spellings and keeps the raw value', () => {
    expect(normalizeDocumentType('cc')).toEqual({ type: 'cc', rawType: 'cc' });
    expect(normalizeDocumentType('CC')).toEqual({ type: 'cc', rawType: 'CC' });
    expect(normalizeDocumentType('C.C.')).toEqual({ type: 'cc', rawType: 'C.C.' });
    expect(normalizeDocumentType('ce')).toEqual({ type: 'ce', rawType: 'ce' });
    expect(normalizeDocumentType('NIT')).toEqual({ type: 'nit', rawType: 'NIT' });
    expect(normalizeDocumentType('Pasaporte')).toEqual({ type: 'passport', rawType: 'Pasaporte' });
    expect(normalizeDocumentType('PP')).toEqual({ type: 'passport', rawType: 'PP' });
    expect(normalizeDocumentType('passport')).toEqual({ type: 'passport', rawType: 'passport' });
  });

  it('maps anything else to other', () => {
    expect(normalizeDocumentType('TI')).toEqual({ type: 'other', rawType: 'TI' });
    expect(normalizeDocumentType(null)).toEqual({ type: 'other', rawType: '' });
  });
});

describe('normalizers', () => {
  it('never throw on arbitrary strings, unicode included', () => {
    const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const phone = normalizePhone(a, { countryCallingCode: b });
        if (phone !== null) expect(phone.raw).toBe(a);
        splitFullName(a);
        joinName(a, b);
        normalizeEmail(a);
        expect(normalizeDocumentType(a).rawType).toBe(a);
      }),
    );
  });
});
