/**
 * CPU time of the run's processes over a phase: this one (`process.cpuUsage`) and the child processes
 * it started (DynamoDB Local's JVM, the sandbox host), read from `/proc/<pid>/stat`. On a 2-core machine
 * the three share the CPU, so where a customer's CPU goes explains a rate better than wall times do.
 * Outside Linux the children's figures are absent, not guessed.
 */
import { readFileSync } from 'node:fs';

export interface CpuSplit {
  /** Milliseconds of CPU (user + system) per process label over the phase. */
  ms: Record<string, number>;
}

export interface CpuMeter {
  stop(): CpuSplit;
}

/** utime + stime of a process in milliseconds, or null where /proc is not there. */
function childCpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces, hence the split on ") ").
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux Node supports.
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

export function meterCpu(children: Record<string, number | undefined>): CpuMeter {
  const self = process.cpuUsage();
  const starts = Object.entries(children).map(([label, pid]) => ({
    label,
    pid,
    start: pid === undefined ? null : childCpuMs(pid),
  }));
  return {
    stop() {
      const used = process.cpuUsage(self);
      const ms: Record<string, number> = { worker: (used.user + used.system) / 1000 };
      for (const { label, pid, start } of starts) {
        const end = pid === undefined ? null : childCpuMs(pid);
        if (start !== null && end !== null) ms[label] = end - start;
      }
      return { ms };
    },
  };
}
