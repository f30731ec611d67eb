/**
 * Delos adapter. Delos offers no create idempotency (capabilities say `none`): the create POST is never
 * retried here, and the create flow must guard against duplicates itself (a lease per customer and
 * provider). Listing pages with `page`/`pageSize`; the cursor is the next page number.
 */
import type { DelosConfig } from '../../config/providers.ts';
import { ProviderRejectedError } from '../../http/errors.ts';
import type { CustomerPage, RequiredCreateField } from '../adapter.ts';
import { type AdapterDeps, finishSnapshot, type HttpProviderAdapter, missingFieldsError } from '../shared.ts';
import { createDelosClient } from './client.ts';
import { delosCreateRequest, delosCustomerToSnapshot } from './transform.ts';
import type { DelosCustomer } from './wire.ts';

const MAX_PAGE_SIZE = 100;

export const DELOS_REQUIRED_CREATE_FIELDS: readonly RequiredCreateField[] = [
  {
    field: 'givenName',
    rule: 'required for individuals (Delos name)',
    check: (input) => input.kind === 'company' || Boolean(input.givenName),
  },
  {
    field: 'companyName',
    rule: 'required for companies (Delos name)',
    check: (input) => input.kind !== 'company' || Boolean(input.companyName),
  },
];

export function createDelosAdapter(config: DelosConfig, deps: AdapterDeps = {}): HttpProviderAdapter {
  const client = createDelosClient(config, deps);
  const clock = deps.clock ?? (() => new Date());
  const snapshot = (customer: DelosCustomer, operation: string) =>
    finishSnapshot('delos', operation, () => delosCustomerToSnapshot(customer, clock()));

  return {
    name: 'delos',
    capabilities: {
      createIdempotency: 'none',
      canList: true,
      customerWebhooks: true,
      hasUpdatedAt: true,
    },
    requiredCreateFields: DELOS_REQUIRED_CREATE_FIELDS,

    async getCustomer(id) {
      return snapshot(await client.getCustomer(id), 'getCustomer');
    },

    async createCustomer(input) {
      const body = delosCreateRequest(input);
      if (body === null) throw missingFieldsError('delos', DELOS_REQUIRED_CREATE_FIELDS, input);
      return snapshot(await client.createCustomer(body), 'createCustomer');
    },

    async *listCustomers(options = {}): AsyncGenerator<CustomerPage> {
      const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
      let page = options.cursor === undefined ? 1 : Number(options.cursor);
      if (!Number.isSafeInteger(page) || page < 1) {
        throw new ProviderRejectedError({
          provider: 'delos',
          operation: 'listCustomers',
          providerMessage: 'cursor must be a page number',
        });
      }
      for (;;) {
        const result = await client.listCustomers({ page, pageSize });
        const size = result.pageSize ?? pageSize;
        const more = result.total === undefined ? result.items.length >= size : page * size < result.total;
        const nextCursor = more && result.items.length > 0 ? String(page + 1) : null;
        yield { customers: result.items.map((customer) => snapshot(customer, 'listCustomers')), nextCursor };
        if (nextCursor === null) return;
        page += 1;
      }
    },

    counters: () => client.http.counters(),
    resetCounters: () => client.http.resetCounters(),
  };
}
