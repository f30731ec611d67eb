/**
 * The provider-independent half of every sandbox: one `node:http` server per provider with a
 * request pipeline that adds what real providers do to us (faults, rate limits, idempotent replays)
 * around the provider's own handlers, a `/__control` API to steer it from tests, and request stats.
 *
 * Pipeline for a provider request, in order:
 *   route match → stats → body (size-limited) → global rate limit → injected fault → auth →
 *   idempotency claim (Mollie create) → latency → handler → idempotency store → corrupting fault → send.
 * `reset` and `hang` faults act before the handler (nothing is created); `malformed-json` and
 * `schema-violation` corrupt the handler's answer after it ran, so a create did happen: the case of a
 * provider that succeeded while the client could not read the answer.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { ProviderName } from '../lib/customer/snapshot.ts';
import { headerValue, isRecord, parseJson, type WireRecord } from './support.ts';

export const ROUTE_NAMES = ['get', 'create', 'list', 'login', 'refresh'] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

export const FAULT_KINDS = [
  'latency',
  'error',
  'hang',
  'reset',
  'malformed-json',
  'schema-violation',
  'unauthorized',
  'rate-limit',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FaultSpecSchema = z.strictObject({
  route: z.enum([...ROUTE_NAMES, '*']),
  kind: z.enum(FAULT_KINDS),
  /** How many matching requests it hits; absent: until `DELETE /__control/faults`. */
  times: z.number().int().positive().optional(),
  /** `error` only; default 500. */
  status: z.number().int().min(400).max(599).optional(),
  /** `latency` only; default 1000. */
  ms: z.number().int().nonnegative().max(600_000).optional(),
  /** `rate-limit` only; default 1. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type ActiveFault = FaultSpec & { id: string; remaining: number | null };

export const RateLimitSpecSchema = z.strictObject({
  requestsPerSecond: z.number().positive().nullable(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type RateLimitSpec = z.infer<typeof RateLimitSpecSchema>;

export interface SandboxStats {
  /** Provider requests per route name (`other` for unknown paths); control calls are not counted. */
  requests: Record<string, number>;
  /** Provider responses per HTTP status. Hung and reset requests have none. */
  statuses: Record<string, number>;
  /** Customers created through the provider API (idempotent replays excluded). */
  created: number;
  /** Live customers in the sandbox now. */
  customers: number;
}

export interface SandboxRequest {
  readonly method: string;
  readonly pathname: string;
  /** Named groups of the route pattern, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly origin: string;
}

export interface SandboxResponse {
  status: number;
  /** JSON-serialized; absent for an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteDefinition {
  method: string;
  pattern: RegExp;
  route: RouteName;
  /** Whether the provider's credentials are checked before the handler runs. */
  auth: boolean;
  handle(request: SandboxRequest): SandboxResponse | Promise<SandboxResponse>;
}

/** Opt-in Idempotency-Key handling (Mollie), done here so it can see requests still in flight. */
export interface IdempotencyRules {
  /** Lower-case header name. */
  header: string;
  routes: readonly RouteName[];
  ttlMs: number;
  /** Same key, different request. */
  mismatch(): SandboxResponse;
  /** Same key while the first request has not answered yet. */
  inFlight(): SandboxResponse;
  /** Header added to replayed answers. */
  replayedHeader: readonly [string, string];
}

/** What a provider file supplies: its routes, error shapes and state, all in its own wire format. */
export interface ProviderBackend {
  readonly provider: ProviderName;
  readonly contentType: string;
  readonly routes: readonly RouteDefinition[];
  readonly idempotency?: IdempotencyRules;
  /** null when the request carries valid credentials, else the provider's 401. */
  authenticate(request: SandboxRequest): SandboxResponse | null;
  /** The provider's error for a status (injected faults, rate limits, unknown routes, oversize bodies). */
  errorResponse(status: number): SandboxResponse;
  /** A 200 body that breaks the provider's wire schema (wrong type or missing id). */
  violateSchema(route: RouteName, body: unknown): unknown;
  insertCustomer(wire: WireRecord): WireRecord;
  patchCustomer(id: string, fields: WireRecord): WireRecord | null;
  deleteCustomer(id: string): boolean;
  getCustomer(id: string): WireRecord | null;
  listCustomers(): WireRecord[];
  rotateCredentials(): Record<string, string>;
  /** Delos: invalidates every issued access token; others have none and return 0. */
  expireTokens(): number;
  /** Back to the state right after start: seed data, original credentials, no tokens. */
  reset(): void;
  counts(): { created: number; customers: number };
  /** Customer webhooks, for the providers that send them (Delos only). */
  webhooks?: WebhookSender;
}

