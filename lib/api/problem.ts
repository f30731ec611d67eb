/**
 * RFC 9457 problem details: every API error leaves as `application/problem+json`, naming the bad
 * fields. Only problems below 500 carry their detail; a 500 says nothing about internals.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod/mini';
import '../customer/zod-locale.ts';

export interface FieldProblem {
  /** Dotted path of the field: `body.email`, `query.limit`, `header.idempotency-key`, `providers.juspay.reference`. */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An error a handler throws to answer with a problem; anything else becomes a bare 500. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    detail: string,
    options: { errors?: FieldProblem[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.status = status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

/** Turns zod issues into field problems under a prefix (`body`, `query`, `path`). */
export function fieldProblems(prefix: string, error: z.core.$ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

export function problemBody(status: number, detail?: string, errors?: FieldProblem[]): Problem {
  const title = TITLES[status] ?? (status < 500 ? 'Client Error' : 'Server Error');
  return {
    type: status >= 500 ? 'about:blank' : `https://customer-sync.dev/problems/${status}`,
    title,
    status,
    ...(detail !== undefined && status < 500 ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function problemResponse(
  status: number,
  detail?: string,
  errors?: FieldProblem[],
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(problemBody(status, detail, errors)),
  };
}

/** Maps anything thrown by a handler to a problem response; unknown errors become an opaque 500. */
export function toProblemResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HttpProblem) {
    return problemResponse(error.status, error.message, error.errors, error.headers);
  }
  return problemResponse(500);
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
