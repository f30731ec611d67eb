import { parseRetryAfter } from '../../../lib/http/retry-after.ts';
import { createTokenBucket } from '../../../lib/http/token-bucket.ts';

function fakeClock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    advance: (ms: number) => {
      time += ms;
    },
    sleeps,
  };
}

describe('createTokenBucket', () => {
  it('serves a burst at once, then one token per 1/rate seconds', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ requestsPerSecond: 5, burst: 3, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 0 });
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 200 });
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 200 });
    expect(clock.sleeps).toEqual([200, 200]);
  });

  it('queues concurrent callers in arrival order without double-spending tokens', async () => {
    const clock = fakeClock();
    const waits: number[] = [];
    const bucket = createTokenBucket({
      requestsPerSecond: 10,
      burst: 1,
      now: clock.now,
      // Concurrent sleepers do not advance the shared clock: each reports what it was told to wait.
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const results = await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(results.map((result) => (result.ok ? result.waitedMs : -1))).toEqual([0, 100, 200, 300]);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('refills up to the burst, not beyond', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ requestsPerSecond: 2, burst: 2, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    await bucket.take();
    clock.advance(60_000);
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 0 });
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 0 });
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 500 });
  });

  it('refuses without reserving when the wait exceeds maxWaitMs', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket({ requestsPerSecond: 1, burst: 1, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    await expect(bucket.take(500)).resolves.toEqual({ ok: false, waitMs: 1000 });
    // the refusal reserved nothing: the next caller still waits only one interval
    await expect(bucket.take()).resolves.toEqual({ ok: true, waitedMs: 1000 });
  });

  it('rejects nonsensical settings', () => {
    expect(() => createTokenBucket({ requestsPerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => createTokenBucket({ requestsPerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['5', 5],
    ['0', 0],
    ['1.5', 1.5],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30],
    ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
  ])('reads %p as %p seconds', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([null, undefined, '', 'soon', '-3'])('ignores %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
