import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { HttpProblem } from '../../../lib/api/problem.ts';
import { header, MAX_BODY_BYTES, parseJsonBody, parseQuery } from '../../../lib/api/request.ts';
import { ListCustomersQuerySchema } from '../../../lib/api/schemas.ts';

type QueryEvent = Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>;
type BodyEvent = Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>;

const query = (values: Record<string, string | string[]>): QueryEvent => ({
  queryStringParameters: Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Array.isArray(value) ? (value.at(-1) ?? '') : value]),
  ),
  multiValueQueryStringParameters: Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Array.isArray(value) ? value : [value]]),
  ),
});

function problemOf(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected an HttpProblem');
}

describe('parseQuery', () => {
  it('parses known parameters and applies their transforms', () => {
    expect(parseQuery(query({ limit: '5', cursor: 'abc' }), ListCustomersQuerySchema)).toEqual({
      limit: 5,
      cursor: 'abc',
    });
  });

  it('names every unknown parameter', () => {
    const problem = problemOf(() => parseQuery(query({ refrence: 'x', foo: '1' }), ListCustomersQuerySchema));
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((error) => error.field).sort()).toEqual(['query.foo', 'query.refrence']);
  });

  it('rejects a parameter given twice', () => {
    const problem = problemOf(() => parseQuery(query({ limit: ['1', '2'] }), ListCustomersQuerySchema));
    expect(problem.errors).toEqual([{ field: 'query.limit', message: 'must be given at most once' }]);
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '', '1e2'])('rejects limit=%p naming the field', (limit) => {
    const problem = problemOf(() => parseQuery(query({ limit }), ListCustomersQuerySchema));
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((error) => error.field)).toContain('query.limit');
  });

  it('accepts an event without any query', () => {
    expect(
      parseQuery(
        { queryStringParameters: null, multiValueQueryStringParameters: null },
        ListCustomersQuerySchema,
      ),
    ).toEqual({});
  });
});

describe('parseJsonBody', () => {
  const schema = z.object({ name: z.string() }).strict();
  const event = (body: string | null, contentType?: string, isBase64Encoded = false): BodyEvent => ({
    headers: contentType === undefined ? {} : { 'Content-Type': contentType },
    body,
    isBase64Encoded,
  });

  it('parses JSON sent with a JSON media type, charset or not', () => {
    expect(parseJsonBody(event('{"name":"a"}', 'application/json; charset=utf-8'), schema)).toEqual({
      name: 'a',
    });
    expect(parseJsonBody(event('{"name":"a"}', 'application/merge-patch+json'), schema)).toEqual({
      name: 'a',
    });
    const encoded = Buffer.from('{"name":"b"}').toString('base64');
    expect(parseJsonBody(event(encoded, 'application/json', true), schema)).toEqual({ name: 'b' });
  });

  it('answers 415 for a missing or non-JSON content type', () => {
    expect(problemOf(() => parseJsonBody(event('{"name":"a"}'), schema)).status).toBe(415);
    expect(
      problemOf(() => parseJsonBody(event('name=a', 'application/x-www-form-urlencoded'), schema)).status,
    ).toBe(415);
  });

  it('answers 413 above 64 KB, measured in bytes', () => {
    const big = JSON.stringify({ name: 'é'.repeat(MAX_BODY_BYTES / 2) });
    expect(problemOf(() => parseJsonBody(event(big, 'application/json'), schema)).status).toBe(413);
  });

  it('answers 400 for an empty body, malformed JSON, and each invalid field', () => {
    expect(problemOf(() => parseJsonBody(event(null, 'application/json'), schema)).errors).toEqual([
      { field: 'body', message: 'required' },
    ]);
    const malformed = problemOf(() =>
      parseJsonBody(event('{"name": "secret@example.com"', 'application/json'), schema),
    );
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.errors)).not.toContain('secret@example.com');
    const invalid = problemOf(() =>
      parseJsonBody(event('{"name":1,"extra":true}', 'application/json'), schema),
    );
    expect(invalid.errors?.map((error) => error.field).sort()).toEqual(['body', 'body.name']);
  });
});

describe('header', () => {
  it('finds a header whatever its casing', () => {
    expect(header({ headers: { 'X-Api-Key': 'k' } }, 'x-api-key')).toBe('k');
    expect(header({ headers: {} }, 'x-api-key')).toBeUndefined();
  });
});
