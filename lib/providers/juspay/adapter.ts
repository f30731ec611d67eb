/**
 * Juspay adapter. Create is idempotent by `object_reference_id`: Juspay refuses a second customer with
 * the same reference (400 `unique`), and the adapter answers with the existing one (GET by reference),
 * so a retried or repeated create returns the same customer; after an ambiguous failure (timeout, 5xx
 * after the retries, unreadable answer) the reference is looked up the same way. Offset pagination.
 */
import type { JuspayConfig } from '../../config/providers.ts';
import { ProviderRejectedError } from '../../http/errors.ts';
import type { CustomerPage, RequiredCreateField } from '../adapter.ts';
import {
  type AdapterDeps,
  finishSnapshot,
  type HttpProviderAdapter,
  isAmbiguousFailure,
  missingFieldsError,
} from '../shared.ts';
import { createJuspayClient } from './client.ts';
import { JUSPAY_DUPLICATE_REFERENCE_CODE } from './errors.ts';
import { JUSPAY_MIN_REFERENCE_LENGTH, juspayCreateRequest, juspayCustomerToSnapshot } from './transform.ts';
import type { JuspayCustomer } from './wire.ts';

const MAX_PAGE_SIZE = 100;

export const JUSPAY_REQUIRED_CREATE_FIELDS: readonly RequiredCreateField[] = [
  {
    field: 'reference',
    rule: `at least ${JUSPAY_MIN_REFERENCE_LENGTH} characters (Juspay object_reference_id)`,
    check: (input) => input.reference.length >= JUSPAY_MIN_REFERENCE_LENGTH,
  },
  { field: 'phone', rule: 'required (Juspay mobile number)', check: (input) => input.phone !== undefined },
];

export function createJuspayAdapter(config: JuspayConfig, deps: AdapterDeps = {}): HttpProviderAdapter {
  const client = createJuspayClient(config, deps);
  const clock = deps.clock ?? (() => new Date());
  const snapshot = (customer: JuspayCustomer, operation: string) =>
    finishSnapshot('juspay', operation, () => juspayCustomerToSnapshot(customer, clock()));

  return {
    name: 'juspay',
    capabilities: {
      createIdempotency: 'unique-reference',
      canList: true,
      customerWebhooks: false,
      hasUpdatedAt: true,
    },
    requiredCreateFields: JUSPAY_REQUIRED_CREATE_FIELDS,

    async getCustomer(id) {
      return snapshot(await client.getCustomer(id), 'getCustomer');
    },

    async createCustomer(input) {
      const body = juspayCreateRequest(input);
      if (body === null) throw missingFieldsError('juspay', JUSPAY_REQUIRED_CREATE_FIELDS, input);
      try {
        return snapshot(await client.createCustomer(body), 'createCustomer');
      } catch (error) {
        const duplicate =
          error instanceof ProviderRejectedError && error.providerCode === JUSPAY_DUPLICATE_REFERENCE_CODE;
        if (duplicate) return snapshot(await client.getCustomer(input.reference), 'createCustomer');
        if (!isAmbiguousFailure(error)) throw error;
        // The create may have happened before the failure: the reference tells.
        const existing = await client.getCustomer(input.reference).catch(() => null);
        if (existing) return snapshot(existing, 'createCustomer');
        throw error;
      }
    },

    async *listCustomers(options = {}): AsyncGenerator<CustomerPage> {
      const count = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
      let offset = options.cursor === undefined ? 0 : Number(options.cursor);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ProviderRejectedError({
          provider: 'juspay',
          operation: 'listCustomers',
          providerMessage: 'cursor must be an offset',
        });
      }
      for (;;) {
        const page = await client.listCustomers({ offset, count });
        const nextOffset = offset + page.list.length;
        const more =
          page.list.length > 0 &&
          (page.total === undefined ? page.list.length >= count : nextOffset < page.total);
        const nextCursor = more ? String(nextOffset) : null;
        yield { customers: page.list.map((customer) => snapshot(customer, 'listCustomers')), nextCursor };
        if (nextCursor === null) return;
        offset = nextOffset;
      }
    },

    counters: () => client.http.counters(),
    resetCounters: () => client.http.resetCounters(),
  };
}
