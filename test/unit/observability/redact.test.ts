import fc from 'fast-check';
import { isSensitiveKey, REDACTED, redact, redactText } from '../../../lib/observability/redact.ts';

const SENSITIVE_KEYS = [
  'email',
  'Email',
  'email_address',
  'phone',
  'phoneNumber',
  'mobile_number',
  'documentNumber',
  'document',
  'name',
  'givenName',
  'familyName',
  'first_name',
  'last_name',
  'lastname',
  'company',
  'apiKey',
  'x-api-key',
  'password',
  'webhookPassword',
  'token',
  'accessToken',
  'refresh_token',
  'Authorization',
  'secret',
  'signature',
  'X-Signature',
  'X-Encoded-Data',
];

describe('isSensitiveKey', () => {
  it('recognises sensitive keys whatever their case or separators', () => {
    for (const key of SENSITIVE_KEYS) expect([key, isSensitiveKey(key)]).toEqual([key, true]);
    for (const key of SENSITIVE_KEYS) expect(isSensitiveKey(key.toUpperCase())).toBe(true);
  });

  it('leaves operational keys alone', () => {
    for (const key of ['provider', 'customerId', 'providerCustomerId', 'status', 'durationMs', 'operation']) {
      expect([key, isSensitiveKey(key)]).toEqual([key, false]);
    }
  });
});

