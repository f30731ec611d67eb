/**
 * The read API as a plain function of an API Gateway (REST, v1) event: routing, validation, store calls
 * and response shaping. The Lambda handler only adds middy/Powertools around it; tests and the local
 * gateway call the same function.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isStoreConflictError, isStoreCursorError, isStoreNotFoundError } from '../store/errors.ts';
import type { CustomerStoreApi, ProviderLink } from '../store/types.ts';
import type { SyncQueue } from '../sync/queue.ts';
import { openApiDocument } from './openapi.ts';
import {
  type FieldProblem,
  HttpProblem,
  jsonResponse,
  problemResponse,
  toProblemResponse,
} from './problem.ts';
import { parseJsonBody, parsePath, parseQuery } from './request.ts';
import { matchRoute } from './routes.ts';
import {
  CustomerPageViewSchema,
  CustomerPathSchema,
  DEFAULT_PAGE_SIZE,
  HistoryPageViewSchema,
  HistoryQuerySchema,
  LinkRequestSchema,
  LinkResultViewSchema,
  ListCustomersQuerySchema,
  NoQuerySchema,
} from './schemas.ts';
import {
  customerView,
  decodeCursor,
  encodeCursor,
  historyEntryView,
  linkView,
  profileView,
} from './views.ts';

export interface ReadApiLogger {
  error(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface ReadApiDependencies {
  store: CustomerStoreApi;
  /** When given, a new link is fetched right away; without it the next scheduled run fetches it. */
  queue?: SyncQueue | undefined;
  now?: () => Date;
  logger?: ReadApiLogger;
}

export type ReadApi = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Customer data is per request and personal: no shared caches. */
const NO_STORE = { 'cache-control': 'no-store' };

