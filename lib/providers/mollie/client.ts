/** Mollie v2 customer endpoints over the shared HTTP client: Bearer `test_`/`live_` key, HAL JSON. */
import type { MollieConfig } from '../../config/providers.ts';
import { bearerAuth, createProviderHttp, type ProviderHttp } from '../../http/provider-http.ts';
import type { AdapterDeps } from '../shared.ts';
import { mapMollieError } from './errors.ts';
import {
  type MollieCreateCustomerRequest,
  type MollieCustomer,
  type MollieCustomerList,
  MollieCustomerListSchema,
  MollieCustomerSchema,
} from './wire.ts';

export interface MollieClient {
  readonly http: ProviderHttp;
  getCustomer(id: string): Promise<MollieCustomer>;
  createCustomer(body: MollieCreateCustomerRequest, idempotencyKey: string): Promise<MollieCustomer>;
  listCustomers(query: { limit: number; from?: string }): Promise<MollieCustomerList>;
}

export function createMollieClient(config: MollieConfig, deps: AdapterDeps = {}): MollieClient {
  const http = createProviderHttp(
    {
      provider: 'mollie',
      baseUrl: config.baseUrl,
      ...config.http,
      headers: { accept: 'application/hal+json' },
      auth: bearerAuth(config.apiKey),
      mapError: mapMollieError,
      secrets: () => [config.apiKey.reveal()],
    },
    deps,
  );

  return {
    http,
    async getCustomer(id) {
      // https://docs.mollie.com/reference/get-customer
      const response = await http.request({
        operation: 'getCustomer',
        path: `customers/${encodeURIComponent(id)}`,
        schema: MollieCustomerSchema,
      });
      return response.data;
    },
    async createCustomer(body, idempotencyKey) {
      // https://docs.mollie.com/reference/create-customer
      // Retry-safe: Mollie replays the first answer for the same Idempotency-Key (24 h).
      const response = await http.request({
        operation: 'createCustomer',
        method: 'POST',
        path: 'customers',
        json: body,
        headers: { 'idempotency-key': idempotencyKey },
        schema: MollieCustomerSchema,
        retryable: true,
      });
      return response.data;
    },
    async listCustomers(query) {
      // https://docs.mollie.com/reference/list-customers
      const response = await http.request({
        operation: 'listCustomers',
        path: 'customers',
        searchParams: { limit: query.limit, from: query.from },
        schema: MollieCustomerListSchema,
      });
      return response.data;
    },
  };
}
