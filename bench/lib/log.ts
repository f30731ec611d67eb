/**
 * Progress lines: what is running, with counts, prefixed by the time since the run started, so a
 * slow phase is visible while it runs (and in CI logs afterwards).
 */
const started = performance.now();

function stamp(): string {
  return `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
}

export function log(phase: string, message: string): void {
  process.stdout.write(`${stamp()} ${phase}: ${message}\n`);
}

/** A counter that prints every `every` items or at least every 2 s, and at the end. */
export function progress(
  phase: string,
  label: string,
  total: number,
  every = Math.max(1, Math.floor(total / 5)),
) {
  let done = 0;
  let lastPrint = performance.now();
  return {
    tick(count = 1) {
      const before = done;
      done += count;
      const now = performance.now();
      if (done === total || Math.floor(done / every) > Math.floor(before / every) || now - lastPrint > 2000) {
        lastPrint = now;
        log(phase, `${label} ${done}/${total}`);
      }
    },
  };
}