describe('redactText', () => {
  it('masks emails, masked emails included', () => {
    expect(redactText('sent to Jane.Doe+x@Example.com today')).toBe(`sent to ${REDACTED} today`);
    expect(redactText('masked j***@example.com')).toBe(`masked ${REDACTED}`);
  });

  it('masks phone and document numbers of 7 digits or more', () => {
    expect(redactText('phone 3013111111 doc 1037551022')).toBe(`phone ${REDACTED} doc ${REDACTED}`);
    expect(redactText('call +57 301 311-1111.')).toBe(`call ${REDACTED}.`);
    expect(redactText('call (301) 311 1111')).toBe(`call ${REDACTED}`);
  });

  it('masks credentials', () => {
    expect(redactText('Authorization: Bearer abc.def-ghi')).not.toContain('abc.def-ghi');
    expect(redactText('Basic dGVzdF9rZXk6')).toBe(`Basic ${REDACTED}`);
    expect(redactText('key test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM used')).toBe(`key ${REDACTED} used`);
    expect(redactText('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).toBe(`jwt ${REDACTED}`);
    expect(redactText('login with password=hunter2&x=1')).toBe(`login with password=${REDACTED}&x=1`);
    expect(redactText('{"apiKey":"sk_live_1"}')).toBe(`{"apiKey":"${REDACTED}"}`);
  });

  it('keeps what operators need: ids, dates, short numbers, prose', () => {
    const text =
      'palomma getCustomer 01HPR57X6QR5ZRKEEKBSDBW4RA cst_tKt44u85MM at 2023-11-07T05:31:56Z (HTTP 404) ' +
      'after 3 retries; Basic auth failed';
    expect(redactText(text)).toBe(text);
  });

  it('runs in linear time on long blobs', () => {
    const started = performance.now();
    redactText('a'.repeat(200_000));
    redactText('1 '.repeat(2_000));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('redact', () => {
  it('replaces sensitive values at any depth and keeps the rest', () => {
    const input = {
      provider: 'delos',
      count: 3,
      customer: {
        name: 'John',
        lastname: '',
        email: null,
        balances: [{ units: '2835', nanos: 800000002 }],
        contacts: [{ phoneNumber: 3013111111, note: 'also at john@doe.com' }],
      },
      headers: { 'X-Signature': 'abc123', 'content-type': 'application/json' },
    };
    expect(redact(input)).toEqual({
      provider: 'delos',
      count: 3,
      customer: {
        name: REDACTED,
        lastname: REDACTED,
        email: null,
        balances: [{ units: '2835', nanos: 800000002 }],
        contacts: [{ phoneNumber: REDACTED, note: `also at ${REDACTED}` }],
      },
      headers: { 'X-Signature': REDACTED, 'content-type': 'application/json' },
    });
  });

  it('does not change its input', () => {
    const input = { email: 'a@b.co', nested: { token: 't' } };
    redact(input);
    expect(input).toEqual({ email: 'a@b.co', nested: { token: 't' } });
  });

  it('turns cycles, deep nesting and odd values into printable placeholders', () => {
    const cyclic: Record<string, unknown> = { provider: 'mollie' };
    cyclic.self = cyclic;
    const shared = { ok: true };
    expect(redact(cyclic)).toEqual({ provider: 'mollie', self: '[circular]' });
    expect(redact({ a: shared, b: shared })).toEqual({ a: { ok: true }, b: { ok: true } });
    expect(redact({ a: { b: { c: 1 } } }, { maxDepth: 2 })).toEqual({ a: { b: '[truncated]' } });
    expect(
      redact({
        at: new Date('2024-01-02T03:04:05Z'),
        big: 10n,
        fn: () => 1,
        map: new Map([['email', 'x@y.z']]),
        set: new Set(['ok']),
        bytes: new Uint8Array([1, 2]),
      }),
    ).toEqual({
      at: '2024-01-02T03:04:05.000Z',
      big: '10',
      fn: undefined,
      map: { email: REDACTED },
      set: ['ok'],
      bytes: '[binary]',
    });
    const throwing = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(redact({ throwing })).toEqual({ throwing: '[unreadable]' });
  });

  it('turns errors into objects that keep the error name and lose the PII', () => {
    class ProviderRejectedError extends Error {
      override readonly name = 'ProviderRejectedError';
      readonly status = 400;
      readonly email = 'jane@doe.com';
    }
    const error = new ProviderRejectedError('rejected jane@doe.com', {
      cause: new Error('phone 3013111111'),
    });
    const out = JSON.stringify(redact({ error }));
    expect(out).toContain('"name":"ProviderRejectedError"');
    expect(out).toContain('"status":400');
    expect(out).not.toContain('jane@doe.com');
    expect(out).not.toContain('3013111111');
  });

  const sensitiveKey = fc.constantFrom(...SENSITIVE_KEYS);
  const secret = fc.uuid().map((id) => `PLANTED-${id}`);
  const plantedValue = fc.oneof(
    secret,
    secret.map((s) => ({ nested: s })),
    secret.map((s) => [s, 1]),
  );
  const path = fc.array(fc.oneof(fc.string(), fc.constant(null)), { maxLength: 5 });

  it('never prints a value planted under a sensitive key, anywhere in any object', () => {
    fc.assert(
      fc.property(
        fc.object(),
        path,
        sensitiveKey,
        plantedValue,
        fc.boolean(),
        (siblings, keys, key, value, cyclic) => {
          let tree: unknown = { ...siblings, [key]: value };
          // A null in the path nests through an array instead of an object.
          for (const step of keys) tree = step === null ? [tree] : { [step]: tree };
          if (cyclic && typeof tree === 'object' && tree !== null && !Array.isArray(tree)) {
            Object.assign(tree, { loop: tree });
          }
          const printed = JSON.stringify(redact(tree));
          expect(printed).not.toContain('PLANTED-');
        },
      ),
    );
  });

  it('never throws and always returns something JSON can print', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true }),
        (value) => {
          expect(() => JSON.stringify(redact(value))).not.toThrow();
        },
      ),
    );
  });

  it('masks emails and phone numbers planted in any text', () => {
    const phone = fc.stringMatching(/^\+[1-9][0-9]{6,14}$/);
    fc.assert(
      fc.property(fc.string(), fc.emailAddress(), phone, fc.string(), (before, email, number, after) => {
        const out = JSON.stringify(redact({ message: `${before} ${email} ${number} ${after}` }));
        expect(out).not.toContain(email);
        expect(out).not.toContain(number);
      }),
    );
  });
});
