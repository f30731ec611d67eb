import type { CustomerInput } from '../../../lib/customer/input.ts';
import {
  ProviderAuthError,
  ProviderContractError,
  ProviderNotFoundError,
  ProviderRateLimitedError,
  ProviderUnavailableError,
} from '../../../lib/http/errors.ts';
import { missingCreateFields } from '../../../lib/providers/adapter.ts';
import { DELOS_REQUIRED_CREATE_FIELDS } from '../../../lib/providers/delos/adapter.ts';
import {
  delosCreateMarker,
  delosCreateRequest,
  delosCustomerToSnapshot,
  delosStatus,
  delosStatusFromWebhookCode,
  hasDelosCreateMarker,
} from '../../../lib/providers/delos/transform.ts';
import { parseDelosWebhook } from '../../../lib/providers/delos/webhook.ts';
import { DELOS_STATUSES, DelosCustomerEnvelopeSchema } from '../../../lib/providers/delos/wire.ts';
import { JUSPAY_REQUIRED_CREATE_FIELDS } from '../../../lib/providers/juspay/adapter.ts';
import { juspayCreateRequest } from '../../../lib/providers/juspay/transform.ts';
import { MOLLIE_REQUIRED_CREATE_FIELDS } from '../../../lib/providers/mollie/adapter.ts';
import { mollieCreateRequest, mollieCustomerToSnapshot } from '../../../lib/providers/mollie/transform.ts';
import { MollieCustomerSchema } from '../../../lib/providers/mollie/wire.ts';
import { PALOMMA_REQUIRED_CREATE_FIELDS } from '../../../lib/providers/palomma/adapter.ts';
import { palommaCreateRequest, palommaCustomerToSnapshot } from '../../../lib/providers/palomma/transform.ts';
import { formatProviderError } from '../../../lib/providers/registry.ts';
import { finishSnapshot, isoTimestamp, splitE164 } from '../../../lib/providers/shared.ts';

const NOW = new Date('2025-01-01T00:00:00.000Z');

const person: CustomerInput = {
  reference: 'merchant-0001',
  kind: 'individual',
  givenName: 'Pepito',
  familyName: 'Perez Gómez',
  email: 'pepito@example.com',
  phone: '+573013111111',
  document: { type: 'cc', number: '1037551022' },
};

const company: CustomerInput = {
  reference: 'merchant-0002',
  kind: 'company',
  companyName: 'Acme Andina S.A.S.',
  email: 'finance@acme.example',
  phone: '+576015550100',
  document: { type: 'nit', number: '900123456-7' },
};

describe('delos status mapping', () => {
  it.each([
    ['NEW', 'pending'],
    ['READY_FOR_MODERATION', 'in_review'],
    ['MODERATED', 'in_review'],
    ['VERIFY', 'in_review'],
    ['ACCEPT', 'active'],
    ['REJECT', 'rejected'],
    ['BANNED', 'blocked'],
  ])('maps %s to %s and keeps the raw value', (raw, normalized) => {
    expect(delosStatus(raw)).toEqual({ normalized, raw });
  });

  it('covers every documented status', () => {
    expect(DELOS_STATUSES.map((status) => delosStatus(status).normalized)).not.toContain('unknown');
  });

  it('maps unknown and missing statuses to unknown, keeping what was sent', () => {
    expect(delosStatus('SUSPENDED_BY_PARTNER')).toEqual({
      normalized: 'unknown',
      raw: 'SUSPENDED_BY_PARTNER',
    });
    expect(delosStatus(null)).toEqual({ normalized: 'unknown', raw: null });
    expect(delosStatus('')).toEqual({ normalized: 'unknown', raw: null });
  });

  it.each([
    [0, 'pending', 'NEW'],
    [1, 'in_review', 'READY_FOR_MODERATION'],
    [2, 'in_review', 'MODERATED'],
    [6, 'in_review', 'VERIFY'],
    [3, 'active', 'ACCEPT'],
    [4, 'rejected', 'REJECT'],
    [5, 'blocked', 'BANNED'],
    [9, 'unknown', '9'],
  ])('maps webhook code %i to %s (raw %s), agreeing with REST', (code, normalized, raw) => {
    expect(delosStatusFromWebhookCode(code)).toEqual({ normalized, raw });
  });
});

