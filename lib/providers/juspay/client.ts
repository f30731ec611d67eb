/**
 * Juspay customer endpoints over the shared HTTP client: Basic auth with the API key as user and an
 * empty password, `x-merchantid` on every call, create as application/x-www-form-urlencoded.
 */
import type { JuspayConfig } from '../../config/providers.ts';
import { createProviderHttp, type ProviderHttp } from '../../http/provider-http.ts';
import type { AdapterDeps } from '../shared.ts';
import { mapJuspayError } from './errors.ts';
import {
  type JuspayCreateCustomerRequest,
  type JuspayCustomer,
  type JuspayCustomerList,
  JuspayCustomerListSchema,
  JuspayCustomerSchema,
} from './wire.ts';

export interface JuspayClient {
  readonly http: ProviderHttp;
  /** By Juspay id (`cst_…`) or by the merchant's `object_reference_id`. */
  getCustomer(idOrReference: string): Promise<JuspayCustomer>;
  createCustomer(body: JuspayCreateCustomerRequest): Promise<JuspayCustomer>;
  listCustomers(query: { offset: number; count: number }): Promise<JuspayCustomerList>;
}

export function createJuspayClient(config: JuspayConfig, deps: AdapterDeps = {}): JuspayClient {
  const http = createProviderHttp(
    {
      provider: 'juspay',
      baseUrl: config.baseUrl,
      ...config.http,
      headers: { accept: 'application/json', 'x-merchantid': config.merchantId },
      auth: {
        authorize: (request) => {
          const basic = Buffer.from(`${config.apiKey.reveal()}:`).toString('base64');
          request.headers.set('authorization', `Basic ${basic}`);
        },
      },
      mapError: mapJuspayError,
      secrets: () => [config.apiKey.reveal(), Buffer.from(`${config.apiKey.reveal()}:`).toString('base64')],
    },
    deps,
  );

  return {
    http,
    async getCustomer(idOrReference) {
      // https://juspay.io/in/docs/api-reference/docs/express-checkout/getcustomer
      const response = await http.request({
        operation: 'getCustomer',
        path: `customers/${encodeURIComponent(idOrReference)}`,
        schema: JuspayCustomerSchema,
      });
      return response.data;
    },
    async createCustomer(body) {
      // https://juspay.io/in/docs/api-reference/docs/express-checkout/createcustomer
      // Retry-safe: a repeat is refused as a duplicate `object_reference_id`, which the adapter resolves.
      const response = await http.request({
        operation: 'createCustomer',
        method: 'POST',
        path: 'customers',
        form: body,
        schema: JuspayCustomerSchema,
        retryable: true,
      });
      return response.data;
    },
    async listCustomers(query) {
      // Not in the public docs; the official PHP SDK's Customer::listAll (lib/Model/Customer.php).
      const response = await http.request({
        operation: 'listCustomers',
        path: 'customers',
        searchParams: { offset: query.offset, count: query.count },
        schema: JuspayCustomerListSchema,
      });
      return response.data;
    },
  };
}
