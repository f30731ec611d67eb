/**
 * Progress for long commands (`sync`, `import`): a cli-progress bar on an interactive terminal, plain
 * lines otherwise (CI logs, pipes, `--json`). Progress always goes to stderr so stdout carries only the
 * result (the JSON document with `--json`).
 */
import { SingleBar } from 'cli-progress';
import type { OutputStream } from './context.ts';

export interface Progress {
  /** Adds to the total (sync discovers its work page by page). */
  grow(by: number): void;
  tick(by?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** The terminal to draw a bar on, or null for plain lines (not a TTY, or `--json`). */
  terminal: NodeJS.WritableStream | null;
  /** Where plain lines go (stderr). */
  stream: OutputStream;
  /** Plain mode prints at most one line per interval, plus the last one. */
  intervalMs?: number;
  now?: () => number;
}

export function createProgress(options: ProgressOptions): Progress {
  return options.terminal ? barProgress(options, options.terminal) : lineProgress(options);
}

function barProgress({ label, total }: ProgressOptions, terminal: NodeJS.WritableStream): Progress {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
    stream: terminal,
    hideCursor: true,
    clearOnComplete: false,
  });
  let size = total;
  let value = 0;
  bar.start(size, 0);
  return {
    grow(by) {
      size += by;
      bar.setTotal(size);
    },
    tick(by = 1) {
      value += by;
      bar.update(value);
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress({
  label,
  total,
  stream,
  intervalMs = 2000,
  now = Date.now,
}: ProgressOptions): Progress {
  let size = total;
  let value = 0;
  let lastPrinted = -1;
  let lastAt = Number.NEGATIVE_INFINITY;
  const print = (force: boolean) => {
    const at = now();
    if (value === lastPrinted || (!force && at - lastAt < intervalMs)) return;
    lastPrinted = value;
    lastAt = at;
    const percent = size > 0 ? Math.floor((value / size) * 100) : 100;
    stream.write(`${label}: ${value}/${size} (${percent}%)\n`);
  };
  return {
    grow(by) {
      size += by;
    },
    tick(by = 1) {
      value += by;
      print(value >= size);
    },
    stop() {
      print(true);
    },
  };
}
