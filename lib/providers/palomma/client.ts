/** Palomma v0 customer endpoints over the shared HTTP client: Bearer API key, JSON. */
import type { PalommaConfig } from '../../config/providers.ts';
import { bearerAuth, createProviderHttp, type ProviderHttp } from '../../http/provider-http.ts';
import type { AdapterDeps } from '../shared.ts';
import { mapPalommaError } from './errors.ts';
import {
  type PalommaCreateCustomerRequest,
  type PalommaCustomer,
  type PalommaCustomerList,
  PalommaCustomerListSchema,
  PalommaCustomerSchema,
} from './wire.ts';

export interface PalommaClient {
  readonly http: ProviderHttp;
  getCustomer(id: string): Promise<PalommaCustomer>;
  createCustomer(body: PalommaCreateCustomerRequest): Promise<PalommaCustomer>;
  listCustomers(query: { limit: number; cursor?: string; reference?: string }): Promise<PalommaCustomerList>;
}

export function createPalommaClient(config: PalommaConfig, deps: AdapterDeps = {}): PalommaClient {
  const http = createProviderHttp(
    {
      provider: 'palomma',
      baseUrl: config.baseUrl,
      ...config.http,
      headers: { accept: 'application/json' },
      auth: bearerAuth(config.apiKey),
      mapError: mapPalommaError,
      secrets: () => [config.apiKey.reveal()],
    },
    deps,
  );

  return {
    http,
    async getCustomer(id) {
      // https://docs.palomma.com/api-documentation/customers/get
      const response = await http.request({
        operation: 'getCustomer',
        path: `customers/${encodeURIComponent(id)}`,
        schema: PalommaCustomerSchema,
      });
      return response.data;
    },
    async createCustomer(body) {
      // https://docs.palomma.com/api-documentation/customers/create
      // Not retried: Palomma has no idempotency; the adapter looks the reference up instead.
      const response = await http.request({
        operation: 'createCustomer',
        method: 'POST',
        path: 'customers',
        json: body,
        schema: PalommaCustomerSchema,
        retryable: false,
      });
      return response.data;
    },
    async listCustomers(query) {
      // https://docs.palomma.com/api-documentation/customers/list
      const response = await http.request({
        operation: query.reference === undefined ? 'listCustomers' : 'findCustomerByReference',
        path: 'customers',
        searchParams: { limit: query.limit, cursor: query.cursor, reference: query.reference },
        schema: PalommaCustomerListSchema,
      });
      return response.data;
    },
  };
}
