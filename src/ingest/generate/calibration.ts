import type { Channel, Kind } from '../../records/records.constants.js';

/**
 * The figures the generator reproduces (Jiangsu provincial report 2022 and public
 * provincial figures). Tests check generated data against these.
 */
export const CALIBRATION = {
  /** Requests per year, millions: drives the year-to-year volume. */
  yearlyRequestsMillions: { 2020: 22.87, 2021: 30.12, 2022: 48.54, 2023: 46.1, 2024: 43.67 } as Record<number, number>,
  /** 2021 channels: phone 26.69 M, internet 3.10 M (web/app/WeChat), other 0.33 M of 30.12 M. */
  channels: { phone: 26.69, web: 1.05, app: 0.85, wechat: 1.2, other: 0.33 } satisfies Record<Channel, number>,
  /** About 49% consultations, 51% other requests. */
  kinds: {
    consultation: 49,
    help: 17,
    complaint: 22,
    report: 5,
    suggestion: 5,
    praise: 2,
  } satisfies Record<Kind, number>,
  /** Mean handling time, days: consultations 1.4, other requests 4.3. */
  handlingDays: { consultation: 1.4, other: 4.3 },
  /** Share of callers who rate, and satisfied (满意 or 基本满意) among those who rate: 97%. */
  ratedShare: 0.6,
  satisfiedAmongRated: 0.97,
  /** Normal answer rate about 90%; Suzhou March 2022: 21x volume in some hours, under 20% answered. */
  normalAnswerRate: 0.9,
  surge: { city: '320500', from: '2022-03-13', to: '2022-03-31', peakHourFactor: 21 },
  /** Level-1 categories whose complaints come back most (repeat chains). */
  repeatProne: ['ENV', 'PROP', 'TRAF'],
  repeatWithinDays: 90,
};

/** Month (Jan..Dec) and weekday (Mon..Sun) rhythm, and the hour-of-day profile (0..23). */
export const MONTH_FACTOR = [0.92, 0.8, 1.0, 1.0, 1.0, 1.05, 1.15, 1.15, 1.0, 0.95, 0.98, 0.98];
export const WEEKDAY_FACTOR = [1.12, 1.06, 1.04, 1.02, 1.0, 0.9, 0.86];
export const HOUR_WEIGHT = [
  0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5.5, 6, 5.5, 4, 4, 5, 5.5, 5.2, 4.5, 3.5, 3.2, 3, 2.5, 1.6, 0.9,
];

/** Suzhou's volume factor on a day of the March 2022 surge (1 outside it). */
export function surgeDayFactor(cityCode: string, isoDay: string): number {
  const s = CALIBRATION.surge;
  if (cityCode !== s.city || isoDay < s.from || isoDay > s.to) return 1;
  const day = Number(isoDay.slice(8, 10));
  if (day <= 13) return 3;
  if (day <= 20) return 8;
  return 5;
}

/** Hourly factor in the surge: peaks of 21x on the worst days' mornings. */
export function surgeHourFactor(cityCode: string, isoDay: string, hour: number): number {
  const f = surgeDayFactor(cityCode, isoDay);
  if (f === 1) return 1;
  return hour >= 8 && hour <= 11 ? (f * CALIBRATION.surge.peakHourFactor) / 8 : f;
}

export function yearlyMillions(year: number): number {
  const table = CALIBRATION.yearlyRequestsMillions;
  const years = Object.keys(table).map(Number);
  const nearest = years.reduce((a, b) => (Math.abs(b - year) < Math.abs(a - year) ? b : a));
  return table[nearest];
}