export function createReadApi(dependencies: ReadApiDependencies): ReadApi {
  const { store, queue } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  async function getCustomer(params: Record<string, string>): Promise<APIGatewayProxyResult> {
    const { id } = parsePath(params, CustomerPathSchema);
    const record = await store.getCustomer(id);
    if (!record) throw new HttpProblem(404, 'No customer with this id.');
    return jsonResponse(200, customerView(record), NO_STORE);
  }

  async function listCustomers(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const query = parseQuery(event, ListCustomersQuerySchema);
    const lookups = (['reference', 'email', 'provider'] as const).filter((key) => query[key] !== undefined);
    if (query.providerCustomerId !== undefined && query.provider === undefined) lookups.push('provider');
    const errors: FieldProblem[] = [];
    if (lookups.length > 1) {
      for (const key of lookups) {
        errors.push({
          field: `query.${key}`,
          message: 'only one lookup (reference, email, or provider + providerCustomerId) per request',
        });
      }
    }
    if (query.provider !== undefined && query.providerCustomerId === undefined) {
      errors.push({ field: 'query.providerCustomerId', message: 'required with provider' });
    }
    if (query.providerCustomerId !== undefined && query.provider === undefined) {
      errors.push({ field: 'query.provider', message: 'required with providerCustomerId' });
    }
    if (lookups.length > 0) {
      for (const key of ['limit', 'cursor'] as const) {
        if (query[key] !== undefined) {
          errors.push({ field: `query.${key}`, message: 'only for listing, not with a lookup' });
        }
      }
    }
    if (errors.length > 0) throw new HttpProblem(400, 'The query string is invalid.', { errors });

    if (query.reference !== undefined) {
      const profile = await store.findByReference(query.reference);
      return page(profile ? [profile] : []);
    }
    if (query.email !== undefined) {
      return page(await store.findByEmail(query.email.toLowerCase()));
    }
    if (query.provider !== undefined && query.providerCustomerId !== undefined) {
      const link = await store.findByProviderId(query.provider, query.providerCustomerId);
      const record = link ? await store.getCustomer(link.customerId) : null;
      return page(record ? [record.profile] : []);
    }
    const scope = 'customers';
    const cursor = decodeCursor(scope, query.cursor);
    const result = await store.listCustomers({
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    return page(result.items, encodeCursor(scope, result.cursor));

    function page(items: Parameters<typeof profileView>[0][], next: string | null = null) {
      return jsonResponse(
        200,
        CustomerPageViewSchema.parse({ items: items.map(profileView), cursor: next }),
        NO_STORE,
      );
    }
  }

  async function getHistory(
    event: APIGatewayProxyEvent,
    params: Record<string, string>,
  ): Promise<APIGatewayProxyResult> {
    const { id } = parsePath(params, CustomerPathSchema);
    const query = parseQuery(event, HistoryQuerySchema);
    const scope = `history:${id}:${query.provider}`;
    const cursor = decodeCursor(scope, query.cursor);
    if (!(await store.getCustomer(id))) throw new HttpProblem(404, 'No customer with this id.');
    const result = await store.getHistory({
      customerId: id,
      provider: query.provider,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    return jsonResponse(
      200,
      HistoryPageViewSchema.parse({
        items: result.items.map(historyEntryView),
        cursor: encodeCursor(scope, result.cursor),
      }),
      NO_STORE,
    );
  }

  async function link(
    event: APIGatewayProxyEvent,
    params: Record<string, string>,
  ): Promise<APIGatewayProxyResult> {
    const { id } = parsePath(params, CustomerPathSchema);
    const body = parseJsonBody(event, LinkRequestSchema);
    const record = await store.getCustomer(id);
    if (!record) throw new HttpProblem(404, 'No customer with this id.');

    const current = record.links.find((existing) => existing.provider === body.provider);
    const sync = () => record.syncStates.find((state) => state.provider === body.provider);
    if (current?.providerCustomerId === body.providerCustomerId) {
      return linkResult(200, current, false, sync());
    }
    // A pending link (create not finished) has no id yet: linking completes it.
    if (current && current.providerCustomerId !== null) {
      throw new HttpProblem(409, 'The customer is already linked to a different customer at this provider.', {
        errors: [{ field: 'body.provider', message: 'already linked for this customer' }],
      });
    }
    const holder = await store.findByProviderId(body.provider, body.providerCustomerId);
    if (holder && holder.customerId !== id) {
      throw new HttpProblem(409, 'This provider customer is linked to another customer.', {
        errors: [{ field: 'body.providerCustomerId', message: 'linked to another customer' }],
      });
    }

    const stored = await store.linkProvider({
      customerId: id,
      provider: body.provider,
      providerCustomerId: body.providerCustomerId,
      now: now().toISOString(),
    });
    let queued = false;
    if (queue) {
      try {
        await queue.send([{ customerId: id, provider: body.provider, reason: 'manual' }]);
        queued = true;
      } catch (error) {
        // The link is stored and due: the scheduler fetches it on its next run anyway.
        dependencies.logger?.warn('manual sync not queued', { provider: body.provider, error });
      }
    }
    return linkResult(201, stored, queued, undefined, { location: `/customers/${id}` });
  }

  function linkResult(
    status: number,
    stored: ProviderLink,
    queued: boolean,
    sync: Parameters<typeof linkView>[1],
    headers: Record<string, string> = {},
  ): APIGatewayProxyResult {
    return jsonResponse(
      status,
      LinkResultViewSchema.parse({
        customerId: stored.customerId,
        link: linkView(stored, sync),
        syncQueued: queued,
      }),
      { ...NO_STORE, ...headers },
    );
  }

  return async function readApi(event) {
    const match = matchRoute(event.httpMethod ?? '', event.path ?? '');
    try {
      if (match.kind === 'method-not-allowed') {
        return problemResponse(405, `Use ${match.allow.join(', ')} on this path.`, undefined, {
          allow: match.allow.join(', '),
        });
      }
      if (match.kind === 'not-found' || match.route.function !== 'read-api') {
        return problemResponse(404, 'No such route.');
      }
      switch (match.route.operationId) {
        case 'listCustomers':
          return await listCustomers(event);
        case 'getCustomer':
          // Strict like every route: a query string here is a mistake worth reporting.
          parseQuery(event, NoQuerySchema);
          return await getCustomer(match.params);
        case 'getCustomerHistory':
          return await getHistory(event, match.params);
        case 'linkProviderCustomer':
          parseQuery(event, NoQuerySchema);
          return await link(event, match.params);
        case 'getOpenApiDocument':
          parseQuery(event, NoQuerySchema);
          return jsonResponse(200, openApiDocument());
        default:
          return problemResponse(404, 'No such route.');
      }
    } catch (error) {
      if (error instanceof HttpProblem) return toProblemResponse(error);
      if (isStoreCursorError(error)) {
        return problemResponse(400, 'The cursor is invalid for this listing.', [
          { field: 'query.cursor', message: 'must be a cursor returned by this listing' },
        ]);
      }
      if (isStoreConflictError(error)) {
        const field = error.reason === 'provider-id-linked' ? 'body.providerCustomerId' : 'body.provider';
        return problemResponse(409, 'The link conflicts with an existing one.', [
          { field, message: error.reason },
        ]);
      }
      if (isStoreNotFoundError(error)) return problemResponse(404, 'No customer with this id.');
      dependencies.logger?.error('read-api request failed', {
        operation: match.kind === 'match' ? match.route.operationId : match.kind,
        error,
      });
      return toProblemResponse(error);
    }
  };
}
