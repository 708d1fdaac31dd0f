import { JIANGSU_CITIES } from '../reference/jiangsu-areas.js';
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

/**
 * Hourly call traffic per city at real scale: the year's phone requests (26.69 M in 2021,
 * scaled by the yearly volume) over a 90% answer rate, split by population and by the same
 * rhythm as the cases. Each city answers up to a fixed capacity (its seats: 1.25× a normal
 * peak hour), so normal hours answer about 90% and the Suzhou surge of March 2022 (up to 21×
 * the volume) answers under 20%.
 */
export function* generateTraffic(options: { from: string; to: string; seed: string }): Generator<GeneratedTraffic> {
  const rng = new Prng(`traffic:${options.seed}`);
  const population = JIANGSU_CITIES.reduce((s, c) => s + c.population, 0);
  const phoneShare = CALIBRATION.channels.phone / 30.12;
  for (const day of dayList(options.from, options.to)) {
    const date = new Date(`${day}T00:00:00Z`);
    const year = date.getUTCFullYear();
    const perDay =
      ((yearlyMillions(year) * 1e6 * phoneShare) / CALIBRATION.normalAnswerRate / 365) *
      MONTH_FACTOR[date.getUTCMonth()] *
      WEEKDAY_FACTOR[(date.getUTCDay() + 6) % 7];
    for (let hour = 0; hour < 24; hour++) {
      for (const city of JIANGSU_CITIES) {
        const cityDay = (perDay * city.population) / population;
        const normal = (cityDay * HOUR_WEIGHT[hour]) / HOUR_TOTAL;
        const capacity = ((cityDay * PEAK_HOUR) / HOUR_TOTAL) * 1.25;
        const noise = 0.85 + rng.next() * 0.3;
        const offered = Math.max(0, Math.round(normal * noise * surgeHourFactor(city.code, day, hour)));
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
