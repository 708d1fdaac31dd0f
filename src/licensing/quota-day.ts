import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: HOTLINE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1992 (the tz database). */
const FIXED_OFFSET_SINCE_MS = Date.UTC(1992, 0, 1);
const OFFSET_MS = 8 * 3_600_000;

/**
 * The calendar day (YYYY-MM-DD) in Asia/Shanghai, in which licence quotas and validity are counted:
 * by the fixed offset since 1992 (every request asks, and Intl formatting is slow enough to show in
 * a profile), by the time zone database before.
 */
export function localDay(at: Date): string {
  const ms = at.getTime();
  return ms >= FIXED_OFFSET_SINCE_MS ? new Date(ms + OFFSET_MS).toISOString().slice(0, 10) : dayFormat.format(at);
}

/** When the quota day of `at` ends: the next midnight in Asia/Shanghai (UTC+8, no DST). */
export function quotaResetsAt(at: Date): Date {
  const next = new Date(`${localDay(at)}T00:00:00+08:00`);
  return new Date(next.getTime() + 24 * 3600 * 1000);
}
