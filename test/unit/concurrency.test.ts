import { forEachConcurrent } from '../../lib/concurrency.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe('forEachConcurrent', () => {
  it('visits every item once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrent(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await tick();
        seen.push(item);
        inFlight--;
      },
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it('starts nothing new after the signal aborts, letting running items finish', async () => {
    const controller = new AbortController();
    const finished: number[] = [];
    await forEachConcurrent(
      [0, 1, 2, 3, 4, 5],
      2,
      async (item) => {
        if (item === 1) controller.abort();
        await tick();
        finished.push(item);
      },
      controller.signal,
    );
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('handles an empty list', async () => {
    let calls = 0;
    await forEachConcurrent([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
