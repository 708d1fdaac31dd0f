import { scrubPersonalData } from '../../../logging/scrub.js';
import type { Channel, Kind } from '../../../records/records.constants.js';
import { NYC_BOROUGHS, NYC_CITY, NYC_STATE, boroughCode, communityBoardRow } from '../../reference/nyc-areas.js';
import type { BoundMapper, CaseInput, MapResult, NewReferenceRows } from '../case-input.js';
import { mapHeader, type FieldSpec } from '../header-map.js';
import { parseTimestamp } from '../time-parsing.js';
import { replyFingerprint } from '../vocabulary.js';
import type { ProfileContext } from './profile.js';

type Field =
  | 'key'
  | 'created'
  | 'closed'
  | 'agency'
  | 'agencyName'
  | 'complaintType'
  | 'descriptor'
  | 'status'
  | 'resolution'
  | 'communityBoard'
  | 'borough'
  | 'channel';

/** Both header styles normalize to snake_case: `Unique Key` and `unique_key` are one column. */
export function snakeHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

const HEADERS: FieldSpec<Field>[] = [
  { field: 'key', headers: ['unique_key'], required: true },
  { field: 'created', headers: ['created_date'], required: true },
  { field: 'closed', headers: ['closed_date'] },
  { field: 'agency', headers: ['agency'], required: true },
  { field: 'agencyName', headers: ['agency_name'] },
  { field: 'complaintType', headers: ['complaint_type'], required: true },
  { field: 'descriptor', headers: ['descriptor'] },
  { field: 'status', headers: ['status'] },
  { field: 'resolution', headers: ['resolution_description'] },
  { field: 'communityBoard', headers: ['community_board'] },
  { field: 'borough', headers: ['borough'], required: true },
  { field: 'channel', headers: ['open_data_channel_type'] },
];

/** Columns that may hold personal data in 311 exports (addresses, coordinates): never stored, blanked in rejects. */
const PERSONAL = new Set([
  'incident_address',
  'street_name',
  'cross_street_1',
  'cross_street_2',
  'intersection_street_1',
  'intersection_street_2',
  'landmark',
  'bbl',
  'x_coordinate_state_plane',
  'y_coordinate_state_plane',
  'latitude',
  'longitude',
  'location',
]);

const CHANNELS: Record<string, Channel> = {
  PHONE: 'phone',
  ONLINE: 'web',
  MOBILE: 'app',
  UNKNOWN: 'other',
  OTHER: 'other',
};
const HELP = /request|assistance|application|information|missed delivery|heap|scrie/i;
const SOLVED = /took action|corrected|completed|resolved|repaired|fixed|issued a summons|made an arrest|removed/i;

export function slug(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 60) || 'UNSPECIFIED'
  );
}

/**
 * NYC 311 service requests: borough → district, community board → street (community
 * district), agency → department `NYC-<agency>`, complaint type → category level 1
 * `NYC_<TYPE>`, descriptor → level 2 `NYC_<TYPE>.<DESCRIPTOR>`, open data channel → channel,
 * status and resolution → closed time, outcome and reply. Dates are New York local time.
 */
