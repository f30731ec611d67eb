import { formatCreateResult, formatCustomer, formatHistory } from '../../../lib/cli/customer-view.ts';
import type { CustomerSnapshot } from '../../../lib/customer/snapshot.ts';

const snapshot: CustomerSnapshot = {
  provider: 'mollie',
  providerCustomerId: 'cst_8wmqcHMN4U',
  reference: null,
  kind: 'individual',
  displayName: 'Ana Gómez',
  givenName: 'Ana',
  familyName: 'Gómez',
  companyName: null,
  email: 'ana@example.com',
  phone: null,
  document: null,
  locale: 'en_US',
  status: { normalized: 'active', raw: null },
  balances: [],
  metadata: null,
  providerCreatedAt: '2024-01-01T00:00:00.000Z',
  providerUpdatedAt: null,
  fetchedAt: '2024-06-01T00:00:00.000Z',
};

const customer = {
  id: '01JD5N6ZB0W1S4Q6YF6S5C5V4N',
  reference: 'ana-001',
  profile: { reference: 'ana-001', kind: 'individual', givenName: 'Ana', email: 'ana@example.com' },
  createdAt: '2024-06-01T00:00:00.000Z',
  updatedAt: '2024-06-01T00:00:00.000Z',
  providers: [
    {
      provider: 'mollie',
      providerCustomerId: 'cst_8wmqcHMN4U',
      status: 'active',
      version: 2,
      linkedAt: '2024-06-01T00:00:00.000Z',
      goneAt: null,
      snapshot,
      sync: {
        lastSuccessAt: '2024-06-01T00:00:00.000Z',
        lastAttemptAt: '2024-06-01T00:00:00.000Z',
        lastError: null,
        consecutiveFailures: 0,
        nextDueAt: '2024-06-01T00:15:00.000Z',
      },
    },
    {
      provider: 'delos',
      providerCustomerId: null,
      status: 'pending',
      version: 0,
      linkedAt: '2024-06-01T00:00:00.000Z',
      goneAt: null,
      snapshot: null,
      sync: {
        lastSuccessAt: null,
        lastAttemptAt: '2024-06-01T00:00:00.000Z',
        lastError: {
          name: 'ProviderUnavailableError',
          message: 'delos createCustomer: unavailable',
          at: '2024-06-01T00:00:00.000Z',
        },
        consecutiveFailures: 3,
        nextDueAt: '2024-06-01T00:05:00.000Z',
      },
    },
  ],
};

describe('formatCustomer', () => {
  it('shows the profile, one line per link, and each latest snapshot', () => {
    const text = formatCustomer(customer);
    expect(text).toMatch(/^id +01JD5N6ZB0W1S4Q6YF6S5C5V4N$/m);
    expect(text).toMatch(/^familyName +-$/m);
    expect(text).toMatch(
      /^mollie +active +cst_8wmqcHMN4U +2 +2024-06-01T00:00:00.000Z +2024-06-01T00:15:00.000Z +-$/m,
    );
    expect(text).toMatch(/^delos +pending +- +0 +- +\S+ +ProviderUnavailableError \(3x\)$/m);
    expect(text).toContain('── mollie (version 2) ──');
    expect(text).not.toContain('── delos');
  });

  it('leaves the snapshots out on request', () => {
    expect(formatCustomer(customer, { snapshots: false })).not.toContain('──');
  });

  it('falls back to dotted paths for an answer of another shape', () => {
    expect(formatCustomer({ id: 'x', extra: { a: 1 } })).toBe('id       x\nextra.a  1');
  });
});

describe('formatHistory', () => {
  it('lists versions newest first and prints the cursor for the next page', () => {
    const text = formatHistory({
      items: [
        { provider: 'mollie', version: 2, recordedAt: '2024-06-02T00:00:00.000Z', snapshot },
        { provider: 'mollie', version: 1, recordedAt: '2024-06-01T00:00:00.000Z', snapshot },
      ],
      cursor: 'abc123',
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^VERSION +RECORDED AT +PROVIDER UPDATED +STATUS +NAME$/);
    expect(lines[1]).toMatch(/^2 +2024-06-02T00:00:00.000Z +- +active +Ana Gómez$/);
    expect(lines[2]).toMatch(/^1 /);
    expect(text).toContain('More: --cursor abc123');
  });

  it('says so when there is no history', () => {
    expect(formatHistory({ items: [], cursor: null })).toBe('No history.');
  });
});

describe('formatCreateResult', () => {
  it('shows each provider result and explains pending and failed ones', () => {
    const text = formatCreateResult({
      customerId: '01JD5N6ZB0W1S4Q6YF6S5C5V4N',
      reference: 'ana-001',
      providers: {
        mollie: { status: 'created', providerCustomerId: 'cst_1' },
        delos: { status: 'pending' },
        juspay: {
          status: 'failed',
          error: { name: 'ProviderRejectedError', message: 'juspay createCustomer: request rejected' },
        },
      },
    });
    expect(text).toMatch(/^mollie +created +cst_1 +-$/m);
    expect(text).toMatch(
      /^juspay +failed +- +ProviderRejectedError: juspay createCustomer: request rejected$/m,
    );
    expect(text).toContain('completed by the scheduler');
    expect(text).toContain('rejected the customer');
  });
});
