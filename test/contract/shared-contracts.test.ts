/**
 * The project keeps its own contracts (contracts/), so tests never need ../shared. When the shared
 * copies are around (a workspace checkout), this checks ours did not drift from them:
 * - Palomma: our Customer schema and create body are the seed spec's, and every seed operation and
 *   response code is still in ours.
 * - Mollie: every path, method and query parameter of ours exists in Mollie's official spec, and every
 *   field of our customer, list item, create request and problem has the official field's JSON types.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const SHARED = join(ROOT, '../shared/contracts');
const present =
  existsSync(join(SHARED, 'mollie.openapi.yaml')) && existsSync(join(SHARED, 'palomma.openapi.yaml'));

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function load(path: string): Json {
  const document: unknown = parse(readFileSync(path, 'utf8'), { maxAliasCount: -1 });
  if (!isRecord(document)) throw new Error(`${path} is not an OpenAPI document`);
  return document;
}

/** Follows `a.b.c` through nested objects; undefined when a step is missing. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function resolve(document: Json, schema: unknown): Json {
  let current = schema;
  for (let depth = 0; isRecord(current) && typeof current.$ref === 'string' && depth < 20; depth++) {
    const ref: string = current.$ref;
    const siblings: Json = { ...current };
    delete siblings.$ref;
    const target = at(document, ...ref.replace(/^#\//, '').split('/'));
    // OpenAPI 3.1 allows keywords next to $ref (Mollie's `locale` has a `type` there): they win.
    current = isRecord(target) ? { ...target, ...siblings } : siblings;
  }
  if (!isRecord(current)) throw new Error('schema is not an object');
  return current;
}

/** The JSON types a schema admits, e.g. `['null', 'string']`. */
function typesOf(document: Json, raw: unknown): string[] {
  const schema = resolve(document, raw);
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.map(String).sort();
  if ('const' in schema) return [schema.const === null ? 'null' : typeof schema.const];
  for (const key of ['oneOf', 'anyOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) {
      return [...new Set(members.flatMap((member) => typesOf(document, member)))].sort();
    }
  }
  if (Array.isArray(schema.allOf)) {
    for (const member of schema.allOf) {
      const types = typesOf(document, member);
      if (!types.includes('any')) return types;
    }
  }
  return ['any'];
}

/** Properties and required names of a schema, merging allOf members. */
function shape(document: Json, raw: unknown): { properties: Json; required: Set<string> } {
  const schema = resolve(document, raw);
  const properties: Json = {};
  const required = new Set<string>();
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const inner = shape(document, member);
    Object.assign(properties, inner.properties);
    for (const name of inner.required) required.add(name);
  }
  if (isRecord(schema.properties)) Object.assign(properties, schema.properties);
  if (Array.isArray(schema.required)) for (const name of schema.required) required.add(String(name));
  return { properties, required };
}

/** Field → types, for comparing our schema with the official one. */
function fieldTypes(document: Json, raw: unknown): Record<string, string[]> {
  const { properties } = shape(document, raw);
  return Object.fromEntries(
    Object.entries(properties).map(([name, schema]) => [name, typesOf(document, schema)]),
  );
}

function parameterNames(document: Json, operation: unknown): string[] {
  const parameters = at(operation, 'parameters');
  return (Array.isArray(parameters) ? parameters : []).map((parameter) =>
    String(resolve(document, parameter).name).toLowerCase(),
  );
}

/** The response schema of an operation, following a `$ref` to a shared response. */
const mediaSchema = (document: Json, operation: unknown, status: string, media: string) =>
  at(resolve(document, at(operation, 'responses', status)), 'content', media, 'schema');

