/** Delos v2 customer endpoints over the shared HTTP client: JWT bearer from the token manager, JSON. */
import type { DelosConfig } from '../../config/providers.ts';
import { createProviderHttp, type ProviderHttp } from '../../http/provider-http.ts';
import type { AdapterDeps } from '../shared.ts';
import { createDelosTokenManager, type DelosTokenManager } from './auth.ts';
import { mapDelosError } from './errors.ts';
import {
  type DelosCreateCustomerRequest,
  type DelosCustomer,
  DelosCustomerEnvelopeSchema,
  type DelosCustomerList,
  DelosCustomerListSchema,
} from './wire.ts';

export interface DelosListQuery {
  page: number;
  pageSize: number;
  customerId?: string;
  customerName?: string;
  fromCreateAt?: string;
}

export interface DelosClient {
  readonly http: ProviderHttp;
  readonly tokens: DelosTokenManager;
  getCustomer(id: string): Promise<DelosCustomer>;
  createCustomer(body: DelosCreateCustomerRequest): Promise<DelosCustomer>;
  listCustomers(query: DelosListQuery): Promise<DelosCustomerList>;
}

export function createDelosClient(config: DelosConfig, deps: AdapterDeps = {}): DelosClient {
  let tokens: DelosTokenManager | undefined;
  const http = createProviderHttp(
    {
      provider: 'delos',
      baseUrl: config.baseUrl,
      ...config.http,
      headers: { accept: 'application/json' },
      auth: {
        authorize: (request) => tokenManager().authorize(request),
        onUnauthorized: (request) => tokenManager().onUnauthorized?.(request) ?? false,
      },
      mapError: mapDelosError,
      secrets: () => [config.login.reveal(), config.password.reveal(), ...(tokens?.secrets() ?? [])],
    },
    deps,
  );
  const tokenManager = (): DelosTokenManager => {
    tokens ??= createDelosTokenManager(http, config, {
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
    return tokens;
  };

  return {
    http,
    get tokens() {
      return tokenManager();
    },
    async getCustomer(id) {
      // https://docs.delos.financial/customer/get-customer (the page says POST; the operation is a GET)
      const response = await http.request({
        operation: 'getCustomer',
        path: `v2/customer/${encodeURIComponent(id)}`,
        schema: DelosCustomerEnvelopeSchema,
      });
      return response.data.item;
    },
    async createCustomer(body) {
      // https://docs.delos.financial/customer/add-customer
      // Never retried: Delos has no idempotency, a repeated POST makes a second customer.
      const response = await http.request({
        operation: 'createCustomer',
        method: 'POST',
        path: 'v2/customer',
        json: body,
        schema: DelosCustomerEnvelopeSchema,
        retryable: false,
      });
      return response.data.item;
    },
    async listCustomers(query) {
      // https://docs.delos.financial/customer/list-customers
      const response = await http.request({
        operation: 'listCustomers',
        path: 'v2/customer',
        searchParams: { ...query },
        schema: DelosCustomerListSchema,
      });
      return response.data;
    },
  };
}
