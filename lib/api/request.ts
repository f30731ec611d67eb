/**
 * Request parsing for API handlers: query, path and JSON body validated with zod, every failure a
 * 4xx problem naming the field. Nothing here can turn bad input into a 5xx.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type FieldProblem, fieldProblems, HttpProblem } from './problem.ts';

/** Largest JSON body accepted, in bytes (API Gateway would take up to 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The parts of an HTTP request body parsing needs (an API Gateway event has them). */
export interface RawBodyRequest {
  headers: Record<string, string | undefined> | null;
  body: string | null;
  isBase64Encoded?: boolean;
}

/** Header lookup ignoring case: API Gateway keeps the client's casing. */
export function header(event: Pick<RawBodyRequest, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The query as single values; a parameter sent twice is ambiguous, so it is rejected. */
function singleValuedQuery(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>,
): { values: Record<string, string>; repeated: string[] } {
  // A Map, not an object literal: a parameter named `__proto__` must stay a (rejected) parameter, not
  // vanish into the prototype and leave the rest of the query looking valid.
  const values = new Map<string, string>();
  const repeated: string[] = [];
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [key, list] of Object.entries(multi)) {
      if (!list) continue;
      if (list.length > 1) repeated.push(key);
      const last = list.at(-1);
      if (last !== undefined) values.set(key, last);
    }
  }
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !values.has(key)) values.set(key, value);
  }
  return { values: Object.fromEntries(values), repeated };
}

/**
 * Parses the query with an object schema. Unknown parameters are named one by one (a typo such as
 * `?refrence=` must not silently list every customer), as are repeated ones.
 */
export function parseQuery<S extends z.ZodMiniObject>(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>,
  schema: S,
): z.infer<S> {
  const { values, repeated } = singleValuedQuery(event);
  const known = new Set(Object.keys(schema.shape));
  const errors: FieldProblem[] = [];
  for (const key of Object.keys(values)) {
    if (!known.has(key)) errors.push({ field: `query.${key}`, message: 'unknown query parameter' });
  }
  for (const key of repeated) {
    if (known.has(key)) errors.push({ field: `query.${key}`, message: 'must be given at most once' });
  }
  const result = schema.safeParse(values);
  if (!result.success) errors.push(...fieldProblems('query', result.error));
  if (errors.length > 0 || !result.success) {
    throw new HttpProblem(400, 'The query string is invalid.', { errors });
  }
  return result.data;
}

export function parsePath<S extends z.ZodMiniType>(params: Record<string, string>, schema: S): z.infer<S> {
  const result = schema.safeParse(params);
  if (!result.success) {
    throw new HttpProblem(400, 'A path parameter is invalid.', {
      errors: fieldProblems('path', result.error),
    });
  }
  return result.data;
}

/**
 * Reads a JSON body: 415 unless `Content-Type` is JSON, 413 above `maxBytes`, 400 for a missing or
 * malformed document, then 400 naming each invalid field.
 */
export function parseJsonBody<S extends z.ZodMiniType>(
  event: RawBodyRequest,
  schema: S,
  options: { maxBytes?: number } = {},
): z.infer<S> {
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.match(/^application\/[a-z0-9.+-]+\+json$/)) {
    throw new HttpProblem(415, 'The body must be sent as application/json.', {
      errors: [{ field: 'header.content-type', message: 'must be application/json' }],
      headers: { 'accept-post': 'application/json' },
    });
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  if (bytes.byteLength > maxBytes) {
    throw new HttpProblem(413, `The body must be at most ${maxBytes} bytes.`, {
      errors: [{ field: 'body', message: `larger than ${maxBytes} bytes` }],
    });
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    throw new HttpProblem(400, 'A JSON body is required.', {
      errors: [{ field: 'body', message: 'required' }],
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which may hold personal data: say only where it broke.
    throw new HttpProblem(400, 'The body is not valid JSON.', {
      errors: [{ field: 'body', message: 'malformed JSON' }],
    });
  }
  const result = schema.safeParse(document);
  if (!result.success) {
    throw new HttpProblem(400, 'The body is invalid.', { errors: fieldProblems('body', result.error) });
  }
  return result.data;
}
