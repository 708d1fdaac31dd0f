/**
 * The table builder's query, as it lives in the URL. A link reproduces the query (never the
 * credential: nothing secret is part of the state). Pure functions only, unit-tested
 * (query-state.spec.ts).
 *
 * URL parameters:
 *   ds=hotline-cases            dataset slug
 *   r=area.city,time.month      rows: dimension.level, in order
 *   c=kind                      columns: dimension.level
 *   m=cases,solvedRate          measures
 *   f=area.city:320500|320100   a member filter (repeatable): dimension.level:code|code
 *   from=2021-01 & to=2021-12   the time range (any time code)
 *   o=cases:desc                order by a measure or a grouped dimension
 *   n=100                       limit (top N)
 *   lic=L-1                     the licence the query is made under
 */

export interface Axis {
  dimension: string;
  /** Omitted only for one-level dimensions whose level code equals the dimension's. */
  level: string;
}

export interface MemberFilter extends Axis {
  in: string[];
}

export interface BuilderState {
  dataset: string;
  rows: Axis[];
  columns: Axis[];
  measures: string[];
  filters: MemberFilter[];
  timeFrom: string;
  timeTo: string;
  order: { field: string; direction: 'ASC' | 'DESC' } | null;
  limit: number | null;
  licenseId: string;
}

export const EMPTY_STATE: BuilderState = {
  dataset: '',
  rows: [],
  columns: [],
  measures: [],
  filters: [],
  timeFrom: '',
  timeTo: '',
  order: null,
  limit: null,
  licenseId: '',
};

/** The largest limit the builder offers; the API has its own ceiling and says so if exceeded. */
export const MAX_LIMIT = 10_000;

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MEMBER = /^[^|,:]{1,64}$/;
const TIME_CODE = /^[0-9]{4}(-(Q[1-4]|W[0-9]{2}|[0-9]{2}(-[0-9]{2}(T[0-9]{2})?)?))?$/;
const LICENSE = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ParseResult {
  state: BuilderState;
  /** Parts of the URL that were not understood and were left out, in words. */
  problems: string[];
}

function parseAxis(text: string): Axis | null {
  const [dimension, level, ...rest] = text.split('.');
  if (rest.length > 0 || !dimension || !NAME.test(dimension)) return null;
  if (level === undefined) return { dimension, level: dimension };
  return NAME.test(level) ? { dimension, level } : null;
}

function axisText(a: Axis): string {
  return `${a.dimension}.${a.level}`;
}

function parseAxes(raw: string | null, what: string, problems: string[]): Axis[] {
  if (!raw) return [];
  const axes: Axis[] = [];
  for (const part of raw.split(',')) {
    if (part === '') continue;
    const axis = parseAxis(part);
    if (axis) axes.push(axis);
    else problems.push(`${what} "${part}" is not dimension.level`);
  }
  return axes;
}

/** Reads the builder state from a URL query string (`location.search`). Never throws. */
export function parseState(search: string): ParseResult {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const state: BuilderState = { ...EMPTY_STATE, rows: [], columns: [], measures: [], filters: [] };

  const ds = params.get('ds') ?? '';
  if (ds !== '') {
    if (NAME.test(ds)) state.dataset = ds;
    else problems.push(`dataset "${ds}" is not a dataset slug`);
  }
  state.rows = parseAxes(params.get('r'), 'row', problems);
  state.columns = parseAxes(params.get('c'), 'column', problems);
  for (const m of (params.get('m') ?? '').split(',')) {
    if (m === '') continue;
    if (NAME.test(m) && !state.measures.includes(m)) state.measures.push(m);
    else if (!NAME.test(m)) problems.push(`measure "${m}" is not a measure code`);
  }
  for (const f of params.getAll('f')) {
    const colon = f.indexOf(':');
    const axis = colon > 0 ? parseAxis(f.slice(0, colon)) : null;
    const members =
      colon > 0
        ? f
            .slice(colon + 1)
            .split('|')
            .filter((x) => x !== '')
        : [];
    if (!axis || members.length === 0 || !members.every((x) => MEMBER.test(x))) {
      problems.push(`filter "${f}" is not dimension.level:code|code`);
      continue;
    }
    if (axis.dimension === 'time') {
      problems.push('time is filtered with from= and to=, not f=');
      continue;
    }
    const existing = state.filters.find((x) => x.dimension === axis.dimension && x.level === axis.level);
    if (existing) existing.in = [...new Set([...existing.in, ...members])];
    else state.filters.push({ ...axis, in: [...new Set(members)] });
  }
  for (const [key, field] of [
    ['from', 'timeFrom'],
    ['to', 'timeTo'],
  ] as const) {
    const v = params.get(key) ?? '';
    if (v === '') continue;
    if (TIME_CODE.test(v)) state[field] = v;
    else problems.push(`${key} "${v}" is not a time code such as 2021, 2021-Q1, 2021-03 or 2021-03-15`);
  }
  const o = params.get('o');
  if (o) {
    const [field, dir = 'asc', ...rest] = o.split(':');
    const direction = dir.toUpperCase();
    const fieldOk = field !== undefined && (NAME.test(field) || parseAxis(field) !== null);
    if (fieldOk && rest.length === 0 && (direction === 'ASC' || direction === 'DESC')) {
      state.order = { field, direction };
    } else {
      problems.push(`order "${o}" is not field:asc or field:desc`);
    }
  }
  const n = params.get('n');
  if (n) {
    const limit = Number(n);
    if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT) state.limit = limit;
    else problems.push(`limit "${n}" is not a whole number from 1 to ${MAX_LIMIT}`);
  }
  const lic = params.get('lic') ?? '';
  if (lic !== '') {
    if (LICENSE.test(lic)) state.licenseId = lic;
    else problems.push(`licence "${lic}" is not a licence id`);
  }
  return { state, problems };
}

