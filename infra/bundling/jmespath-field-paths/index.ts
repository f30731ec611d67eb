/**
 * Stands in for `@aws-lambda-powertools/jmespath` in the Lambda bundles. Powertools idempotency imports
 * the whole JMESPath engine (23 KB minified) for any expression, and this project only ever gives it
 * plain field paths (`key`, `body`: lib/sync/idempotency-paths.ts). So the bundles get this resolver of
 * dotted field names, which answers them as JMESPath does (null when absent) and throws on any other
 * expression instead of selecting something else. test/infra/jmespath-field-paths.test.ts holds it to
 * the real engine.
 */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function search(expression: unknown, data: unknown): unknown {
  if (typeof expression !== 'string' || !FIELD_PATH.test(expression)) {
    throw new Error(
      `JMESPath expression ${JSON.stringify(expression)} is not a field path; this bundle only supports field paths`,
    );
  }
  let value: unknown = data;
  for (const field of expression.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, field)) {
      return null;
    }
    value = Reflect.get(value, field);
  }
  return value === undefined ? null : value;
}
