/**
 * A local API Gateway (REST API, v1 proxy integration): turns HTTP requests into
 * `APIGatewayProxyEvent`s for the same handler modules the Lambdas run, and their results back into
 * HTTP responses. Like API Gateway it checks `x-api-key` before any function runs (webhook routes
 * excepted), caps bodies at 10 MB and integration time at 29 s.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { problemBody } from '../api/problem.ts';
import { type ApiFunctionName, matchRoute } from '../api/routes.ts';
import { createLambdaContext, type LocalHandler } from './lambda.ts';

export type ProxyHandler = LocalHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;

export interface GatewayRequestLog {
  method: string;
  path: string;
  function: ApiFunctionName | null;
  status: number;
  ms: number;
}

export interface GatewayOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  apiKey: string;
  handlers: Record<ApiFunctionName, ProxyHandler>;
  stage?: string;
  /** API Gateway's payload limit. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout. */
  timeoutMs?: number;
  onRequest?: (entry: GatewayRequestLog) => void;
}

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const TEN_MB = 10 * 1024 * 1024;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'local';
  const maxBodyBytes = options.maxBodyBytes ?? TEN_MB;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const expectedKey = Buffer.from(options.apiKey, 'utf8');

  const keyMatches = (sent: string | undefined) => {
    if (sent === undefined) return false;
    const given = Buffer.from(sent, 'utf8');
    return given.length === expectedKey.length && timingSafeEqual(given, expectedKey);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    // Appended to a fixed origin, not resolved against it: `//x` is a path, not a URL whose host is x.
    const url = new URL(`http://local${target.startsWith('/') ? '' : '/'}${target}`);
    const path = url.pathname;
    let fn: ApiFunctionName | null = null;
    const reply = (result: APIGatewayProxyResult) => {
      writeResult(response, result);
      options.onRequest?.({
        method,
        path,
        function: fn,
        status: result.statusCode,
        ms: Date.now() - started,
      });
    };

    const match = matchRoute(method, path);
    // A wrong method on a webhook path is a 405, not a 403: those paths take no key at all.
    const webhookPath = matchRoute('POST', path);
    const needsKey =
      match.kind === 'match'
        ? match.route.auth === 'api-key'
        : !(webhookPath.kind === 'match' && webhookPath.route.auth === 'none');
    if (needsKey && !keyMatches(headerValue(request, 'x-api-key'))) {
      request.resume();
      reply(forbidden());
      return;
    }

    const body = await readBody(request, maxBodyBytes);
    if (body === 'too-large') {
      reply(problem(413, `Request bodies are limited to ${maxBodyBytes} bytes.`));
      return;
    }

    // Unknown paths and methods go to the read API, which answers them with 404/405 problems.
    fn = match.kind === 'match' ? match.route.function : 'read-api';
    const handler = options.handlers[fn];
    const event = toEvent(request, url, body, {
      stage,
      resource: match.kind === 'match' ? match.route.path : path,
      pathParameters: match.kind === 'match' ? match.params : null,
      apiKey: needsKey ? options.apiKey : null,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        handler(event, createLambdaContext(`customer-sync-local-${fn}`, timeoutMs)),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]);
      reply(result === 'timeout' ? problem(504, 'The function did not answer in time.') : result);
    } catch {
      // What API Gateway answers when the integration fails; the function's own logs say why.
      reply(problem(502, 'Internal server error'));
    } finally {
      clearTimeout(timer);
    }
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) writeResult(response, problem(502, 'Internal server error'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.at(-1) : value;
}

function problem(status: number, detail: string): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(problemBody(status, detail)),
  };
}

/** API Gateway's answer to a missing or wrong key (`{"message":"Forbidden"}`), as a problem document too. */
function forbidden(): APIGatewayProxyResult {
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/problem+json', 'x-amzn-errortype': 'ForbiddenException' },
    body: JSON.stringify({
      ...problemBody(403, 'A valid x-api-key header is required.'),
      message: 'Forbidden',
    }),
  };
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | null | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > maxBytes) {
      request.resume();
      return 'too-large';
    }
    chunks.push(buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

/** API Gateway decodes `%xx` but leaves `+` alone in query values. */
function decodeQueryPart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  body: string | null,
  route: {
    stage: string;
    resource: string;
    pathParameters: Record<string, string> | null;
    apiKey: string | null;
  },
): APIGatewayProxyEvent {
  // Maps, not object literals: a header or parameter named `constructor` or `__proto__` is just a name
  // (API Gateway passes it through); on a plain object it would read or replace the prototype.
  const headerMap = new Map<string, string>();
  const multiHeaderMap = new Map<string, string[]>();
  // rawHeaders keeps the client's casing, as API Gateway does.
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headerMap.set(name, value);
    multiHeaderMap.set(name, [...(multiHeaderMap.get(name) ?? []), value]);
  }
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const multiValueHeaders: Record<string, string[]> = Object.fromEntries(multiHeaderMap);
  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  const search = url.search.replace(/^\?/, '');
  if (search !== '') {
    const queryMap = new Map<string, string>();
    const multiQueryMap = new Map<string, string[]>();
    for (const part of search.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decodeQueryPart(part.slice(eq + 1));
      queryMap.set(key, value);
      multiQueryMap.set(key, [...(multiQueryMap.get(key) ?? []), value]);
    }
    query = Object.fromEntries(queryMap);
    multiQuery = Object.fromEntries(multiQueryMap);
  }
  const now = Date.now();
  const requestId = randomUUID();
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: route.pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: request.method ?? 'GET',
      path: `/${route.stage}${url.pathname}`,
      stage: route.stage,
      requestId,
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: route.resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: route.apiKey,
        apiKeyId: route.apiKey === null ? null : 'local',
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headerValue(request, 'user-agent') ?? null,
        userArn: null,
      },
    },
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  headers['content-length'] = String(body.byteLength);
  headers['x-amzn-requestid'] ??= randomUUID();
  response.writeHead(result.statusCode, headers);
  response.end(body);
}