export interface WebhookDelivery {
  hookId: string;
  /** HTTP status the receiver answered, or null when it could not be reached. */
  status: number | null;
  error?: string;
}

export interface WebhookSender {
  setTarget(url: string | null): void;
  state(): { url: string | null; deliveries: WebhookDelivery[] };
  /** Resolves once every delivery started so far has finished. */
  settle(): Promise<void>;
}

export const WebhookTargetSchema = z.strictObject({ url: z.url().nullable() });

export interface SandboxServerOptions {
  /** 0 (default): a free port chosen by the OS. */
  port?: number;
  host?: string;
  /** Request bodies above this get the provider's 413; default 1 MiB. */
  bodyLimitBytes?: number;
}

export interface SandboxServer {
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Refills `rate` tokens per second up to a burst of `rate` (at least 1). */
class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  #tokens: number;
  #last: number;

  constructor(rate: number) {
    this.#rate = rate;
    this.#capacity = Math.max(1, rate);
    this.#tokens = this.#capacity;
    this.#last = performance.now();
  }

  /** 0 when a token was taken, else the milliseconds until one is available. */
  take(): number {
    const now = performance.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return ((1 - this.#tokens) / this.#rate) * 1000;
  }
}

interface IdempotencyEntry {
  fingerprint: string;
  expiresAt: number;
  response: SandboxResponse | null;
}

class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startSandboxServer(
  createBackend: (origin: () => string) => ProviderBackend,
  options: SandboxServerOptions = {},
): Promise<SandboxServer & { backend: ProviderBackend }> {
  let origin = '';
  const backend = createBackend(() => origin);
  const host = options.host ?? '127.0.0.1';
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const sockets = new Set<Socket>();
  const shutdown = new AbortController();

  let faults: ActiveFault[] = [];
  let bucket: TokenBucket | null = null;
  let rateLimitRetryAfter: number | undefined;
  const idempotency = new Map<string, IdempotencyEntry>();
  const freshStats = () => ({
    requests: Object.fromEntries(backend.routes.map((route) => [route.route, 0])),
    statuses: {},
  });
  let stats: Pick<SandboxStats, 'requests' | 'statuses'> = freshStats();

  const count = (table: Record<string, number>, key: string) => {
    table[key] = (table[key] ?? 0) + 1;
  };

  const send = (res: ServerResponse, response: SandboxResponse, contentType: string, counted: boolean) => {
    if (res.headersSent || res.destroyed) return;
    if (counted) count(stats.statuses, String(response.status));
    const payload = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, {
      ...(payload ? { 'content-type': contentType } : {}),
      'content-length': String(Buffer.byteLength(payload)),
      ...response.headers,
    });
    res.end(payload);
  };

  const sendProvider = (res: ServerResponse, response: SandboxResponse) =>
    send(res, response, backend.contentType, true);

  const withRetryAfter = (response: SandboxResponse, seconds: number): SandboxResponse => ({
    ...response,
    headers: { ...response.headers, 'retry-after': String(seconds) },
  });

  const takeFault = (route: RouteName): ActiveFault | undefined => {
    const fault = faults.find((candidate) => candidate.route === route || candidate.route === '*');
    if (!fault) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault);
    }
    return fault;
  };

  const findRoute = (method: string, pathname: string) => {
    for (const definition of backend.routes) {
      if (definition.method !== method) continue;
      const match = definition.pattern.exec(pathname);
      if (!match) continue;
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(match.groups ?? {})) {
        try {
          params[key] = decodeURIComponent(value);
        } catch {
          params[key] = value;
        }
      }
      return { definition, params };
    }
    return null;
  };

  async function handleProvider(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const found = findRoute(method, url.pathname);
    count(stats.requests, found?.definition.route ?? 'other');

    const body = await readBody(req, bodyLimit);
    if (body === null) return sendProvider(res, backend.errorResponse(413));

    if (bucket) {
      const waitMs = bucket.take();
      if (waitMs > 0) {
        const seconds = rateLimitRetryAfter ?? Math.max(1, Math.ceil(waitMs / 1000));
        return sendProvider(res, withRetryAfter(backend.errorResponse(429), seconds));
      }
    }
    if (!found) return sendProvider(res, backend.errorResponse(404));
    const { definition, params } = found;

    const fault = takeFault(definition.route);
    switch (fault?.kind) {
      case 'hang':
        // Never answer: the socket stays open until the client gives up or stop() destroys it.
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'unauthorized':
        return sendProvider(res, backend.errorResponse(401));
      case 'rate-limit':
        return sendProvider(res, withRetryAfter(backend.errorResponse(429), fault.retryAfterSeconds ?? 1));
      case 'error':
        return sendProvider(res, backend.errorResponse(fault.status ?? 500));
      default:
        break;
    }

    const request: SandboxRequest = {
      method,
      pathname: url.pathname,
      params,
      query: url.searchParams,
      headers: req.headers,
      body,
      origin,
    };
    if (definition.auth) {
      const denied = backend.authenticate(request);
      if (denied) return sendProvider(res, denied);
    }

    const rules = backend.idempotency;
    const key =
      rules?.routes.includes(definition.route) === true ? headerValue(req.headers[rules.header]) : undefined;
    let claimed: IdempotencyEntry | null = null;
    if (rules && key) {
      const fingerprint = createHash('sha256')
        .update(`${method} ${url.pathname}\n`)
        .update(body)
        .digest('hex');
      const existing = idempotency.get(key);
      if (existing && existing.expiresAt > Date.now()) {
        if (existing.fingerprint !== fingerprint) return sendProvider(res, rules.mismatch());
        if (!existing.response) return sendProvider(res, rules.inFlight());
        const [name, value] = rules.replayedHeader;
        return sendProvider(res, {
          ...existing.response,
          headers: { ...existing.response.headers, [name]: value },
        });
      }
      claimed = { fingerprint, expiresAt: Date.now() + rules.ttlMs, response: null };
      idempotency.set(key, claimed);
    }

    let response: SandboxResponse;
    try {
      if (fault?.kind === 'latency') await sleep(fault.ms ?? 1000, undefined, { signal: shutdown.signal });
      response = await definition.handle(request);
    } catch (error) {
      if (key && claimed) idempotency.delete(key);
      if (shutdown.signal.aborted) return;
      throw error;
    }
    if (key && claimed) {
      // Provider failures are not replayed: a retry with the same key gets a fresh attempt.
      if (response.status >= 500) idempotency.delete(key);
      else claimed.response = response;
    }

    if (fault?.kind === 'malformed-json') {
      const text = response.body === undefined ? '{"' : JSON.stringify(response.body);
      const truncated = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      count(stats.statuses, '200');
      res.writeHead(200, {
        'content-type': backend.contentType,
        'content-length': String(Buffer.byteLength(truncated)),
      });
      res.end(truncated);
      return;
    }
    if (fault?.kind === 'schema-violation') {
      response = { status: 200, body: backend.violateSchema(definition.route, response.body) };
    }
    sendProvider(res, response);
  }

  const controlJson = (res: ServerResponse, status: number, body?: unknown) =>
    send(res, body === undefined ? { status } : { status, body }, 'application/json; charset=utf-8', false);

  const statsNow = (): SandboxStats => ({
    requests: { ...stats.requests },
    statuses: { ...stats.statuses },
    ...backend.counts(),
  });

  const controlBody = (body: Buffer): unknown => {
    if (body.length === 0) return {};
    const parsed = parseJson(body);
    if (!parsed.ok) throw new ControlError(400, 'body must be JSON');
    return parsed.value;
  };

  const controlRecord = (body: Buffer): WireRecord => {
    const value = controlBody(body);
    if (!isRecord(value)) throw new ControlError(400, 'body must be a JSON object');
    return value;
  };

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/__control/, '') || '/';
    const body = await readBody(req, bodyLimit);
    if (body === null) return controlJson(res, 413, { error: 'body too large' });
    const customerPath = /^\/customers\/(?<id>[^/]+)$/.exec(path);
    const customerId = customerPath?.groups?.id ? decodeURIComponent(customerPath.groups.id) : null;

    if (path === '/stats' && method === 'GET') return controlJson(res, 200, statsNow());
    if (path === '/customers' && method === 'GET') return controlJson(res, 200, backend.listCustomers());
    if (path === '/customers' && method === 'POST') {
      const customer = backend.insertCustomer(controlRecord(body));
      await backend.webhooks?.settle();
      return controlJson(res, 201, customer);
    }
    if (customerId !== null && method === 'GET') {
      const customer = backend.getCustomer(customerId);
      return customer
        ? controlJson(res, 200, customer)
        : controlJson(res, 404, { error: 'no such customer' });
    }
    if (customerId !== null && method === 'PATCH') {
      const customer = backend.patchCustomer(customerId, controlRecord(body));
      await backend.webhooks?.settle();
      return customer
        ? controlJson(res, 200, customer)
        : controlJson(res, 404, { error: 'no such customer' });
    }
    if (customerId !== null && method === 'DELETE') {
      return backend.deleteCustomer(customerId)
        ? controlJson(res, 204)
        : controlJson(res, 404, { error: 'no such customer' });
    }
    if (path === '/webhook' && (method === 'GET' || method === 'PUT')) {
      const webhooks = backend.webhooks;
      if (!webhooks)
        return controlJson(res, 404, { error: `${backend.provider} sends no customer webhooks` });
      if (method === 'PUT') {
        const spec = WebhookTargetSchema.safeParse(controlBody(body));
        if (!spec.success) throw new ControlError(400, z.prettifyError(spec.error));
        webhooks.setTarget(spec.data.url);
      } else {
        await webhooks.settle();
      }
      return controlJson(res, 200, webhooks.state());
    }
    if (path === '/faults' && method === 'GET') return controlJson(res, 200, faults);
    if (path === '/faults' && method === 'POST') {
      const spec = FaultSpecSchema.safeParse(controlBody(body));
      if (!spec.success) throw new ControlError(400, z.prettifyError(spec.error));
      const fault: ActiveFault = { ...spec.data, id: randomUUID(), remaining: spec.data.times ?? null };
      faults.push(fault);
      return controlJson(res, 201, fault);
    }
    if (path === '/faults' && method === 'DELETE') {
      faults = [];
      return controlJson(res, 204);
    }
    if (path === '/rate-limit' && method === 'PUT') {
      const spec = RateLimitSpecSchema.safeParse(controlBody(body));
      if (!spec.success) throw new ControlError(400, z.prettifyError(spec.error));
      bucket = spec.data.requestsPerSecond === null ? null : new TokenBucket(spec.data.requestsPerSecond);
      rateLimitRetryAfter = spec.data.retryAfterSeconds;
      return controlJson(res, 200, spec.data);
    }
    if (path === '/rotate-credentials' && method === 'POST') {
      return controlJson(res, 200, backend.rotateCredentials());
    }
    if (path === '/expire-tokens' && method === 'POST') {
      return controlJson(res, 200, { expired: backend.expireTokens() });
    }
    if (path === '/reset' && method === 'POST') {
      backend.reset();
      faults = [];
      bucket = null;
      rateLimitRetryAfter = undefined;
      idempotency.clear();
      stats = freshStats();
      return controlJson(res, 204);
    }
    return controlJson(res, 404, { error: `unknown control route ${method} ${url.pathname}` });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin || 'http://localhost');
    const isControl = url.pathname === '/__control' || url.pathname.startsWith('/__control/');
    const work = isControl ? handleControl(req, res, url) : handleProvider(req, res, url);
    work.catch((error: unknown) => {
      if (isControl) {
        const status = error instanceof ControlError ? error.status : 500;
        const message = error instanceof Error ? error.message : 'control failure';
        return controlJson(res, status, { error: message });
      }
      sendProvider(res, backend.errorResponse(500));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopped: Promise<void> | null = null;
  return {
    backend,
    origin,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        // Hanging and keep-alive connections would hold close() open: end them now.
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** Resolves the body, or null when it exceeds `limit` (the rest is drained and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** `title` for problem bodies and fallbacks: the standard reason phrase. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