describe('delos wire and transform', () => {
  const item = {
    status: 'VERIFY',
    createAt: '2025-09-16T11:33:11Z',
    updateAt: '2025-10-02T09:03:23Z',
    name: 'Jane',
    lastname: 'Roe',
    company: '',
    type: 'INDIVIDUAL',
    balance: { currencyCode: 'USD', units: '-12', nanos: -5 },
    phone: '+44*****123',
    email: 'J***@Example.com',
  };

  it('accepts both id namings and reads them into one', () => {
    const a = DelosCustomerEnvelopeSchema.parse({ item: { ...item, cuid: 'Dabc', puid: 'p1' } });
    const b = DelosCustomerEnvelopeSchema.parse({ item: { ...item, customerId: 'Dabc', partnerId: 'p1' } });
    expect(a).toEqual(b);
    expect(a.item).toMatchObject({ id: 'Dabc', partnerId: 'p1' });
  });

  it('refuses a customer without any id, and units that are not integers', () => {
    expect(DelosCustomerEnvelopeSchema.safeParse({ item }).success).toBe(false);
    const floaty = { item: { ...item, cuid: 'Dabc', balance: { currencyCode: 'USD', units: 2835.8 } } };
    expect(DelosCustomerEnvelopeSchema.safeParse(floaty).success).toBe(false);
  });

  it('keeps masked contact data and exact negative balances', () => {
    const { item: customer } = DelosCustomerEnvelopeSchema.parse({ item: { ...item, cuid: 'Dabc' } });
    const snapshot = delosCustomerToSnapshot(customer, NOW);
    expect(snapshot).toMatchObject({
      kind: 'individual',
      displayName: 'Jane Roe',
      email: 'j***@example.com',
      phone: { e164: null, raw: '+44*****123' },
      status: { normalized: 'in_review', raw: 'VERIFY' },
      balances: [{ name: 'balance', currency: 'USD', amount: '-12.000000005' }],
    });
  });

  it('turns an inexact money value into a contract error naming no value', () => {
    const { item: customer } = DelosCustomerEnvelopeSchema.parse({
      item: { ...item, cuid: 'Dabc', balance: { currencyCode: 'USD', units: '5', nanos: -3 } },
    });
    expect(() =>
      finishSnapshot('delos', 'getCustomer', () => delosCustomerToSnapshot(customer, NOW)),
    ).toThrow(ProviderContractError);
  });

  it('builds create bodies for people and companies', () => {
    expect(delosCreateRequest(person)).toEqual({
      name: 'Pepito',
      lastname: 'Perez Gómez',
      type: 'INDIVIDUAL',
    });
    expect(delosCreateRequest(company)).toEqual({
      name: 'Acme Andina S.A.S.',
      company: 'Acme Andina S.A.S.',
      type: 'CORPORATE',
    });
    const nameless = { ...person, givenName: undefined };
    expect(delosCreateRequest(nameless)).toBeNull();
    expect(missingCreateFields({ requiredCreateFields: DELOS_REQUIRED_CREATE_FIELDS }, nameless)).toEqual([
      { field: 'givenName', rule: 'required for individuals (Delos name)' },
    ]);
  });

  it('ignores webhooks about other objects and flags malformed ones', () => {
    expect(parseDelosWebhook({ hook_id: 'h1', hook_type: 1, Data: { Operation: {} } })).toEqual({
      kind: 'ignored',
      hookId: 'h1',
      hookType: 1,
    });
    expect(parseDelosWebhook({ hook_id: 'h2', hook_type: 3, Data: {} })).toMatchObject({ kind: 'invalid' });
    expect(parseDelosWebhook('nope')).toMatchObject({ kind: 'invalid' });
  });
});