if (!present) {
  describe('project contracts against the ../shared copies', () => {
    it.skip('skipped: ../shared not present', () => {});
  });
} else {
  describe('project contracts against the ../shared copies', () => {
    const ours = {
      palomma: load(join(ROOT, 'contracts/palomma.openapi.yaml')),
      mollie: load(join(ROOT, 'contracts/mollie.openapi.yaml')),
    };
    const shared = {
      palomma: load(join(SHARED, 'palomma.openapi.yaml')),
      mollie: load(join(SHARED, 'mollie.openapi.yaml')),
    };

    it('keeps the Palomma Customer schema and create body of the seed spec', () => {
      expect(at(ours.palomma, 'components', 'schemas', 'Customer')).toEqual(
        at(shared.palomma, 'components', 'schemas', 'Customer'),
      );
      const createBody = (document: Json) =>
        at(document, 'paths', '/customers', 'post', 'requestBody', 'content', 'application/json', 'schema');
      expect(createBody(ours.palomma)).toEqual(createBody(shared.palomma));
    });

    it('keeps every Palomma operation and response code of the seed spec', () => {
      const operations = (document: Json) =>
        Object.entries(at(document, 'paths') ?? {}).flatMap(([path, item]) =>
          Object.entries(isRecord(item) ? item : {}).flatMap(([method, operation]) =>
            Object.keys(at(operation, 'responses') ?? {}).map(
              (status) => `${method.toUpperCase()} ${path} ${status}`,
            ),
          ),
        );
      const ourOperations = new Set(operations(ours.palomma));
      const seedOperations = operations(shared.palomma);
      expect(seedOperations.length).toBeGreaterThan(5);
      expect(seedOperations.filter((operation) => !ourOperations.has(operation))).toEqual([]);
    });

    it('uses only Mollie paths, methods and query parameters the official spec has', () => {
      const ourPaths = at(ours.mollie, 'paths');
      expect(isRecord(ourPaths)).toBe(true);
      for (const [path, item] of Object.entries(isRecord(ourPaths) ? ourPaths : {})) {
        for (const [method, operation] of Object.entries(isRecord(item) ? item : {})) {
          if (method === 'parameters') continue;
          const official = at(shared.mollie, 'paths', path, method);
          expect({ path, method, exists: isRecord(official) }).toEqual({ path, method, exists: true });
          const officialNames = new Set([
            ...parameterNames(shared.mollie, official),
            ...parameterNames(shared.mollie, at(shared.mollie, 'paths', path)),
          ]);
          const extra = parameterNames(ours.mollie, operation).filter((name) => !officialNames.has(name));
          expect({ path, method, extra }).toEqual({ path, method, extra: [] });
        }
      }
    });

    it.each([
      [
        'customer (get)',
        ['/v2/customers/{customerId}', 'get', '200'],
        ['/v2/customers/{customerId}', 'get', '200'],
      ],
      ['customer (create)', ['/v2/customers', 'post', '201'], ['/v2/customers', 'post', '201']],
    ] as const)(
      'gives the Mollie %s every official field with the same types',
      (_, [ourPath, ourMethod, ourStatus], [path, method, status]) => {
        const ourSchema = mediaSchema(
          ours.mollie,
          at(ours.mollie, 'paths', ourPath, ourMethod),
          ourStatus,
          'application/hal+json',
        );
        const officialSchema = mediaSchema(
          shared.mollie,
          at(shared.mollie, 'paths', path, method),
          status,
          'application/hal+json',
        );
        const mine = fieldTypes(ours.mollie, ourSchema);
        const official = fieldTypes(shared.mollie, officialSchema);
        // `testmode` is a write-only request field the official response schema reuses; we never read it.
        const { testmode: _writeOnly, ...officialReadable } = official;
        expect(Object.keys(mine).length).toBeGreaterThan(8);
        expect(mine).toEqual(officialReadable);
        expect([...shape(ours.mollie, ourSchema).required].sort()).toEqual(
          [...shape(shared.mollie, officialSchema).required].sort(),
        );
      },
    );

    it('gives listed Mollie customers and the list envelope the official fields and types', () => {
      const ourList = mediaSchema(
        ours.mollie,
        at(ours.mollie, 'paths', '/v2/customers', 'get'),
        '200',
        'application/hal+json',
      );
      const officialList = mediaSchema(
        shared.mollie,
        at(shared.mollie, 'paths', '/v2/customers', 'get'),
        '200',
        'application/hal+json',
      );
      expect(fieldTypes(ours.mollie, ourList)).toEqual(fieldTypes(shared.mollie, officialList));
      const item = (document: Json, list: unknown) =>
        at(
          shape(document, at(shape(document, list).properties, '_embedded')).properties,
          'customers',
          'items',
        );
      const { testmode: _writeOnly, ...official } = fieldTypes(
        shared.mollie,
        item(shared.mollie, officialList),
      );
      expect(fieldTypes(ours.mollie, item(ours.mollie, ourList))).toEqual(official);
      const links = (document: Json, list: unknown) => at(shape(document, list).properties, '_links');
      expect(fieldTypes(ours.mollie, links(ours.mollie, ourList))).toEqual(
        fieldTypes(shared.mollie, links(shared.mollie, officialList)),
      );
    });

    it('accepts only official Mollie create fields, with the official types', () => {
      const body = (document: Json) =>
        at(
          document,
          'paths',
          '/v2/customers',
          'post',
          'requestBody',
          'content',
          'application/json',
          'schema',
        );
      const official = fieldTypes(shared.mollie, body(shared.mollie));
      const mine = fieldTypes(ours.mollie, body(ours.mollie));
      expect(Object.keys(mine).length).toBeGreaterThan(3);
      for (const [name, types] of Object.entries(mine)) {
        expect({ name, types }).toEqual({ name, types: official[name] });
      }
    });

    it('uses the official Mollie locale list and error fields', () => {
      const officialLocale = resolve(
        shared.mollie,
        at(
          shape(shared.mollie, at(shared.mollie, 'components', 'schemas', 'customer-response')).properties,
          'locale',
        ),
      );
      const ourLocale = resolve(ours.mollie, at(ours.mollie, 'components', 'schemas', 'Locale'));
      expect(ourLocale.enum).toEqual(officialLocale.enum);
      const officialError = mediaSchema(
        shared.mollie,
        at(shared.mollie, 'paths', '/v2/customers/{customerId}', 'get'),
        '404',
        'application/hal+json',
      );
      const ourError = mediaSchema(
        ours.mollie,
        at(ours.mollie, 'paths', '/v2/customers/{customerId}', 'get'),
        '404',
        'application/hal+json',
      );
      expect(fieldTypes(ours.mollie, ourError)).toEqual(fieldTypes(shared.mollie, officialError));
    });
  });
}
