/**
 * The bundles' stand-in for `node:http` (infra/bundling/node-http.mjs): the same module object (the
 * tracer patches it for X-Ray), without the ES import that loads undici.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_ALIASES, PROJECT_ROOT } from '../../infra/constructs/service-function.ts';

const shim = join(PROJECT_ROOT, 'infra/bundling/node-http.mjs');

/** Runs an ES module in a fresh Node and returns what it printed as JSON. */
const runModule = (source: string): unknown =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' }));

const undiciLoaded = "process.moduleLoadList.some((name) => name.includes('undici'))";

describe('the node:http stand-in', () => {
  it('is what every bundle gets for the ES import', () => {
    expect(BUNDLE_ALIASES['node:http']).toBe(shim);
  });

  it('is the built-in module itself, loaded without undici', () => {
    expect(
      runModule(
        `import viaShim from ${JSON.stringify(pathToFileURL(shim).href)};
         import { createRequire } from 'node:module';
         const same = viaShim === createRequire(import.meta.url)('node:http');
         process.stdout.write(JSON.stringify({ same, undici: ${undiciLoaded} }));`,
      ),
    ).toEqual({ same: true, undici: false });
  });

  it('avoids what the plain ES import costs: that one loads undici', () => {
    expect(
      runModule(`import 'node:http'; process.stdout.write(JSON.stringify({ undici: ${undiciLoaded} }));`),
    ).toEqual({ undici: true });
  });
});
