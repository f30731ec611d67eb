/**
 * Every HTTP route of the product and the function that serves it. The read API's router, the OpenAPI
 * document and the local gateway all read this one table, so a route cannot exist in one and be
 * missing from another.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type ApiFunctionName = 'read-api' | 'create-customer' | 'provider-webhook';

export interface ApiRoute {
  method: HttpMethod;
  /** API Gateway resource template, e.g. `/customers/{id}`. */
  path: string;
  function: ApiFunctionName;
  /** `api-key`: API Gateway checks `x-api-key` before the function runs. Webhooks verify themselves. */
  auth: 'api-key' | 'none';
  operationId: string;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/customers', function: 'read-api', auth: 'api-key', operationId: 'listCustomers' },
  {
    method: 'POST',
    path: '/customers',
    function: 'create-customer',
    auth: 'api-key',
    operationId: 'createCustomer',
  },
  {
    method: 'GET',
    path: '/customers/{id}',
    function: 'read-api',
    auth: 'api-key',
    operationId: 'getCustomer',
  },
  {
    method: 'GET',
    path: '/customers/{id}/history',
    function: 'read-api',
    auth: 'api-key',
    operationId: 'getCustomerHistory',
  },
  {
    method: 'POST',
    path: '/customers/{id}/links',
    function: 'read-api',
    auth: 'api-key',
    operationId: 'linkProviderCustomer',
  },
  {
    method: 'GET',
    path: '/openapi.json',
    function: 'read-api',
    auth: 'api-key',
    operationId: 'getOpenApiDocument',
  },
  {
    method: 'POST',
    path: '/webhooks/{provider}',
    function: 'provider-webhook',
    auth: 'none',
    operationId: 'receiveProviderWebhook',
  },
];

export type RouteMatch =
  | { kind: 'match'; route: ApiRoute; params: Record<string, string> }
  /** The path exists but not with this method: 405 with `Allow`. */
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

const compiled = new Map<string, RegExp>();

function templatePattern(template: string): RegExp {
  let pattern = compiled.get(template);
  if (!pattern) {
    const source = template
      .split('/')
      .map((segment) => {
        const param = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(segment);
        return param ? `(?<${param[1]}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    pattern = new RegExp(`^${source}/?$`);
    compiled.set(template, pattern);
  }
  return pattern;
}

/** Matches a concrete path (`/customers/01J…/history`) against the table; path parameters are decoded. */
export function matchRoute(
  method: string,
  path: string,
  routes: readonly ApiRoute[] = API_ROUTES,
): RouteMatch {
  const allow: HttpMethod[] = [];
  for (const route of routes) {
    const found = templatePattern(route.path).exec(path);
    if (!found) continue;
    if (route.method === method.toUpperCase()) {
      const params: Record<string, string> = {};
      for (const [name, raw] of Object.entries(found.groups ?? {})) {
        params[name] = safeDecode(raw);
      }
      return { kind: 'match', route, params };
    }
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape stays as sent; validation of the parameter then rejects it with a 400.
    return raw;
  }
}