describe('delos create marker', () => {
  it('matches only its own key, also among other notes', () => {
    const marker = delosCreateMarker('k-1');
    expect(hasDelosCreateMarker({ comment: marker }, 'k-1')).toBe(true);
    expect(hasDelosCreateMarker({ comment: `VIP ${marker}` }, 'k-1')).toBe(true);
    expect(hasDelosCreateMarker({ comment: `${marker}0` }, 'k-1')).toBe(false);
    expect(hasDelosCreateMarker({ comment: marker }, 'k-2')).toBe(false);
    expect(hasDelosCreateMarker({ comment: null }, 'k-1')).toBe(false);
  });

  it('keeps the marker out of the snapshot fields that carry customer data', () => {
    const customer = DelosCustomerEnvelopeSchema.parse({
      item: {
        cuid: 'Dabc',
        name: 'Jane',
        lastname: 'Roe',
        type: 'INDIVIDUAL',
        comment: delosCreateMarker('k-1'),
      },
    }).item;
    const snapshot = delosCustomerToSnapshot(customer, new Date('2024-06-01T00:00:00Z'));
    expect(snapshot.metadata).toEqual({ comment: delosCreateMarker('k-1') });
    expect(JSON.stringify({ ...snapshot, metadata: null })).not.toContain('customer-sync:');
  });
});

describe('palomma transform', () => {
  it('reads a nit customer as a company', () => {
    const snapshot = palommaCustomerToSnapshot(
      { id: '01J0', name: 'Acme Andina S.A.S.', documentType: 'NIT', documentNumber: '900123456-7' },
      NOW,
    );
    expect(snapshot).toMatchObject({
      kind: 'company',
      companyName: 'Acme Andina S.A.S.',
      givenName: null,
      document: { type: 'nit', number: '900123456-7', rawType: 'NIT' },
      phone: null,
      providerCreatedAt: null,
    });
  });

  it('sends Colombian national phone numbers and the full name', () => {
    expect(palommaCreateRequest(person)).toEqual({
      reference: 'merchant-0001',
      name: 'Pepito Perez Gómez',
      documentType: 'cc',
      documentNumber: '1037551022',
      email: 'pepito@example.com',
      phoneNumber: '3013111111',
    });
    expect(palommaCreateRequest(company)).toMatchObject({ name: 'Acme Andina S.A.S.', documentType: 'nit' });
  });

  it('requires name, document, email and a Colombian phone', () => {
    const foreign: CustomerInput = { reference: 'merchant-0003', kind: 'individual', phone: '+14155550100' };
    expect(palommaCreateRequest(foreign)).toBeNull();
    expect(
      missingCreateFields({ requiredCreateFields: PALOMMA_REQUIRED_CREATE_FIELDS }, foreign).map(
        (m) => m.field,
      ),
    ).toEqual(['givenName', 'document.type', 'document.number', 'email', 'phone']);
    expect(missingCreateFields({ requiredCreateFields: PALOMMA_REQUIRED_CREATE_FIELDS }, person)).toEqual([]);
    expect(missingCreateFields({ requiredCreateFields: PALOMMA_REQUIRED_CREATE_FIELDS }, company)).toEqual(
      [],
    );
  });
});

describe('juspay transform', () => {
  it('splits the phone into country code and national number', () => {
    expect(juspayCreateRequest(person)).toEqual({
      object_reference_id: 'merchant-0001',
      mobile_number: '3013111111',
      mobile_country_code: '57',
      email_address: 'pepito@example.com',
      first_name: 'Pepito',
      last_name: 'Perez Gómez',
    });
  });

  it('requires a reference of 8+ characters and a phone', () => {
    const input: CustomerInput = { reference: 'short', kind: 'individual' };
    expect(juspayCreateRequest(input)).toBeNull();
    expect(missingCreateFields({ requiredCreateFields: JUSPAY_REQUIRED_CREATE_FIELDS }, input)).toEqual([
      { field: 'reference', rule: 'at least 8 characters (Juspay object_reference_id)' },
      { field: 'phone', rule: 'required (Juspay mobile number)' },
    ]);
  });
});

