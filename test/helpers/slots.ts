/** Daily refreshes with hourly due runs: a schedule that puts links on slots (lib/sync/schedule.ts). */
import { createSyncSchedule, type SyncScheduleOptions } from '../../lib/sync/schedule.ts';

export const DAY = 86_400;

export function dailySlotSchedule(options: Pick<SyncScheduleOptions, 'jitter' | 'random'> = {}) {
  return createSyncSchedule({
    intervalSeconds: { palomma: DAY, delos: DAY, mollie: DAY, juspay: DAY },
    dueRunSeconds: { palomma: 3600, delos: 3600, mollie: 3600, juspay: 3600 },
    retryBaseSeconds: 60,
    maxBackoffSeconds: 3600,
    jitter: 0,
    ...options,
  });
}

/** Where in the day a time falls, as a fraction (slots are fractions of the refresh interval). */
export const dayFraction = (time: Date | string) => (new Date(time).getTime() / 1000 / DAY) % 1;