export function bindNyc311(header: string[], ctx: ProfileContext): BoundMapper<string[], CaseInput> {
  const { index, unknownColumns } = mapHeader(header, HEADERS, snakeHeader, 'nyc311');
  const refs = ctx.refs;
  let pending: NewReferenceRows = { areas: [], categories: [], departments: [] };
  const warnings: Record<string, number> = {};
  const get = (raw: string[], f: Field) => (index[f] >= 0 ? (raw[index[f]] ?? '').trim() : '');
  const snake = header.map(snakeHeader);

  const ensureCategory = (code: string, level: number, parent: string | null, name: string) => {
    if (refs.categories.has(code)) return;
    refs.addCategory(code, level, parent, `${name}`, name);
    pending.categories.push({ code, level, parentCode: parent, nameZh: name, nameEn: name });
  };

  return {
    unknownColumns: unknownColumns.filter((c) => !PERSONAL.has(snakeHeader(c))),
    warnings,
    takeNewReferences: () => {
      const out = pending;
      pending = { areas: [], categories: [], departments: [] };
      return out.areas.length + out.categories.length + out.departments.length > 0 ? out : null;
    },
    map: (raw): MapResult<CaseInput> => {
      const fail = (reason: string): MapResult<CaseInput> => ({ ok: false, reason });
      if (raw.length !== header.length)
        return fail(`the row has ${raw.length} fields, the header has ${header.length}`);
      const key = get(raw, 'key');
      if (key === '') return fail('unique_key is empty');
      const createdRaw = get(raw, 'created');
      const receivedAt = parseTimestamp(createdRaw, 'America/New_York');
      if (receivedAt === null)
        return fail(`created_date "${scrubPersonalData(createdRaw).slice(0, 40)}" is not a date and time`);
      const closedRaw = get(raw, 'closed');
      const closedAt = closedRaw === '' ? null : parseTimestamp(closedRaw, 'America/New_York');
      if (closedAt === null && closedRaw !== '')
        return fail(`closed_date "${scrubPersonalData(closedRaw).slice(0, 40)}" is not a date and time`);
      if (closedAt !== null && closedAt < receivedAt) return fail('closed_date is before created_date');
      const type = get(raw, 'complaintType');
      if (type === '') return fail('complaint_type is empty');

      const l1 = `NYC_${slug(type)}`;
      ensureCategory(l1, 1, null, type);
      const descriptor = get(raw, 'descriptor');
      let l2: string | null = null;
      if (descriptor !== '' && descriptor !== 'N/A') {
        l2 = `${l1}.${slug(descriptor)}`;
        ensureCategory(l2, 2, l1, descriptor);
      }

      const agency = get(raw, 'agency');
      let department: string | null = null;
      if (agency !== '') {
        department = `NYC-${slug(agency)}`;
        if (!refs.departments.has(department)) {
          const name = get(raw, 'agencyName') || agency;
          refs.addDepartment(department, name, name);
          pending.departments.push({ code: department, nameZh: name, nameEn: name, areaCode: NYC_CITY.code });
        }
      }

      const boroughName = get(raw, 'borough').toUpperCase();
      const board = /^(\d{1,2})\s+(.+)$/.exec(get(raw, 'communityBoard').toUpperCase());
      const borough =
        NYC_BOROUGHS.find((b) => b.name === boroughName) ??
        NYC_BOROUGHS.find((b) => board !== null && b.name === board[2]);
      let district: string | null = null;
      let street: string | null = null;
      if (borough) {
        district = boroughCode(borough.abbr);
        if (board && board[2] === borough.name && Number(board[1]) > 0) {
          const row = communityBoardRow(borough, Number(board[1]));
          street = row.code;
          if (!refs.areas.has(row.code)) {
            refs.addArea(row.code, row.level, row.parentCode, row.nameZh, row.nameEn);
            pending.areas.push(row);
          }
        }
      } else if (boroughName !== '' && boroughName !== 'UNSPECIFIED') {
        return fail(`borough "${boroughName.slice(0, 30)}" is not one of the five boroughs or Unspecified`);
      } else {
        warnings.unspecifiedBorough = (warnings.unspecifiedBorough ?? 0) + 1;
      }

      const channelRaw = get(raw, 'channel').toUpperCase();
      const channel = channelRaw === '' ? 'other' : CHANNELS[channelRaw];
      if (!channel)
        return fail(`open_data_channel_type "${channelRaw.slice(0, 20)}" is not PHONE, ONLINE, MOBILE or UNKNOWN`);

      const status = get(raw, 'status').toLowerCase();
      const resolution = ctx.scrubber.scrub(get(raw, 'resolution'));
      const kind: Kind = HELP.test(type) ? 'help' : 'complaint';
      return {
        ok: true,
        value: {
          source: ctx.source,
          caseNumber: key,
          receivedAt,
          dispatchedAt: null,
          closedAt,
          channel,
          kind,
          categoryL1: l1,
          categoryL2: l2,
          categoryL3: null,
          provinceCode: NYC_STATE.code,
          cityCode: NYC_CITY.code,
          districtCode: district,
          streetCode: street,
          departmentCode: department,
          outcome: status === 'closed' && resolution !== null && SOLVED.test(resolution) ? 'solved' : null,
          satisfaction: 'unrated',
          dissatisfactionReason: null,
          requestText: null,
          replyText: resolution,
          replyFingerprint: replyFingerprint(resolution),
          callerPseudonym: null,
        },
      };
    },
    redact: (raw) => {
      const out: Record<string, unknown> = {};
      header.forEach((h, i) => (out[h] = PERSONAL.has(snake[i]) ? '' : scrubPersonalData(raw[i] ?? '')));
      return out;
    },
  };
}
