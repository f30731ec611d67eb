import { slotOf } from '../../../lib/store/keys.ts';
import type { SlotRanges } from '../../../lib/store/types.ts';
import { createSyncSchedule } from '../../../lib/sync/schedule.ts';
import { DAY, dailySlotSchedule, dayFraction } from '../../helpers/slots.ts';

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
    expect(at(schedule.nextDueAfterSuccess('mollie', now, 'C1'))).toBe(600);
    expect(at(schedule.nextDueAfterSuccess('palomma', now, 'C1'))).toBe(3600);
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
    const delay = at(jittered.nextDueAfterSuccess('mollie', now, 'C1'));
    expect(delay).toBeLessThanOrEqual(600);
    expect(delay).toBeGreaterThanOrEqual(300);
  });

  it('puts no link on a slot and plans every link where no due-run period is known or the interval is short', () => {
    expect(schedule.dueSlots('mollie', now)).toBeNull();
    const frequent = createSyncSchedule({
      intervalSeconds: intervals,
      // juspay: 300 s interval = 3 runs of 100 s, not more: every run reads every link.
      dueRunSeconds: { palomma: 60, delos: 60, mollie: 60, juspay: 100 },
      retryBaseSeconds: 60,
      maxBackoffSeconds: 3600,
      jitter: 0,
    });
    expect(frequent.dueSlots('juspay', now)).toBeNull();
    expect(at(frequent.nextDueAfterSuccess('juspay', now, 'C1'))).toBe(300);
    expect(frequent.dueSlots('palomma', now)).not.toBeNull();
  });
});

describe('createSyncSchedule with slots (refresh interval well above the due-run period)', () => {
  const slotted = dailySlotSchedule({ jitter: 0.5, random: () => 0.99 });
  const ids = Array.from({ length: 200 }, (_, i) => `customer-${i}`);

  it('makes a link due on its own slot, at least half an interval after the success, at most one and a half', () => {
    for (const id of ids) {
      const due = slotted.nextDueAfterSuccess('mollie', now, id);
      expect(dayFraction(due)).toBeCloseTo(slotOf(id), 6);
      expect(at(due)).toBeGreaterThanOrEqual(DAY / 2);
      expect(at(due)).toBeLessThan(1.5 * DAY);
    }
  });

  it('keeps a link on its slot, one interval apart, when each sync happens a little after it came due', () => {
    const first = slotted.nextDueAfterSuccess('mollie', now, 'customer-7');
    const second = slotted.nextDueAfterSuccess('mollie', new Date(Date.parse(first) + 90_000), 'customer-7');
    expect((Date.parse(second) - Date.parse(first)) / 1000).toBe(DAY);
  });

  it('plans the slots of the last three runs, in two ranges across the end of the interval', () => {
    // In hours of the day, to the millisecond.
    const hours = (ranges: SlotRanges | null) =>
      ranges?.map(({ from, to }) => [
        Math.round(from * 24 * 3.6e6) / 3.6e6,
        Math.round(to * 24 * 3.6e6) / 3.6e6,
      ]);
    expect(hours(slotted.dueSlots('mollie', new Date('2024-06-01T12:00:00.000Z')))).toEqual([[9, 12]]);
    const ranges = slotted.dueSlots('mollie', new Date('2024-06-02T01:00:00.000Z'));
    expect(hours(ranges)).toEqual([
      [22, 24],
      [0, 1],
    ]);
    // A link due on its slot at 00:30 is in that window.
    const due = new Date('2024-06-02T00:30:00.000Z');
    const slot = dayFraction(due.toISOString());
    expect(ranges?.some((range) => range.from <= slot && slot < range.to)).toBe(true);
  });

  it('still backs failures off by their own delays, off the slots', () => {
    expect(at(slotted.nextDueAfterFailure('mollie', now, 1))).toBeLessThanOrEqual(60);
  });
});
