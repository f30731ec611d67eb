/**
 * A jest reporter that ends a run with one line summing the reliability tallies the tests appended
 * (counters.ts): scenarios run, faults injected, requests fuzzed, customers checked, items lost and
 * duplicated. Lost or duplicated items fail the run even if no assertion caught them.
 *
 * Wire it next to the default reporter:
 *   reporters: ['default', ['<rootDir>/test/helpers/reliability/summary-reporter.ts', { suite: 'chaos' }]]
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AggregatedResult, Reporter, TestContext } from '@jest/reporters';
import {
  COUNTER_NAMES,
  COUNTERS_DIR,
  type CounterLine,
  type Counters,
  emptyCounters,
  formatSummary,
  PROJECT_ROOT,
} from './counters.ts';

const DAY_MS = 86_400_000;

export default class ReliabilitySummaryReporter
  implements Pick<Reporter, 'onRunStart' | 'onRunComplete' | 'getLastError'>
{
  readonly #suite: string;
  #startedAt = Date.now();
  #error: Error | undefined;

  constructor(_globalConfig: unknown, options: { suite?: string } | undefined) {
    this.#suite = options?.suite ?? 'jest';
  }

  onRunStart(): void {
    this.#startedAt = Date.now();
    this.#error = undefined;
    // Per-process files of old runs: only this run's lines count, so stale files are just clutter.
    if (!existsSync(COUNTERS_DIR)) return;
    for (const name of readdirSync(COUNTERS_DIR)) {
      const path = join(COUNTERS_DIR, name);
      if (Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { force: true });
    }
  }

  onRunComplete(_contexts: Set<TestContext>, results: AggregatedResult): void {
    const files = new Set(results.testResults.map((result) => relative(PROJECT_ROOT, result.testFilePath)));
    const totals = sumCounters(this.#startedAt, files);
    process.stdout.write(`\n${formatSummary(this.#suite, totals)}\n`);
    if (totals.itemsLost > 0 || totals.itemsDuplicated > 0) {
      this.#error = new Error(
        `reliability: ${totals.itemsLost} items lost and ${totals.itemsDuplicated} duplicated (must be 0)`,
      );
    }
  }

  getLastError(): Error | undefined {
    return this.#error;
  }
}

/** Sums the counter lines written since `since` by the given test files. */
export function sumCounters(since: number, files: ReadonlySet<string>): Counters {
  const totals = emptyCounters();
  if (!existsSync(COUNTERS_DIR)) return totals;
  for (const name of readdirSync(COUNTERS_DIR)) {
    if (!name.endsWith('.jsonl')) continue;
    for (const text of readFileSync(join(COUNTERS_DIR, name), 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      let line: Partial<CounterLine>;
      try {
        line = JSON.parse(text) as Partial<CounterLine>;
      } catch {
        continue; // a line torn by a killed worker
      }
      if (typeof line.at !== 'number' || line.at < since || typeof line.file !== 'string') continue;
      if (!files.has(line.file)) continue;
      for (const counter of COUNTER_NAMES) {
        const value = line[counter];
        if (typeof value === 'number') totals[counter] += value;
      }
    }
  }
  return totals;
}
