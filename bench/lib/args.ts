/** `node bench/run.ts [--quick] [--only=sync,read-path]`. */
export const BENCHMARK_IDS = [
  'sync-throughput',
  'unchanged-resync',
  'rate-limit',
  'read-path',
  'cold-start',
  'scheduler-scale',
] as const;
export type BenchmarkId = (typeof BENCHMARK_IDS)[number];

export interface BenchArgs {
  quick: boolean;
  /** Benchmarks to run; all when absent. `unchanged-resync` needs `sync-throughput` and runs with it. */
  only: ReadonlySet<BenchmarkId> | null;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let only: Set<BenchmarkId> | null = null;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) {
      only = new Set();
      for (const name of arg.slice('--only='.length).split(',')) {
        const id = BENCHMARK_IDS.find((candidate) => candidate === name.trim());
        if (!id) throw new Error(`unknown benchmark "${name}": one of ${BENCHMARK_IDS.join(', ')}`);
        only.add(id);
      }
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(`usage: npm run bench -- [--quick] [--only=${BENCHMARK_IDS.join(',')}]`);
    } else throw new Error(`unknown argument "${arg}" (try --help)`);
  }
  return { quick, only };
}
