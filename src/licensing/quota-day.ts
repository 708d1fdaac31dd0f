import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: HOTLINE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The last minute formatted: every request asks, and a day only changes on a whole minute. */
let lastMinute = NaN;
let lastDay = '';

/**
 * The calendar day (YYYY-MM-DD) in Asia/Shanghai, in which licence quotas and validity are counted.
 * Time zone offsets are whole minutes, so the day is the same throughout a UTC minute: formatted
 * once a minute (Intl formatting is slow enough to show in a profile), not on every request.
 */
export function localDay(at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDay = dayFormat.format(at);
    lastMinute = minute;
  }
  return lastDay;
}

/** When the quota day of `at` ends: the next midnight in Asia/Shanghai (UTC+8, no DST). */
export function quotaResetsAt(at: Date): Date {
  const next = new Date(`${localDay(at)}T00:00:00+08:00`);
  return new Date(next.getTime() + 24 * 3600 * 1000);
}
