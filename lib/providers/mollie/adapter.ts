/**
 * Mollie adapter. Create is idempotent through `Idempotency-Key` (so its POST is retried like a GET).
 * List pages follow `_links.next`; only its `from` parameter is taken (the adapter never follows an
 * absolute URL with the API key, whatever host the link names), and that `from` is the resume cursor.
 */
import type { MollieConfig } from '../../config/providers.ts';
import { ProviderContractError } from '../../http/errors.ts';
import { type CustomerPage, missingCreateFields, type RequiredCreateField } from '../adapter.ts';
import {
  type AdapterDeps,
  finishSnapshot,
  type HttpProviderAdapter,
  missingFieldsError,
  repeatedCursorError,
} from '../shared.ts';
import { createMollieClient } from './client.ts';
import { mollieCreateRequest, mollieCustomerToSnapshot } from './transform.ts';
import type { MollieCustomer } from './wire.ts';

const MAX_PAGE_SIZE = 250;

/** Locales Mollie accepts (OpenAPI `locale` enum); it refuses others with 422. */
export const MOLLIE_LOCALES = [
  'ca_ES',
  'cs_CZ',
  'da_DK',
  'de_AT',
  'de_CH',
  'de_DE',
  'de_LU',
  'en_BE',
  'en_GB',
  'en_NL',
  'en_US',
  'es_ES',
  'fi_FI',
  'fr_BE',
  'fr_FR',
  'fr_LU',
  'hu_HU',
  'is_IS',
  'it_IT',
  'lt_LT',
  'lv_LV',
  'nb_NO',
  'nl_BE',
  'nl_NL',
  'pl_PL',
  'pt_PT',
  'sk_SK',
  'sv_SE',
] as const;

/** Mollie requires no field; a locale, when given, must be one it knows. */
export const MOLLIE_REQUIRED_CREATE_FIELDS: readonly RequiredCreateField[] = [
  {
    field: 'locale',
    rule: 'absent, or a locale Mollie supports (e.g. en_US, nl_NL)',
    check: (input) => input.locale === undefined || MOLLIE_LOCALES.some((locale) => locale === input.locale),
  },
];

function nextFrom(href: string): string {
  let from: string | null = null;
  try {
    from = new URL(href).searchParams.get('from');
  } catch {
    from = null;
  }
  if (!from) {
    throw new ProviderContractError({
      provider: 'mollie',
      operation: 'listCustomers',
      providerMessage: '_links.next has no from parameter',
      issues: ['_links.next.href'],
    });
  }
  return from;
}

export function createMollieAdapter(config: MollieConfig, deps: AdapterDeps = {}): HttpProviderAdapter {
  const client = createMollieClient(config, deps);
  const clock = deps.clock ?? (() => new Date());
  const snapshot = (customer: MollieCustomer, operation: string) =>
    finishSnapshot('mollie', operation, () => mollieCustomerToSnapshot(customer, clock()));

  return {
    name: 'mollie',
    capabilities: {
      createIdempotency: 'idempotency-key',
      canList: true,
      customerWebhooks: false,
      hasUpdatedAt: false,
    },
    requiredCreateFields: MOLLIE_REQUIRED_CREATE_FIELDS,

    async getCustomer(id) {
      return snapshot(await client.getCustomer(id), 'getCustomer');
    },

    async createCustomer(input, idempotencyKey) {
      if (missingCreateFields({ requiredCreateFields: MOLLIE_REQUIRED_CREATE_FIELDS }, input).length > 0) {
        throw missingFieldsError('mollie', MOLLIE_REQUIRED_CREATE_FIELDS, input);
      }
      const body = mollieCreateRequest(input);
      try {
        return snapshot(await client.createCustomer(body, idempotencyKey), 'createCustomer');
      } catch (error) {
        // An unreadable answer is not retried by the HTTP layer, but under the same key Mollie replays the
        // stored answer of the create that did happen: ask once more instead of failing a done create.
        if (!(error instanceof ProviderContractError)) throw error;
        return snapshot(await client.createCustomer(body, idempotencyKey), 'createCustomer');
      }
    },

    async *listCustomers(options = {}): AsyncGenerator<CustomerPage> {
      const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, options.pageSize ?? MAX_PAGE_SIZE));
      let from = options.cursor;
      const seen = new Set<string>();
      for (;;) {
        const page = await client.listCustomers({ limit, ...(from === undefined ? {} : { from }) });
        const next = page._links.next ? nextFrom(page._links.next.href) : null;
        const customers = page._embedded?.customers ?? [];
        yield {
          customers: customers.map((customer) => snapshot(customer, 'listCustomers')),
          nextCursor: next,
        };
        if (next === null) return;
        if (seen.has(next)) throw repeatedCursorError('mollie');
        seen.add(next);
        from = next;
      }
    },

    counters: () => client.http.counters(),
    resetCounters: () => client.http.resetCounters(),
  };
}