/** Writes the state as a query string (without "?"), in a stable order; empty parts are left out. */
export function serializeState(state: BuilderState): string {
  const params = new URLSearchParams();
  if (state.dataset) params.set('ds', state.dataset);
  if (state.rows.length > 0) params.set('r', state.rows.map(axisText).join(','));
  if (state.columns.length > 0) params.set('c', state.columns.map(axisText).join(','));
  if (state.measures.length > 0) params.set('m', state.measures.join(','));
  for (const f of state.filters) {
    if (f.in.length > 0) params.append('f', `${axisText(f)}:${f.in.join('|')}`);
  }
  if (state.timeFrom) params.set('from', state.timeFrom);
  if (state.timeTo) params.set('to', state.timeTo);
  if (state.order) params.set('o', `${state.order.field}:${state.order.direction.toLowerCase()}`);
  if (state.limit !== null) params.set('n', String(state.limit));
  if (state.licenseId) params.set('lic', state.licenseId);
  return params.toString();
}

/** The catalog facts the builder checks a state against. */
export interface CatalogShape {
  dimensions: { code: string; levels: { code: string; members?: { code: string }[] }[] }[];
  measures: { code: string }[];
}

/**
 * The name of a grouped dimension's column in the answer (and in orderBy), as the API writes it:
 * the dimension code for one-level dimensions (e.g. kind), dimension.level otherwise (area.city).
 */
export function columnOf(a: Axis, catalog: CatalogShape): string {
  const d = catalog.dimensions.find((x) => x.code === a.dimension);
  return d && d.levels.length === 1 ? a.dimension : axisText(a);
}

function hasLevel(catalog: CatalogShape, a: Axis): boolean {
  return catalog.dimensions.some((d) => d.code === a.dimension && d.levels.some((l) => l.code === a.level));
}

/**
 * Keeps only what the dataset publishes (a link made for another version or role may name
 * more): unknown dimensions, levels and measures are dropped, a dimension is grouped at most once,
 * and the order field must be a chosen measure or grouped dimension. Says what it dropped.
 */
export function fitToCatalog(state: BuilderState, catalog: CatalogShape): ParseResult {
  const problems: string[] = [];
  const seen = new Set<string>();
  const keepAxis = (a: Axis, where: string): boolean => {
    if (!hasLevel(catalog, a)) {
      problems.push(`${where} ${axisText(a)} is not published in this dataset`);
      return false;
    }
    if (seen.has(a.dimension)) {
      problems.push(`${a.dimension} is grouped twice; kept the first`);
      return false;
    }
    seen.add(a.dimension);
    return true;
  };
  const rows = state.rows.filter((a) => keepAxis(a, 'row'));
  const columns = state.columns.filter((a) => keepAxis(a, 'column'));
  const known = new Set(catalog.measures.map((m) => m.code));
  const measures = state.measures.filter((m) => {
    if (!known.has(m)) problems.push(`measure ${m} is not published in this dataset`);
    return known.has(m);
  });
  const filters = state.filters.filter((f) => {
    if (!hasLevel(catalog, f)) problems.push(`filter on ${axisText(f)} is not possible in this dataset`);
    return hasLevel(catalog, f);
  });
  const grouped = [...rows, ...columns].map((a) => columnOf(a, catalog));
  let order = state.order;
  if (order && !measures.includes(order.field) && !grouped.includes(order.field)) {
    problems.push(`order by ${order.field}: not a chosen measure or grouped dimension`);
    order = null;
  }
  return { state: { ...state, rows, columns, measures, filters, order }, problems };
}

/** The AggregateQueryInput the API takes (GraphQL variable `q`, or the export's `?query=`). */
export interface AggregateQueryInput {
  dataset: string;
  groupBy?: { dimension: string; level: string }[];
  measures: string[];
  filters?: { dimension: string; level?: string; in?: string[]; from?: string; to?: string }[];
  licenseId?: string;
  orderBy?: { field: string; direction: 'ASC' | 'DESC' }[];
  limit?: number;
}

export function toAggregateInput(state: BuilderState): AggregateQueryInput {
  const input: AggregateQueryInput = { dataset: state.dataset, measures: [...state.measures] };
  const groupBy = [...state.rows, ...state.columns].map((a) => ({ dimension: a.dimension, level: a.level }));
  if (groupBy.length > 0) input.groupBy = groupBy;
  const filters: NonNullable<AggregateQueryInput['filters']> = state.filters
    .filter((f) => f.in.length > 0)
    .map((f) => ({ dimension: f.dimension, level: f.level, in: [...f.in] }));
  if (state.timeFrom || state.timeTo) {
    filters.push({
      dimension: 'time',
      ...(state.timeFrom ? { from: state.timeFrom } : {}),
      ...(state.timeTo ? { to: state.timeTo } : {}),
    });
  }
  if (filters.length > 0) input.filters = filters;
  if (state.licenseId) input.licenseId = state.licenseId;
  if (state.order) input.orderBy = [{ field: state.order.field, direction: state.order.direction }];
  if (state.limit !== null) input.limit = state.limit;
  return input;
}

/** What must be fixed before the query can be sent, in words (empty when it can be sent). */
export function missingParts(state: BuilderState): string[] {
  const missing: string[] = [];
  if (!state.dataset) missing.push('dataset');
  if (state.measures.length === 0) missing.push('measure');
  return missing;
}

/** Whether the URL holds a complete query, so opening the link runs it. */
export function isRunnable(state: BuilderState): boolean {
  return missingParts(state).length === 0;
}
