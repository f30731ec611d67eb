/**
 * Peak resident memory of this process over a phase. `process.resourceUsage().maxRSS` is the
 * high-water mark of the whole process life, so a phase that runs after a bigger one could not see its
 * own peak: sampling `rss()` often enough catches it (the sync working set moves slowly).
 */
export interface RssSampler {
  stop(): number;
}

export function sampleRss(intervalMs = 20): RssSampler {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak;
    },
  };
}
