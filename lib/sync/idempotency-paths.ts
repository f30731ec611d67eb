/**
 * Where Powertools idempotency finds a create request's key, and the payload it checks a reused key
 * against. Plain field paths only: the Lambda bundles resolve JMESPath with
 * infra/bundling/jmespath-field-paths, which refuses anything else.
 */
export const IDEMPOTENCY_PATHS = { key: 'key', payload: 'body' } as const;
