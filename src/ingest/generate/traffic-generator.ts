import { JIANGSU_CITIES, type CityRef } from '../reference/jiangsu-areas.js';
import {
  CALIBRATION,
  HOUR_WEIGHT,
  MONTH_FACTOR,
  WEEKDAY_FACTOR,
  surgeHourFactor,
  yearlyMillions,
} from './calibration.js';
import { dayList } from './case-generator.js';
import { Prng } from './prng.js';

export interface GeneratedTraffic {
  cityCode: string;
  /** Start of the hour, `YYYY-MM-DD HH:00` local time (Asia/Shanghai). */
  hourStart: string;
  callsOffered: number;
  callsAnswered: number;
  callsAbandoned: number;
}

const HOUR_TOTAL = HOUR_WEIGHT.reduce((a, b) => a + b, 0);
const PEAK_HOUR = Math.max(...HOUR_WEIGHT);
const PHONE_SHARE = CALIBRATION.channels.phone / 30.12;

/** A city's expected calls offered in a normal hour (no surge, no noise). */
function normalOffered(city: CityRef, day: string, hour: number): number {
  const date = new Date(`${day}T00:00:00Z`);
  const population = JIANGSU_CITIES.reduce((s, c) => s + c.population, 0);
  const perDay =
    ((yearlyMillions(date.getUTCFullYear()) * 1e6 * PHONE_SHARE) / CALIBRATION.normalAnswerRate / 365) *
    MONTH_FACTOR[date.getUTCMonth()] *
    WEEKDAY_FACTOR[(date.getUTCDay() + 6) % 7];
  return (((perDay * city.population) / population) * HOUR_WEIGHT[hour]) / HOUR_TOTAL;
}

const weeksBefore = (day: string) =>
  [1, 2, 3, 4].map((k) => new Date(Date.parse(`${day}T00:00:00Z`) - 7 * k * 86_400_000).toISOString().slice(0, 10));

/**
 * A city's expected calls offered in an hour (no noise). In a surge the factor multiplies the
 * normal volume of the same hour of the week over the previous four weeks, so that "21x normal"
 * reads as 21x against the four-week baseline surge monitoring uses.
 */
export function expectedOffered(city: CityRef, day: string, hour: number): number {
  const factor = surgeHourFactor(city.code, day, hour);
  if (factor === 1) return normalOffered(city, day, hour);
  const before = weeksBefore(day).map((d) => normalOffered(city, d, hour));
  return (factor * before.reduce((a, b) => a + b, 0)) / before.length;
}

/**
 * Ground truth of the planted surge: expected calls offered over the mean expected calls of the
 * same hour of the week in the previous four weeks (surges included), i.e. the surge ratio a
 * noise-free four-week baseline would show.
 */
export function plantedSurgeRatio(cityCode: string, day: string, hour: number): number {
  const city = JIANGSU_CITIES.find((c) => c.code === cityCode)!;
  const before = weeksBefore(day).map((d) => expectedOffered(city, d, hour));
  return expectedOffered(city, day, hour) / (before.reduce((a, b) => a + b, 0) / before.length);
}

/**
 * Hourly call traffic per city at real scale: the year's phone requests (26.69 M in 2021,
 * scaled by the yearly volume) over a 90% answer rate, split by population and by the same
 * rhythm as the cases. Each city answers up to a fixed capacity (its seats: 1.25× a normal
 * peak hour), so normal hours answer about 90% and the Suzhou surge of March 2022 (up to 21×
 * the volume of the previous four weeks) answers under 20%.
 */
export function* generateTraffic(options: { from: string; to: string; seed: string }): Generator<GeneratedTraffic> {
  const rng = new Prng(`traffic:${options.seed}`);
  const peakHour = HOUR_WEIGHT.indexOf(PEAK_HOUR);
  for (const day of dayList(options.from, options.to)) {
    for (let hour = 0; hour < 24; hour++) {
      for (const city of JIANGSU_CITIES) {
        const capacity = normalOffered(city, day, peakHour) * 1.25;
        const noise = 0.85 + rng.next() * 0.3;
        const offered = Math.max(0, Math.round(expectedOffered(city, day, hour) * noise));
        const rate = CALIBRATION.normalAnswerRate - 0.03 + rng.next() * 0.06;
        const answered = Math.min(Math.round(offered * rate), Math.round(capacity * rate));
        yield {
          cityCode: city.code,
          hourStart: `${day} ${String(hour).padStart(2, '0')}:00`,
          callsOffered: offered,
          callsAnswered: answered,
          callsAbandoned: offered - answered,
        };
      }
    }
  }
}
