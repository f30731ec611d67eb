import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { search as jmespathSearch } from '@aws-lambda-powertools/jmespath';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import fc from 'fast-check';
import { search as fieldPathSearch } from '../../infra/bundling/jmespath-field-paths/index.ts';
import { BUNDLE_ALIASES, ESM_REQUIRE_BANNER, PROJECT_ROOT } from '../../infra/constructs/service-function.ts';
import { createDynamoClients } from '../../lib/store/client.ts';
import { ensureIdempotencyTable } from '../../lib/store/idempotency-table.ts';
import { IDEMPOTENCY_PATHS } from '../../lib/sync/idempotency-paths.ts';
import { testEndpoint } from '../helpers/dynamodb.ts';

const run = promisify(execFile);
const field = fc.constantFrom('key', 'body', 'name', 'a', 'b_2', 'items');
const path = fc.array(field, { minLength: 1, maxLength: 3 }).map((fields) => fields.join('.'));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, 0, 1.5, '', 'x'),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.dictionary(field, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('jmespath field-path resolver (the Lambda bundles’ JMESPath)', () => {
  it('answers every field path as the Powertools JMESPath engine does', () => {
    fc.assert(
      fc.property(path, json, (expression, data) => {
        expect(fieldPathSearch(expression, data)).toEqual(jmespathSearch(expression, data as never));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every expression that is not a field path, instead of selecting something else', () => {
    const data = { body: { items: [{ a: 1 }] }, key: 'k' };
    for (const expression of [
      'body.items[0]',
      'powertools_json(body)',
      'key || body',
      '`k`',
      'a..b',
      '',
      '"key"',
    ]) {
      expect(() => fieldPathSearch(expression, data)).toThrow('is not a field path');
    }
  });

  it('resolves the paths create-customer gives Powertools idempotency', () => {
    const request = { key: 'idem-1', body: { customer: { name: 'x' }, providers: ['mollie'] } };
    expect(fieldPathSearch(IDEMPOTENCY_PATHS.key, request)).toBe('idem-1');
    expect(fieldPathSearch(IDEMPOTENCY_PATHS.payload, request)).toEqual(request.body);
  });

  it('keeps idempotency working inside a bundle built with the Lambda aliases', async () => {
    const outDir = join(PROJECT_ROOT, '.local', `jmespath-bundle-${process.pid}`);
    mkdirSync(outDir, { recursive: true });
    const { client } = createDynamoClients({ region: 'us-east-1', endpoint: testEndpoint() });
    const tableName = `idempotency-bundle-${process.pid}-${Date.now()}`;
    try {
      const outfile = join(outDir, 'index.mjs');
      await build({
        absWorkingDir: PROJECT_ROOT,
        entryPoints: [join(PROJECT_ROOT, 'test/infra/fixtures/idempotency-in-bundle.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        outfile,
        external: ['@aws-sdk/*'],
        banner: { js: ESM_REQUIRE_BANNER },
        mainFields: ['module', 'main'],
        alias: { ...BUNDLE_ALIASES },
        logLevel: 'error',
      });
      const source = readFileSync(outfile, 'utf8');
      expect(source).toContain('is not a field path');
      // The real engine's parser error is gone, so the bundle holds the resolver only.
      expect(source).not.toContain('Invalid jmespath expression');

      await ensureIdempotencyTable(client, tableName);
      const { stdout } = await run(process.execPath, [outfile, testEndpoint(), tableName]);
      expect(JSON.parse(stdout)).toEqual({
        first: { created: 'a', execution: 1 },
        replay: { created: 'a', execution: 1 },
        other: { created: 'a', execution: 2 },
        reused: 'IdempotencyValidationError',
        executions: 2,
      });
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
