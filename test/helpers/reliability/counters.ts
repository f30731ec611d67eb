/**
 * The reliability suites' tallies: scenarios run, faults injected, requests fuzzed, customers checked,
 * and items lost or duplicated. Tests run in jest workers, so each increment is appended as one JSON
 * line to a per-process file under `.local/reliability/counters/`; the summary reporter (main process)
 * sums the lines of the current run. Appending synchronously keeps the tally even when a test file
 * dies half way.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COUNTER_NAMES = [
  'scenarios',
  'faultsInjected',
  'requestsFuzzed',
  'customersChecked',
  'itemsLost',
  'itemsDuplicated',
] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

export interface CounterLine extends Partial<Counters> {
  /** Test file, relative to the project root. */
  file: string;
  /** Epoch ms. */
  at: number;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
export const COUNTERS_DIR = join(PROJECT_ROOT, '.local', 'reliability', 'counters');

export function emptyCounters(): Counters {
  return {
    scenarios: 0,
    faultsInjected: 0,
    requestsFuzzed: 0,
    customersChecked: 0,
    itemsLost: 0,
    itemsDuplicated: 0,
  };
}

function currentTestFile(): string {
  const path = expect.getState().testPath;
  return path ? relative(PROJECT_ROOT, path) : 'unknown';
}

/** Adds to this run's tallies (attributed to the test file that is running). */
export function count(delta: Partial<Counters>): void {
  const line: CounterLine = { file: currentTestFile(), at: Date.now() };
  let any = false;
  for (const name of COUNTER_NAMES) {
    const value = delta[name];
    if (value === undefined || value === 0) continue;
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`counter ${name} must be a non-negative integer`);
    line[name] = value;
    any = true;
  }
  if (!any) return;
  mkdirSync(COUNTERS_DIR, { recursive: true });
  appendFileSync(join(COUNTERS_DIR, `${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

/** One scenario (an `it`) ran. */
export const countScenario = (): void => count({ scenarios: 1 });
/** `n` faults were injected (sandbox faults, store and DynamoDB failures, credential rotations...). */
export const countFaults = (n = 1): void => count({ faultsInjected: n });
export const countFuzzed = (n = 1): void => count({ requestsFuzzed: n });

export function formatSummary(suite: string, totals: Counters): string {
  return (
    `reliability (${suite}): ${totals.scenarios} scenarios run, ${totals.faultsInjected} faults injected, ` +
    `${totals.requestsFuzzed} requests fuzzed, ${totals.customersChecked} customers checked, ` +
    `${totals.itemsLost} items lost, ${totals.itemsDuplicated} duplicated`
  );
}
