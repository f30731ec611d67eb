/**
 * Palomma adapter. Create is made idempotent by the merchant reference: look it up first
 * (`GET /customers?reference=`), create only when absent, and look again after an ambiguous failure
 * (timeout, 5xx, unreadable answer), since the create may have happened before the failure.
 */
import type { PalommaConfig } from '../../config/providers.ts';
import type { CustomerPage, RequiredCreateField } from '../adapter.ts';
import {
  type AdapterDeps,
  finishSnapshot,
  type HttpProviderAdapter,
  isAmbiguousFailure,
  missingFieldsError,
  repeatedCursorError,
} from '../shared.ts';
import { createPalommaClient } from './client.ts';
import { colombianNationalNumber, palommaCreateRequest, palommaCustomerToSnapshot } from './transform.ts';
import { PALOMMA_DOCUMENT_TYPES, type PalommaCustomer } from './wire.ts';

const MAX_PAGE_SIZE = 100;

export const PALOMMA_REQUIRED_CREATE_FIELDS: readonly RequiredCreateField[] = [
  {
    field: 'givenName',
    rule: 'required for individuals (Palomma name)',
    check: (input) => input.kind === 'company' || Boolean(input.givenName),
  },
  {
    field: 'companyName',
    rule: 'required for companies (Palomma name)',
    check: (input) => input.kind !== 'company' || Boolean(input.companyName),
  },
  {
    field: 'document.type',
    rule: `one of ${PALOMMA_DOCUMENT_TYPES.join(', ')}`,
    check: (input) => PALOMMA_DOCUMENT_TYPES.some((type) => type === input.document?.type),
  },
  { field: 'document.number', rule: 'required', check: (input) => Boolean(input.document?.number) },
  { field: 'email', rule: 'required', check: (input) => Boolean(input.email) },
  {
    field: 'phone',
    rule: 'a Colombian number (+57…)',
    check: (input) => colombianNationalNumber(input.phone) !== null,
  },
];

export function createPalommaAdapter(config: PalommaConfig, deps: AdapterDeps = {}): HttpProviderAdapter {
  const client = createPalommaClient(config, deps);
  const clock = deps.clock ?? (() => new Date());
  const snapshot = (customer: PalommaCustomer, operation: string) =>
    finishSnapshot('palomma', operation, () => palommaCustomerToSnapshot(customer, clock()));

  const findByReference = async (reference: string) => {
    const page = await client.listCustomers({ limit: 1, reference });
    // The filter is exact per the docs; the check guards against a server that ignores it.
    return page.items.find((customer) => customer.reference === reference) ?? null;
  };

  return {
    name: 'palomma',
    capabilities: {
      createIdempotency: 'lookup-by-reference',
      canList: true,
      customerWebhooks: false,
      hasUpdatedAt: true,
    },
    requiredCreateFields: PALOMMA_REQUIRED_CREATE_FIELDS,

    async getCustomer(id) {
      return snapshot(await client.getCustomer(id), 'getCustomer');
    },

    async createCustomer(input) {
      const body = palommaCreateRequest(input);
      if (body === null) {
        throw missingFieldsError('palomma', PALOMMA_REQUIRED_CREATE_FIELDS, input);
      }
      const existing = await findByReference(input.reference);
      if (existing) return snapshot(existing, 'createCustomer');
      try {
        return snapshot(await client.createCustomer(body), 'createCustomer');
      } catch (error) {
        if (!isAmbiguousFailure(error)) throw error;
        const created = await findByReference(input.reference).catch(() => null);
        if (created) return snapshot(created, 'createCustomer');
        throw error;
      }
    },

    async *listCustomers(options = {}): AsyncGenerator<CustomerPage> {
      const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
      let cursor = options.cursor;
      const seen = new Set<string>();
      for (;;) {
        const page = await client.listCustomers({ limit, ...(cursor === undefined ? {} : { cursor }) });
        const next = page.cursor ?? null;
        yield {
          customers: page.items.map((customer) => snapshot(customer, 'listCustomers')),
          nextCursor: next,
        };
        if (next === null) return;
        if (seen.has(next)) throw repeatedCursorError('palomma');
        seen.add(next);
        cursor = next;
      }
    },

    counters: () => client.http.counters(),
    resetCounters: () => client.http.resetCounters(),
  };
}
