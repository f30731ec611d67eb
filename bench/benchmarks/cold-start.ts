/**
 * Benchmark 5: cold start. Every function bundled as the CDK stack bundles it; each bundle's size, and
 * its module initialization time in a fresh Node process (what Lambda's Init phase runs before the
 * first invocation), against a baseline handler that only creates a DynamoDB document client.
 *
 * The AWS SDK stays external, as in the stack, and resolves from node_modules the way the Lambda
 * runtime provides it. The child gets the Lambda environment markers, so Powertools (tracer included:
 * the stack turns X-Ray on) initializes as it does in Lambda.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  FUNCTION_NAMES,
  handlerEntry,
  METRICS_NAMESPACE,
  PROJECT_ROOT,
} from '../../infra/constructs/service-function.ts';
import { processEnv } from '../../lib/config/env.ts';
import { bundleLikeCdk } from '../cold-start/bundle.ts';
import { sameBytes, synthesizedBundles } from '../cold-start/cdk-check.ts';
import { log } from '../lib/log.ts';
import { type BenchmarkReport, type Check, check, shortfall } from '../lib/report.ts';
import { formatBytes, formatMs, median } from '../lib/stats.ts';

const BASELINE = 'baseline';
const MAX_BUNDLE_KB = 300;
const MAX_INIT_RATIO = 1.5;

const INIT_SCRIPT =
  'const t = performance.now(); await import(process.env.BENCH_BUNDLE_URL); process.stdout.write(String(performance.now() - t));';

/** What Lambda sets before Init, plus the variables every function of the stack gets. */
function lambdaEnvironment(name: string, bundleUrl: string): Record<string, string> {
  return {
    // The only variable taken from this process: where to find executables.
    PATH: processEnv().PATH ?? '',
    BENCH_BUNDLE_URL: bundleUrl,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_FUNCTION_NAME: `customer-sync-bench-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_REGION: 'us-east-1',
    STAGE: 'prod',
    TABLE_NAME: 'customer-sync-bench',
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

function initOnce(name: string, outfile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', INIT_SCRIPT],
      { cwd: PROJECT_ROOT, env: lambdaEnvironment(name, pathToFileURL(outfile).href), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          return reject(
            new Error(`${name}: init failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`),
          );
        const ms = Number(stdout.trim());
        if (!Number.isFinite(ms))
          return reject(new Error(`${name}: no init time in "${stdout.slice(0, 80)}"`));
        resolve(ms);
      },
    );
  });
}

export async function runColdStartBenchmark(options: { quick: boolean }): Promise<BenchmarkReport> {
  const phase = 'cold-start';
  const runs = options.quick ? 3 : 10;
  const outRoot = join(PROJECT_ROOT, 'bench', 'out', 'bundles');
  rmSync(outRoot, { recursive: true, force: true });

  const entries: Array<{ name: string; entry: string }> = [
    ...FUNCTION_NAMES.map((name) => ({ name, entry: handlerEntry(name) })),
    { name: BASELINE, entry: fileURLToPath(new URL('../cold-start/baseline-handler.ts', import.meta.url)) },
  ];
  const functions = () => bundles.filter((bundle) => bundle.name !== BASELINE);
  const bundles: Array<{
    name: string;
    outfile: string;
    bytes: number;
    weights: Array<{ source: string; bytes: number }>;
    initMs: number[];
  }> = [];
  for (const { name, entry } of entries) {
    const outDir = join(outRoot, name);
    mkdirSync(outDir, { recursive: true });
    const bundle = await bundleLikeCdk(entry, outDir);
    log(phase, `bundled ${name}: ${formatBytes(bundle.bytes)}`);
    bundles.push({ name, ...bundle, initMs: [] });
  }

  let cdkCheck = 'not run (quick mode)';
  if (!options.quick) {
    log(phase, 'synthesizing the prod stack to compare its bundles with these');
    try {
      const synthesized = synthesizedBundles(join(outRoot, 'cdk.out'));
      const results = functions().map((bundle) => {
        const path = synthesized.get(bundle.name);
        return `${bundle.name} ${path ? (sameBytes(path, bundle.outfile) ? 'identical' : 'DIFFERENT') : 'missing'}`;
      });
      cdkCheck = results.every((result) => result.endsWith(' identical'))
        ? 'byte-for-byte identical for every function'
        : results.join(', ');
    } catch (error) {
      cdkCheck = `synth failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    log(phase, `bundles vs cdk synth: ${cdkCheck}`);
  }

  // Round-robin, so a noisy moment on the machine hits every bundle alike.
  for (let run = 1; run <= runs; run++) {
    for (const bundle of bundles) bundle.initMs.push(await initOnce(bundle.name, bundle.outfile));
    log(phase, `init run ${run}/${runs} done`);
  }

  const baseline = bundles.find((bundle) => bundle.name === BASELINE);
  if (!baseline) throw new Error('no baseline bundle');
  const baselineMs = median(baseline.initMs);
  const readApi = functions().find((bundle) => bundle.name === 'read-api');
  if (!readApi) throw new Error('no read-api bundle');

  const checks: Check[] = [
    check(
      'read-api init / baseline init (medians)',
      median(readApi.initMs) / baselineMs,
      '<=',
      MAX_INIT_RATIO,
    ),
    ...functions().map((bundle) =>
      check(`${bundle.name} bundle size`, bundle.bytes / 1024, '<=', MAX_BUNDLE_KB, 'KB'),
    ),
  ];
  const notes: string[] = [];
  const [initCheck] = checks;
  if (initCheck && !initCheck.met) {
    notes.push(
      `**Init target missed** (${shortfall(initCheck)}): importing read-api evaluates its whole ${formatBytes(readApi.bytes)} ` +
        `bundle before the first request (largest parts: ${readApi.weights
          .slice(0, 5)
          .map((weight) => `${weight.source} ${formatBytes(weight.bytes)}`)
          .join(
            ', ',
          )}), where the baseline loads only the DynamoDB client. Next step: keep the X-Ray SDK (CommonJS, ` +
        "with semver) out of read-api or load it lazily, and build the API's zod schemas on first use rather than at " +
        'import; then re-measure.',
    );
  }
  const oversized = checks.slice(1).filter((c) => !c.met);
  if (oversized.length > 0) {
    notes.push(
      `**Size target missed** by ${oversized.map((c) => `${c.name.replace(' bundle size', '')} (${shortfall(c).replace('missed by ', '')})`).join(', ')}. ` +
        "What weighs, from esbuild's metafile (bytes each package contributes to the minified bundle): " +
        functions()
          .filter((bundle) => bundle.bytes / 1024 > MAX_BUNDLE_KB)
          .map(
            (bundle) =>
              `${bundle.name}: ${bundle.weights
                .slice(0, 5)
                .map((weight) => `${weight.source} ${formatBytes(weight.bytes)}`)
                .join(', ')}`,
          )
          .join('; ') +
        '. Already done: Lambda code on zod/mini; Powertools idempotency only in create-customer; the ' +
        "X-Ray SDK's semver and Powertools' JMESPath engine aliased to small stand-ins (`BUNDLE_ALIASES`). What " +
        "is left is what the functions use: the tracer's X-Ray SDK is CommonJS, so esbuild cannot drop its " +
        'unused parts. Next step: a tracing client lighter than the X-Ray SDK (with cls-hooked it weighs ' +
        'about 80 KB in every traced bundle).',
    );
  }
  return {
    id: 'cold-start',
    title: '5. Cold start',
    setup: [
      "every function in infra/constructs/service-function.ts `FUNCTION_NAMES`, bundled with the stack's esbuild options (replicated in bench/cold-start/bundle.ts: the construct passes them inline, not as an exported constant; banner and entries imported from infra; full runs synthesize the prod stack and compare every bundle byte for byte with its asset), plus a baseline that only creates a DynamoDB document client",
      `init time: \`node --input-type=module -e "const t=performance.now(); await import(bundle); ..."\` in a fresh process per sample, Lambda environment markers set, @aws-sdk resolved from node_modules; median of ${runs}, bundles in rotation`,
      `size: the bundle file (index.mjs, minified, source map external); target ${MAX_BUNDLE_KB} KB each`,
      "module aliases, as in the stack (`BUNDLE_ALIASES`, infra/bundling/): the X-Ray SDK's semver by a stub (only its AWS SDK v2 patcher uses it), Powertools idempotency's JMESPath engine by a field-path resolver (create-customer gives it only `key` and `body`; test/infra/jmespath-field-paths.test.ts runs idempotency in such a bundle), and the Powertools tracer's ES import of `node:http` by a `require` of it (the ES import loads Node's undici at init, about 14 ms here; test/infra/node-http.test.ts)",
    ],
    figures: [
      { label: 'these bundles vs the assets of `cdk synth` (prod)', value: cdkCheck },
      ...bundles.map((bundle) => ({
        label: bundle.name,
        value: `${formatBytes(bundle.bytes)}, init median ${formatMs(median(bundle.initMs))} (min ${formatMs(Math.min(...bundle.initMs))}, max ${formatMs(Math.max(...bundle.initMs))}), ${(median(bundle.initMs) / baselineMs).toFixed(2)}× baseline`,
      })),
    ],
    checks,
    notes,
    data: { baselineInitMs: baselineMs, readApiInitMs: median(readApi.initMs) },
  };
}
