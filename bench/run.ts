/**
 * `npm run bench [-- --quick] [-- --only=a,b]`: measures the product against the limits it runs into,
 * in one run, on DynamoDB Local and the provider sandboxes, and prints each result as a ratio with its
 * target. Targets are reported, not gated: the exit code is non-zero only when the bench itself fails.
 *
 * The full run (all benchmarks) writes docs/benchmarks.md and bench/results.json; `--quick` and partial
 * runs write bench/out/ (git-ignored) so a CI run never rewrites the published numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runColdStartBenchmark } from './benchmarks/cold-start.ts';
import { RATE_LIMIT_SIZES, runRateLimitBenchmark } from './benchmarks/rate-limit.ts';
import { runReadPathBenchmark } from './benchmarks/read-path.ts';
import { runSchedulerScaleBenchmark } from './benchmarks/scheduler-scale.ts';
import { runSyncBenchmarks, SYNC_SIZES } from './benchmarks/sync.ts';
import { type BenchArgs, type BenchmarkId, parseArgs } from './lib/args.ts';
import { renderDocument } from './lib/document.ts';
import { type BenchEnvironment, startEnvironment } from './lib/environment.ts';
import { log } from './lib/log.ts';
import { loadAverageNow, machineInfo } from './lib/machine.ts';
import {
  type BenchmarkReport,
  consoleSummary,
  consoleTable,
  type RunMeta,
  resultsJson,
} from './lib/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function crashed(id: string, title: string, error: unknown): BenchmarkReport {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log(id, `CRASHED: ${message}`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return { id, title, setup: [], figures: [], checks: [], notes: [], error: message };
}

async function runAll(args: BenchArgs): Promise<BenchmarkReport[]> {
  const wants = (id: BenchmarkId) => args.only === null || args.only.has(id);
  const reports: BenchmarkReport[] = [];
  // Each result is printed with its setup as soon as it is known; the table comes at the end.
  const add = (...done: BenchmarkReport[]) => {
    for (const report of done) {
      process.stdout.write(`\n${consoleSummary(report)}\n\n`);
      reports.push(report);
    }
  };
  const needsEnvironment = (
    ['sync-throughput', 'unchanged-resync', 'rate-limit', 'read-path', 'scheduler-scale'] as const
  ).some(wants);
  const sizes = args.quick ? SYNC_SIZES.quick : SYNC_SIZES.full;
  const rateSizes = args.quick ? RATE_LIMIT_SIZES.quick : RATE_LIMIT_SIZES.full;
  // Enough customers at every sandbox for the sync benchmarks and the rate-limited one.
  const sandboxSeed = Math.max(sizes.customers / 4 + sizes.warmupPerProvider, rateSizes.customers);

  let env: BenchEnvironment | null = null;
  try {
    if (needsEnvironment) env = await startEnvironment({ sandboxSeed });
    if (env && (wants('sync-throughput') || wants('unchanged-resync'))) {
      try {
        const { throughput, resync } = await runSyncBenchmarks(env, { quick: args.quick });
        add(throughput, resync);
      } catch (error) {
        add(crashed('sync-throughput', '1. Sync throughput', error));
        add(crashed('unchanged-resync', '2. Unchanged re-sync', error));
      }
    }
    if (env && wants('rate-limit')) {
      add(
        await runRateLimitBenchmark(env, { quick: args.quick }).catch((error: unknown) =>
          crashed('rate-limit', '3. Rate-limit discipline', error),
        ),
      );
    }
    if (env && wants('read-path')) {
      add(
        await runReadPathBenchmark(env, { quick: args.quick }).catch((error: unknown) =>
          crashed('read-path', '4. Read path', error),
        ),
      );
    }
    if (wants('cold-start')) {
      add(
        await runColdStartBenchmark({ quick: args.quick }).catch((error: unknown) =>
          crashed('cold-start', '5. Cold start', error),
        ),
      );
    }
    if (env && wants('scheduler-scale')) {
      add(
        await runSchedulerScaleBenchmark(env, { quick: args.quick }).catch((error: unknown) =>
          crashed('scheduler-scale', '6. Scale of a scheduler run', error),
        ),
      );
    }
  } finally {
    if (env) {
      log('teardown', 'stopping DynamoDB Local and the sandboxes');
      await env.stop();
    }
  }
  return reports;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  log(
    'bench',
    `${args.quick ? 'quick' : 'full'} run on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}`,
  );
  const reports = await runAll(args);
  const complete = args.only === null;
  const meta: RunMeta = {
    mode: args.quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    loadAverageAtEnd: loadAverageNow(),
    command: args.quick ? 'npm run bench -- --quick' : 'npm run bench',
  };

  process.stdout.write(`\n${consoleTable(reports)}\n\n`);
  const publish = !args.quick && complete;
  const outDir = publish ? ROOT : join(ROOT, 'bench', 'out');
  const docPath = publish ? join(ROOT, 'docs', 'benchmarks.md') : join(outDir, 'benchmarks.md');
  const jsonPath = join(outDir, publish ? 'bench/results.json' : 'results.json');
  mkdirSync(dirname(docPath), { recursive: true });
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(docPath, renderDocument(meta, reports));
  writeFileSync(jsonPath, `${JSON.stringify(resultsJson(meta, reports), null, 2)}\n`);
  log(
    'bench',
    `wrote ${relative(ROOT, docPath)} and ${relative(ROOT, jsonPath)} in ${meta.durationSeconds.toFixed(0)} s`,
  );

  const failed = reports.filter((report) => report.error !== undefined);
  if (failed.length > 0) {
    log('bench', `${failed.length} benchmark(s) crashed: ${failed.map((report) => report.id).join(', ')}`);
    return 1;
  }
  const missed = reports.flatMap((report) => report.checks).filter((c) => !c.met).length;
  log('bench', `${missed} target(s) missed (reported, not gated)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
