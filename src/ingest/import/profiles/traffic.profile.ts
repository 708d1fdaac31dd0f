import { scrubPersonalData } from '../../../logging/scrub.js';
import type { BoundMapper, TrafficInput } from '../case-input.js';
import { mapHeader, type FieldSpec } from '../header-map.js';
import { parseTimestamp } from '../time-parsing.js';
import type { ProfileContext } from './profile.js';

type Field = 'city' | 'hour' | 'offered' | 'answered' | 'abandoned';

/** Hourly call traffic per city (`generate --traffic`); Chinese or English headers. */
export const TRAFFIC_HEADERS: FieldSpec<Field>[] = [
  { field: 'city', headers: ['所属地市', 'city_code', 'city'], required: true },
  { field: 'hour', headers: ['统计时段', 'hour_start', 'hour'], required: true },
  { field: 'offered', headers: ['呼入量', 'calls_offered'], required: true },
  { field: 'answered', headers: ['接通量', 'calls_answered'], required: true },
  { field: 'abandoned', headers: ['放弃量', 'calls_abandoned'], required: true },
];

const COUNT = /^\d{1,9}$/;

export function bindTraffic(header: string[], ctx: ProfileContext): BoundMapper<string[], TrafficInput> {
  const { index, unknownColumns } = mapHeader(header, TRAFFIC_HEADERS, undefined, 'traffic');
  const label = (f: Field) => header[index[f]].trim();
  return {
    unknownColumns,
    warnings: {},
    takeNewReferences: () => null,
    map: (raw) => {
      const fail = (reason: string) => ({ ok: false as const, reason });
      if (raw.length !== header.length)
        return fail(`the row has ${raw.length} fields, the header has ${header.length}`);
      const cityRaw = (raw[index.city] ?? '').trim();
      const city = ctx.refs.area(cityRaw, 'city', null);
      if (!city) return fail(`${label('city')} "${scrubPersonalData(cityRaw).slice(0, 30)}" is not a known city`);
      const hourRaw = (raw[index.hour] ?? '').trim();
      const hour = parseTimestamp(hourRaw, 'Asia/Shanghai');
      if (hour === null || hour % 3600_000 !== 0) {
        return fail(
          `${label('hour')} "${scrubPersonalData(hourRaw).slice(0, 30)}" is not the start of an hour (YYYY-MM-DD HH:00)`,
        );
      }
      const counts: number[] = [];
      for (const f of ['offered', 'answered', 'abandoned'] as const) {
        const v = (raw[index[f]] ?? '').trim();
        if (!COUNT.test(v)) return fail(`${label(f)} "${scrubPersonalData(v).slice(0, 20)}" is not a whole number`);
        counts.push(Number(v));
      }
      const [offered, answered, abandoned] = counts;
      if (answered + abandoned > offered) {
        return fail(`${label('answered')} + ${label('abandoned')} exceed ${label('offered')}`);
      }
      return {
        ok: true,
        value: {
          source: ctx.source,
          cityCode: city,
          hourStart: hour,
          callsOffered: offered,
          callsAnswered: answered,
          callsAbandoned: abandoned,
        },
      };
    },
    redact: (raw) => Object.fromEntries(header.map((h, i) => [h, scrubPersonalData(raw[i] ?? '')])),
  };
}