describe('mollie transform', () => {
  it('carries the merchant reference in metadata and reads it back', () => {
    const body = mollieCreateRequest({ ...person, metadata: { tier: 'gold' } });
    expect(body).toEqual({
      name: 'Pepito Perez Gómez',
      email: 'pepito@example.com',
      metadata: { tier: 'gold', reference: 'merchant-0001' },
    });
    const snapshot = mollieCustomerToSnapshot(
      MollieCustomerSchema.parse({ id: 'cst_1', name: body.name, metadata: body.metadata, createdAt: null }),
      NOW,
    );
    expect(snapshot).toMatchObject({
      reference: 'merchant-0001',
      metadata: { tier: 'gold', reference: 'merchant-0001' },
    });
  });

  it('keeps non-object metadata under `value`', () => {
    const snapshot = mollieCustomerToSnapshot(
      MollieCustomerSchema.parse({ id: 'cst_1', metadata: ['a', 'b'] }),
      NOW,
    );
    expect(snapshot.metadata).toEqual({ value: ['a', 'b'] });
    expect(snapshot.reference).toBeNull();
  });

  it('refuses locales Mollie does not support', () => {
    expect(
      missingCreateFields(
        { requiredCreateFields: MOLLIE_REQUIRED_CREATE_FIELDS },
        { ...person, locale: 'es_CO' },
      ),
    ).toHaveLength(1);
    expect(
      missingCreateFields(
        { requiredCreateFields: MOLLIE_REQUIRED_CREATE_FIELDS },
        { ...person, locale: 'nl_NL' },
      ),
    ).toEqual([]);
  });
});

describe('splitE164', () => {
  it.each([
    ['+573013111111', '57', '3013111111'],
    ['+14155550100', '1', '4155550100'],
    ['+79161234567', '7', '9161234567'],
    ['+447911123456', '44', '7911123456'],
    ['+919876543210', '91', '9876543210'],
    ['+971501234567', '971', '501234567'],
    ['+3725123456', '372', '5123456'],
  ])('splits %s into %s / %s', (e164, countryCallingCode, nationalNumber) => {
    expect(splitE164(e164)).toEqual({ countryCallingCode, nationalNumber });
  });

  it.each(['573013111111', '+0123456789', '+12', 'abc'])('refuses %p', (value) => {
    expect(splitE164(value)).toBeNull();
  });
});

describe('isoTimestamp', () => {
  it.each([
    ['2023-11-07T05:31:56Z', '2023-11-07T05:31:56.000Z'],
    ['2022-01-03T13:42:04+00:00', '2022-01-03T13:42:04.000Z'],
    ['2018-04-06T13:10:19.0Z', '2018-04-06T13:10:19.000Z'],
    ['2024-05-20T16:45:00+02:00', '2024-05-20T14:45:00.000Z'],
    ['2024-05-20T14:45:00', null],
    ['yesterday', null],
    [null, null],
  ])('reads %p as %p', (value, expected) => {
    expect(isoTimestamp(value)).toBe(expected);
  });
});

describe('formatProviderError', () => {
  it('explains typed errors in one line', () => {
    expect(
      formatProviderError(
        new ProviderAuthError({
          provider: 'juspay',
          operation: 'getCustomer',
          status: 403,
          providerCode: 'BAD_ORIGIN',
        }),
      ),
    ).toBe(
      'ProviderAuthError: juspay getCustomer: authentication failed (HTTP 403) [code BAD_ORIGIN; check the juspay credentials]',
    );
    expect(
      formatProviderError(
        new ProviderRateLimitedError({
          provider: 'mollie',
          operation: 'listCustomers',
          status: 429,
          retryAfterSeconds: 30,
        }),
      ),
    ).toBe(
      'ProviderRateLimitedError: mollie listCustomers: rate limited (HTTP 429) [retry after 30s; retryable]',
    );
    expect(
      formatProviderError(
        new ProviderNotFoundError({
          provider: 'mollie',
          operation: 'getCustomer',
          status: 410,
          providerCode: 'gone',
        }),
      ),
    ).toBe(
      'ProviderNotFoundError: mollie getCustomer: not found (HTTP 410) [code gone; the customer does not exist at the provider]',
    );
    expect(formatProviderError(new ProviderUnavailableError({ provider: 'delos', operation: 'login' }))).toBe(
      'ProviderUnavailableError: delos login: unavailable [retryable]',
    );
  });

  it('redacts anything else', () => {
    expect(formatProviderError(new Error('failed for jane@example.com with Bearer abc.def'))).not.toMatch(
      /jane@|abc\.def/,
    );
  });
});
