/**
 * What a benchmark hands back, and the three renderings of a run: the console table, the JSON
 * results and the markdown document. Targets are ratios (or counts) compared to what the same run
 * measured, so they hold on any machine; absolute figures are reported beside them, never gated.
 */

import type { MachineInfo } from './machine.ts';
import { formatBytes, formatRatio } from './stats.ts';

export interface Check {
  /** What is compared, e.g. `sync rate / min(bare GET, bare write)`. */
  name: string;
  measured: number;
  target: number;
  comparator: '>=' | '<=';
  /** How the numbers read: `×` for ratios, or a unit (`KB`, `WCU/customer`, `items`). */
  unit: string;
  met: boolean;
}

export interface Figure {
  label: string;
  value: string;
}

export interface BenchmarkReport {
  id: string;
  title: string;
  /** Concurrency, data size, warm-up, runs: printed with the result and in the doc. */
  setup: string[];
  /** Absolute measurements (times, rates, sizes), reported, not gated. */
  figures: Figure[];
  checks: Check[];
  /** Interpretation: for a missed target, by how much, what limits it and the next step. */
  notes: string[];
  /** Numbers other parts of the report (the scale section) build on. */
  data?: Record<string, number>;
  /** Set when the benchmark itself failed to run. */
  error?: string;
}

export function check(
  name: string,
  measured: number,
  comparator: '>=' | '<=',
  target: number,
  unit = '×',
): Check {
  const met = Number.isFinite(measured) && (comparator === '>=' ? measured >= target : measured <= target);
  return { name, measured, target, comparator, unit, met };
}

/** "missed by 23 %" style text for a check, in the direction of the target. */
export function shortfall(c: Check): string {
  if (c.met) return 'met';
  if (!Number.isFinite(c.measured)) return 'not measured';
  const off = c.comparator === '>=' ? (c.target - c.measured) / c.target : (c.measured - c.target) / c.target;
  // Under 1 %, whole percents would read "missed by 0 %".
  return `missed by ${(off * 100).toFixed(off < 0.01 ? 2 : 0)} %`;
}

function formatValue(value: number, unit: string): string {
  if (unit === 'KB') return `${value.toFixed(1)} KB`;
  if (unit === '×') return `${formatRatio(value)}×`;
  if (!Number.isFinite(value)) return 'n/a';
  const text = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return `${text} ${unit}`;
}

export interface TableRow {
  benchmark: string;
  check: string;
  measured: string;
  target: string;
  result: string;
}

export function tableRows(reports: readonly BenchmarkReport[]): TableRow[] {
  return reports.flatMap((report) => {
    if (report.error) {
      return [{ benchmark: report.title, check: '(crashed)', measured: '-', target: '-', result: 'ERROR' }];
    }
    return report.checks.map((c) => ({
      benchmark: report.title,
      check: c.name,
      measured: formatValue(c.measured, c.unit),
      target: `${c.comparator} ${formatValue(c.target, c.unit)}`,
      result: c.met ? 'met' : shortfall(c),
    }));
  });
}

/** One benchmark for the console: title, setup, figures and targets. */
export function consoleSummary(report: BenchmarkReport): string {
  const lines = [`== ${report.title}${report.error ? ' (CRASHED)' : ''}`];
  if (report.error) lines.push(`   ${report.error}`);
  for (const line of report.setup) lines.push(`   setup: ${line.replaceAll('`', '')}`);
  for (const figure of report.figures) lines.push(`   ${figure.label.replaceAll('`', '')}: ${figure.value}`);
  for (const row of tableRows([report])) {
    if (!report.error)
      lines.push(`   => ${row.check}: ${row.measured} (target ${row.target}): ${row.result}`);
  }
  return lines.join('\n');
}

export function consoleTable(reports: readonly BenchmarkReport[]): string {
  const rows = tableRows(reports);
  const header: TableRow = {
    benchmark: 'benchmark',
    check: 'measure',
    measured: 'measured',
    target: 'target',
    result: 'result',
  };
  const keys = ['benchmark', 'check', 'measured', 'target', 'result'] as const;
  const widths = keys.map((key) => Math.max(header[key].length, ...rows.map((row) => row[key].length)));
  const line = (row: TableRow) =>
    keys
      .map((key, i) => row[key].padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface RunMeta {
  mode: 'full' | 'quick';
  date: string;
  durationSeconds: number;
  machine: MachineInfo;
  loadAverageAtEnd: number;
  command: string;
}

export function resultsJson(meta: RunMeta, reports: readonly BenchmarkReport[]): unknown {
  return {
    generatedAt: meta.date,
    mode: meta.mode,
    durationSeconds: Math.round(meta.durationSeconds),
    machine: { ...meta.machine, loadAverageAtEnd: meta.loadAverageAtEnd },
    benchmarks: reports.map((report) => ({
      id: report.id,
      name: report.title,
      ...(report.error ? { error: report.error } : {}),
      setup: report.setup,
      results: report.checks.map((c) => ({
        name: c.name,
        measured: round(c.measured),
        target: c.target,
        comparator: c.comparator,
        unit: c.unit,
        met: c.met,
      })),
      figures: Object.fromEntries(report.figures.map((figure) => [figure.label, figure.value])),
    })),
  };
}

function round(value: number): number | null {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

export function markdownTable(reports: readonly BenchmarkReport[]): string {
  const rows = tableRows(reports);
  return [
    '| benchmark | measure | measured | target | result |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${escapeCell(row.benchmark)} | ${escapeCell(row.check)} | ${escapeCell(row.measured)} | ${escapeCell(row.target)} | ${row.result} |`,
    ),
  ].join('\n');
}

export function machineLine(machine: MachineInfo): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${formatBytes(machine.memoryBytes)} memory, Node ${machine.node}, ${machine.os}`;
}

export function benchmarkSection(report: BenchmarkReport, level = '###'): string {
  const parts = [`${level} ${report.title}`, ''];
  if (report.error) parts.push(`**The benchmark crashed:** \`${report.error}\``, '');
  if (report.setup.length > 0) parts.push('Setup:', '', ...report.setup.map((line) => `- ${line}`), '');
  if (report.figures.length > 0) {
    parts.push('| figure | value |', '|---|---|');
    for (const figure of report.figures)
      parts.push(`| ${escapeCell(figure.label)} | ${escapeCell(figure.value)} |`);
    parts.push('');
  }
  if (report.checks.length > 0) {
    parts.push('Targets:', '');
    for (const c of report.checks) {
      parts.push(
        `- ${c.name}: **${formatValue(c.measured, c.unit)}** (target ${c.comparator} ${formatValue(c.target, c.unit)}): ${
          c.met ? 'met' : shortfall(c)
        }`,
      );
    }
    parts.push('');
  }
  if (report.notes.length > 0) parts.push(...report.notes.flatMap((note) => [note, '']));
  return parts.join('\n');
}
