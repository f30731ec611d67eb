/**
 * Delos adapter. Delos offers no create idempotency (capabilities say `none`): the create POST is never
 * retried here, and the create flow must guard against duplicates itself (a lease per customer and
 * provider). Each create carries a marker in `comment` so `findCreatedCustomer` can find it again after
 * an attempt whose outcome is unknown. Listing pages with `page`/`pageSize`; the cursor is the next page
 * number.
 */
import type { DelosConfig } from '../../config/providers.ts';
import { ProviderRejectedError } from '../../http/errors.ts';
import type { CustomerPage, RequiredCreateField } from '../adapter.ts';
import { type AdapterDeps, finishSnapshot, type HttpProviderAdapter, missingFieldsError } from '../shared.ts';
import { createDelosClient } from './client.ts';
import {
  delosCreateMarker,
  delosCreateRequest,
  delosCustomerToSnapshot,
  hasDelosCreateMarker,
} from './transform.ts';
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

/** Delos's own list filters (`customerName` matches part of a name), on top of the adapter contract's. */
export interface DelosListOptions {
  cursor?: string;
  pageSize?: number;
  customerName?: string;
  /** ISO 8601; customers created after it. */
  fromCreateAt?: string;
}

export function createDelosAdapter(config: DelosConfig, deps: AdapterDeps = {}): HttpProviderAdapter {
  const client = createDelosClient(config, deps);
  const clock = deps.clock ?? (() => new Date());
  const snapshot = (customer: DelosCustomer, operation: string) =>
    finishSnapshot('delos', operation, () => delosCustomerToSnapshot(customer, clock()));

  async function* pages(
    options: DelosListOptions,
  ): AsyncGenerator<{ items: DelosCustomer[]; nextCursor: string | null }> {
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
    let page = options.cursor === undefined ? 1 : Number(options.cursor);
    if (!Number.isSafeInteger(page) || page < 1) {
      throw new ProviderRejectedError({
        provider: 'delos',
        operation: 'listCustomers',
        providerMessage: 'cursor must be a page number',
      });
    }
    const filters = {
      ...(options.customerName === undefined ? {} : { customerName: options.customerName }),
      ...(options.fromCreateAt === undefined ? {} : { fromCreateAt: options.fromCreateAt }),
    };
    for (;;) {
      const result = await client.listCustomers({ page, pageSize, ...filters });
      const size = result.pageSize ?? pageSize;
      const more = result.total === undefined ? result.items.length >= size : page * size < result.total;
      const nextCursor = more && result.items.length > 0 ? String(page + 1) : null;
      yield { items: result.items, nextCursor };
      if (nextCursor === null) return;
      page += 1;
    }
  }

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

    async createCustomer(input, idempotencyKey) {
      const body = delosCreateRequest(input);
      if (body === null) throw missingFieldsError('delos', DELOS_REQUIRED_CREATE_FIELDS, input);
      return snapshot(
        await client.createCustomer({ ...body, comment: delosCreateMarker(idempotencyKey) }),
        'createCustomer',
      );
    },

    async *listCustomers(options: DelosListOptions = {}): AsyncGenerator<CustomerPage> {
      for await (const { items, nextCursor } of pages(options)) {
        yield { customers: items.map((customer) => snapshot(customer, 'listCustomers')), nextCursor };
      }
    },

    async findCreatedCustomer(input, idempotencyKey, { createdAfter }) {
      const body = delosCreateRequest(input);
      if (body === null) return null;
      // Narrowed by the name we sent and the time of the first attempt; the marker decides.
      for await (const { items } of pages({ customerName: body.name, fromCreateAt: createdAfter })) {
        const found = items.find((customer) => hasDelosCreateMarker(customer, idempotencyKey));
        if (found) return snapshot(found, 'findCreatedCustomer');
      }
      return null;
    },

    counters: () => client.http.counters(),
    resetCounters: () => client.http.resetCounters(),
  };
}
