import { createSyncSchedule } from '../../../lib/sync/schedule.ts';

const intervals = { palomma: 3600, delos: 1800, mollie: 600, juspay: 300 };
const now = new Date('2024-06-01T00:00:00.000Z');
const at = (iso: string) => (Date.parse(iso) - now.getTime()) / 1000;

describe('createSyncSchedule', () => {
  const schedule = createSyncSchedule({
    intervalSeconds: intervals,
    retryBaseSeconds: 60,
    maxBackoffSeconds: 3600,
    jitter: 0,
  });

  it('makes a link due one provider interval after a success', () => {
    expect(at(schedule.nextDueAfterSuccess('mollie', now))).toBe(600);
    expect(at(schedule.nextDueAfterSuccess('palomma', now))).toBe(3600);
  });

  it('backs off exponentially after consecutive failures, up to the cap', () => {
    const delays = [1, 2, 3, 4, 10].map((n) => at(schedule.nextDueAfterFailure('juspay', now, n)));
    expect(delays).toEqual([60, 120, 240, 480, 3600]);
  });

  it('never retries before the provider said it may (Retry-After)', () => {
    expect(at(schedule.nextDueAfterFailure('juspay', now, 1, 900))).toBe(900);
  });

  it('keeps jittered delays within their nominal bound', () => {
    const jittered = createSyncSchedule({
      intervalSeconds: intervals,
      retryBaseSeconds: 60,
      maxBackoffSeconds: 3600,
      jitter: 0.5,
      random: () => 0.99,
    });
    const delay = at(jittered.nextDueAfterSuccess('mollie', now));
    expect(delay).toBeLessThanOrEqual(600);
    expect(delay).toBeGreaterThanOrEqual(300);
  });
});
