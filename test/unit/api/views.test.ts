import { HttpProblem } from '../../../lib/api/problem.ts';
import { customerView, decodeCursor, encodeCursor } from '../../../lib/api/views.ts';
import type { CustomerRecord } from '../../../lib/store/types.ts';

describe('API cursors', () => {
  it('round-trip within their listing', () => {
    const cursor = encodeCursor('history:A:mollie', 'store-cursor');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('history:A:mollie', cursor ?? undefined)).toBe('store-cursor');
    expect(encodeCursor('customers', null)).toBeNull();
  });

  it('are refused by another listing or when mangled', () => {
    const cursor = encodeCursor('history:A:mollie', 'store-cursor') ?? '';
    for (const [scope, value] of [
      ['history:B:mollie', cursor],
      ['customers', cursor],
      ['customers', 'not-a-cursor'],
      ['customers', Buffer.from('{"s":"customers","c":""}').toString('base64url')],
    ] as const) {
      expect(() => decodeCursor(scope, value)).toThrow(HttpProblem);
    }
  });
});

describe('customerView', () => {
  it('allow-lists fields: internal keys on stored records never reach the response', () => {
    // Extra keys as the store's items carry them; the view must drop every one.
    const input = { reference: 'ref-1', kind: 'individual' as const, pk: 'CUSTOMER#x' };
    const profile = {
      customerId: '01JD5N6ZB0W1S4Q6YF6S5C5V4N',
      reference: 'ref-1',
      input,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      gsi2pk: 'REF#ref-1',
    };
    const link = {
      customerId: '01JD5N6ZB0W1S4Q6YF6S5C5V4N',
      provider: 'mollie' as const,
      providerCustomerId: 'cst_1',
      status: 'pending' as const,
      snapshot: null,
      version: 0,
      linkedAt: '2025-01-01T00:00:00.000Z',
      goneAt: null,
      createIdempotencyKey: 'idem-secret',
      contentHash: 'abc',
    };
    const record: CustomerRecord = { profile, links: [link], syncStates: [] };
    const view = JSON.stringify(customerView(record));
    for (const leaked of ['pk', 'gsi2pk', 'createIdempotencyKey', 'idem-secret', 'contentHash']) {
      expect(view).not.toContain(leaked);
    }
    expect(view).toContain('cst_1');
  });
});
