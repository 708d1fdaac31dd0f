import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: HOTLINE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (YYYY-MM-DD) in Asia/Shanghai, in which licence quotas and validity are counted. */
export function localDay(at: Date): string {
  return dayFormat.format(at);
}

/** When the quota day of `at` ends: the next midnight in Asia/Shanghai (UTC+8, no DST). */
export function quotaResetsAt(at: Date): Date {
  const next = new Date(`${localDay(at)}T00:00:00+08:00`);
  return new Date(next.getTime() + 24 * 3600 * 1000);
}
