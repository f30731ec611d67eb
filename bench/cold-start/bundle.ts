/**
 * Bundles a function the way the CDK stack does. `infra/constructs/service-function.ts` passes its
 * esbuild options inline to NodejsFunction (no exported constant to import), so they are replicated
 * here, flag for flag with what NodejsFunction turns them into (aws-cdk-lib/aws-lambda-nodejs
 * `Bundling.buildEsbuildArgs`): `--bundle --target=node24 --platform=node --format=esm
 * --outfile=index.mjs --minify --sourcemap=external --sources-content=false --external:@aws-sdk/*
 * --banner:js=<ESM_REQUIRE_BANNER> --main-fields=module,main --alias:<BUNDLE_ALIASES>`. The banner,
 * the aliases and the entry paths are imported from infra, so those cannot drift.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_ALIASES, ESM_REQUIRE_BANNER, PROJECT_ROOT } from '../../infra/constructs/service-function.ts';

export interface BundleResult {
  outfile: string;
  bytes: number;
  /** Bytes in the bundle per npm package (or project folder), largest first. */
  weights: Array<{ source: string; bytes: number }>;
}

/** `node_modules/@scope/name/...` → `@scope/name`; project files → their top two folders. */
function sourceOf(path: string): string {
  const marker = 'node_modules/';
  const at = path.lastIndexOf(marker);
  if (at < 0) return path.split('/').slice(0, 2).join('/');
  const parts = path.slice(at + marker.length).split('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

export async function bundleLikeCdk(entry: string, outDir: string): Promise<BundleResult> {
  const outfile = join(outDir, 'index.mjs');
  // The metafile only describes the output; it does not change it.
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    target: 'node24',
    platform: 'node',
    format: 'esm',
    outfile,
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    external: ['@aws-sdk/*'],
    banner: { js: ESM_REQUIRE_BANNER },
    mainFields: ['module', 'main'],
    alias: { ...BUNDLE_ALIASES },
    logLevel: 'warning',
    metafile: true,
  });
  const weights = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const source = sourceOf(path);
      weights.set(source, (weights.get(source) ?? 0) + input.bytesInOutput);
    }
  }
  return {
    outfile,
    bytes: statSync(outfile).size,
    weights: [...weights.entries()]
      .map(([source, bytes]) => ({ source, bytes }))
      .sort((a, b) => b.bytes - a.bytes),
  };
}
