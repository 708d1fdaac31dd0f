import { deepFreeze } from '../common/deep-freeze.js';
import { badUserInput } from '../common/gateway-error.js';
import { MemberDirectory } from '../catalog/member-directory.js';
import {
  AggregateQuery,
  PlannedFilter,
  PlannedGroup,
  PlannedOrder,
  PlannedUnion,
  PlannerDataset,
  QueryPlan,
} from './query-plan.js';
import {
  DimensionSpec,
  dimensionSpec,
  LevelSpec,
  levelIndex,
  measureSpec,
  MeasureSpec,
  Series,
  TOPIC_DIMENSION,
  TOPIC_MEASURES,
} from '../catalog/registry.js';
import {
  parseTimeCode,
  TIME_FORMATS,
  TIME_LEVELS,
  timeBlocks,
  timeCodeAt,
  TimeLevel,
} from '../catalog/time-members.js';

/** At most this many cells (rows x measures) per result; more gets QUERY_TOO_COMPLEX with advice. */
export const MAX_RESULT_CELLS = 10_000;
/** At most this many rows are released and ranked for a top-N (`limit`), whatever the limit. */
export const MAX_RANKED_ROWS = 50_000;
const MAX_LISTED_CHOICES = 60;

const listed = (choices: string[]) =>
  choices.length <= MAX_LISTED_CHOICES
    ? choices.join(', ')
    : `${choices.slice(0, MAX_LISTED_CHOICES).join(', ')}, ... (${choices.length} in all; see dataset(slug) for every member)`;

/**
 * Checks a query against its dataset's published definition and the registry, and returns a
 * plan. Every wrong name gets BAD_USER_INPUT naming the valid choices in `extensions.validChoices`.
 */
export function planQuery(dataset: PlannerDataset, query: AggregateQuery, members: MemberDirectory): QueryPlan {
  const def = dataset.definition;
  const series = (def.source ?? 'cases') as Series;
  const published = new Map(def.dimensions.map((d) => [d.code, d.levels.map((l) => l.code)]));
  const dimensionCodes = def.dimensions.map((d) => d.code);

  const resolveDimension = (code: string, where: string): [DimensionSpec, string[]] => {
    const levels = published.get(code);
    const spec = dimensionSpec(code);
    if (!levels || !spec) {
      throw badUserInput(
        `${where}: dataset "${dataset.slug}" has no dimension "${code}". Use one of: ${dimensionCodes.join(', ')}.`,
        { validChoices: dimensionCodes },
      );
    }
    return [spec, levels];
  };
  const resolveLevel = (dim: DimensionSpec, levels: string[], level: string | null | undefined, where: string) => {
    if (level === undefined || level === null || level === '') {
      if (levels.length === 1) return dim.levels.find((l) => l.code === levels[0])!;
      throw badUserInput(
        `${where}: dimension "${dim.code}" has several levels; say which one with level: one of ${levels.join(', ')}.`,
        { validChoices: levels },
      );
    }
    if (!levels.includes(level)) {
      throw badUserInput(
        `${where}: dimension "${dim.code}" in dataset "${dataset.slug}" has no level "${level}". Use one of: ${levels.join(', ')}.`,
        { validChoices: levels },
      );
    }
    return dim.levels.find((l) => l.code === level)!;
  };

  // Measures.
  const measureCodes = def.measures.map((m) => m.code);
  if (query.measures.length === 0) {
    throw badUserInput(`measures: name at least one measure, e.g. ${measureCodes[0]}.`, { validChoices: measureCodes });
  }
  const measures: MeasureSpec[] = [];
  for (const code of query.measures) {
    const spec = measureCodes.includes(code) ? measureSpec(series, code) : undefined;
    if (!spec) {
      throw badUserInput(
        `measures: dataset "${dataset.slug}" has no measure "${code}". Use any of: ${measureCodes.join(', ')}.`,
        { validChoices: measureCodes },
      );
    }
    if (measures.includes(spec)) throw badUserInput(`measures: "${code}" is listed twice; list each measure once.`);
    measures.push(spec);
  }

  // Group by.
  const groups: PlannedGroup[] = [];
  for (const [i, g] of (query.groupBy ?? []).entries()) {
    const [dim, levels] = resolveDimension(g.dimension, `groupBy[${i}]`);
    const level = resolveLevel(dim, levels, g.level, `groupBy[${i}]`);
    if (groups.some((x) => x.dimension.code === dim.code)) {
      throw badUserInput(
        `groupBy[${i}]: dimension "${dim.code}" is grouped twice; group each dimension at one level (filter on others).`,
      );
    }
    groups.push({ dimension: dim, level, column: dim.levels.length === 1 ? dim.code : `${dim.code}.${level.code}` });
  }

  // Filters.
  const filters: PlannedFilter[] = [];
  for (const [i, f] of (query.filters ?? []).entries()) {
    const where = `filters[${i}]`;
    const [dim, levels] = resolveDimension(f.dimension, where);
    const hasRange = (f.from ?? null) !== null || (f.to ?? null) !== null;
    const hasIn = (f.in ?? null) !== null;
    if (dim.code === 'time') {
      if (hasRange && hasIn) {
        throw badUserInput(`${where}: give either from/to or level with in for time, not both.`);
      }
      if (hasRange) {
        filters.push(planTimeRange(f.from ?? undefined, f.to ?? undefined, levels, where));
        continue;
      }
    } else if (hasRange) {
      throw badUserInput(`${where}: from/to apply to time only; filter "${dim.code}" with level and in: [codes].`);
    }
    if (!hasIn || f.in!.length === 0) {
      throw badUserInput(
        `${where}: give in: [codes] (at least one) for dimension "${dim.code}"${dim.code === 'time' ? ', or from/to' : ''}.`,
      );
    }
    const level = resolveLevel(dim, levels, f.level, where);
    const values = [...new Set(f.in)];
    if (dim.code === 'time') {
      const starts: Date[] = [];
      for (const v of values) {
        const p = parseTimeCode(v);
        if (!p || p.level !== level.code) {
          throw badUserInput(
            `${where}: "${v}" is not a ${level.code} code; write ${TIME_FORMATS[level.code as TimeLevel]}.`,
            {
              validChoices: [TIME_FORMATS[level.code as TimeLevel]],
            },
          );
        }
        starts.push(p.start);
      }
      filters.push({ kind: 'timeIn', level: level.code as TimeLevel, values, starts });
      continue;
    }
    // One dataset, one jurisdiction: another jurisdiction's areas and departments are not codes of this dataset.
    const known =
      def.jurisdiction && (level.members === 'area' || level.members === 'department')
        ? new Set(members.list(level, def.jurisdiction).map((m) => m.code))
        : members.codes(level);
    const unknown = values.filter((v) => !known.has(v));
    if (unknown.length > 0) {
      const choices = [...known].sort();
      throw badUserInput(
        `${where}: ${unknown.map((v) => `"${v}"`).join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} ${dim.code} ${level.code} code${unknown.length === 1 ? '' : 's'}. Valid codes: ${listed(choices)}.`,
        { validChoices: choices.slice(0, 500) },
      );
    }
    filters.push({ kind: 'in', dimension: dim, level, values });
  }

  // Analyses across rows: emerging issues compare periods, persistent issues read the months themselves.
  const timeGroup = groups.find((g) => g.dimension.code === 'time');
  for (const m of measures) {
    if (m.analysis === 'periodOverPeriod' && !timeGroup) {
      throw badUserInput(
        `measures: "${m.code}" compares each period with the one before; group by time too, e.g. { dimension: "time", level: "month" }.`,
      );
    }
    if (m.analysis === 'persistence') {
      if (timeGroup) {
        throw badUserInput(
          `measures: "${m.code}" counts consecutive months itself; do not group by time (filter time with from/to instead).`,
        );
      }
      if (!published.get('time')?.includes('month')) {
        throw badUserInput(
          `measures: "${m.code}" needs the time level month, which dataset "${dataset.slug}" does not publish.`,
        );
      }
    }
  }
  checkTopicRules(groups, filters, measures);

  // Cell cap and limit.
  const maxRows = Math.max(1, Math.floor(MAX_RESULT_CELLS / measures.length));
  const limit = query.limit ?? undefined;
  if (limit !== undefined && (limit < 1 || limit > maxRows)) {
    throw badUserInput(
      `limit: must be from 1 to ${maxRows} with ${measures.length} measure(s) (at most ${MAX_RESULT_CELLS} cells per result).`,
    );
  }

  // Order.
  const columns = [...groups.map((g) => g.column), ...measures.map((m) => m.code)];
  const orderBy: PlannedOrder[] = [];
  for (const [i, o] of (query.orderBy ?? []).entries()) {
    const keyIndex = groups.findIndex((g) => g.column === o.field || g.dimension.code === o.field);
    const measure = measures.find((m) => m.code === o.field);
    if (keyIndex < 0 && !measure) {
      throw badUserInput(
        `orderBy[${i}]: "${o.field}" is not a column of this query. Order by one of: ${columns.join(', ')}.`,
        {
          validChoices: columns,
        },
      );
    }
    orderBy.push({
      field: o.field,
      direction: o.direction ?? 'ASC',
      target: measure ? { type: 'measure', measure } : { type: 'key', index: keyIndex },
    });
  }

  const normalized: Record<string, unknown> = {
    dataset: dataset.slug,
    groupBy: groups.map((g) => ({ dimension: g.dimension.code, level: g.level.code })),
    measures: measures.map((m) => m.code),
    filters: filters.map((f) =>
      f.kind === 'timeRange'
        ? { dimension: 'time', from: f.from ?? null, to: f.to ?? null }
        : f.kind === 'timeIn'
          ? { dimension: 'time', level: f.level, in: [...f.values].sort() }
          : { dimension: f.dimension.code, level: f.level.code, in: [...f.values].sort() },
    ),
    orderBy: orderBy.map((o) => ({ field: o.field, direction: o.direction })),
    limit: limit ?? null,
  };
  // Frozen: it is what the audit log records for this plan, and audit hashing may keep its text.
  return {
    dataset: dataset.slug,
    series,
    groups,
    measures,
    filters,
    unions: unionsOf(groups, filters),
    orderBy,
    limit,
    maxRows,
    loadRows: limit !== undefined && !measures.some((m) => m.analysis) ? MAX_RANKED_ROWS : maxRows,
    normalized: deepFreeze(normalized),
  };
}

/**
 * The filters that make result cells unions of lattice cells: several members of a dimension not
 * grouped at the filter's level or finer, several periods of a time level not grouped as finely,
 * and time ranges that are more than one whole period of the time group.
 */
function unionsOf(groups: PlannedGroup[], filters: PlannedFilter[]): PlannedUnion[] {
  const unions: PlannedUnion[] = [];
  const time = groups.find((g) => g.dimension.code === 'time');
  const timeIndex = time ? TIME_LEVELS.indexOf(time.level.code as TimeLevel) : -1;
  for (const f of filters) {
    if (f.kind === 'in') {
      const grouped = groups.find((g) => g.dimension.code === f.dimension.code);
      const coarser = !grouped || levelIndex(f.dimension, grouped.level.code) < levelIndex(f.dimension, f.level.code);
      if (f.values.length > 1 && coarser) unions.push({ kind: 'members', dimension: f.dimension, level: f.level });
    } else if (f.kind === 'timeIn') {
      if (f.values.length > 1 && timeIndex < TIME_LEVELS.indexOf(f.level))
        unions.push({ kind: 'periods', level: f.level });
    } else {
      const boundaries = timeBlocks(f.start, f.end);
      // Grouped by time, a range that only cuts at the group's own boundaries leaves every cell whole.
      const whole =
        time !== undefined &&
        [f.start, f.end].every(
          (b) => b === undefined || timeCodeStart(time.level.code as TimeLevel, b) === b.getTime(),
        );
      const cells = boundaries.length - 1 + (f.start ? 0 : 1) + (f.end ? 0 : 1);
      if (!whole && (cells > 1 || time !== undefined)) unions.push({ kind: 'blocks', boundaries });
    }
  }
  return unions;
}

function timeCodeStart(level: TimeLevel, at: Date): number {
  return parseTimeCode(timeCodeAt(level, at))!.start.getTime();
}

/**
 * A case mentions several keywords, so topic rows overlap: only counts can be asked per topic, and
 * a filter on several keywords must also group by topic (otherwise cases would be counted twice).
 */
function checkTopicRules(groups: PlannedGroup[], filters: PlannedFilter[], measures: MeasureSpec[]): void {
  const grouped = groups.some((g) => g.dimension.code === TOPIC_DIMENSION);
  const filtered = filters.filter(
    (f): f is Extract<PlannedFilter, { kind: 'in' }> => f.kind === 'in' && f.dimension.code === TOPIC_DIMENSION,
  );
  if (!grouped && filtered.length === 0) return;
  const other = measures.filter((m) => !TOPIC_MEASURES.includes(m.code));
  if (other.length > 0) {
    throw badUserInput(
      `measures: ${other.map((m) => `"${m.code}"`).join(', ')} cannot be combined with dimension "topic" (a case mentions several keywords); with topics use ${TOPIC_MEASURES.join(', ')}.`,
      { validChoices: TOPIC_MEASURES },
    );
  }
  if (!grouped && (filtered.length > 1 || filtered.some((f) => f.values.length > 1))) {
    throw badUserInput(
      `filters: a case can mention several of these keywords; filter topic on one keyword, or also group by topic (groupBy: [{ dimension: "topic" }]).`,
    );
  }
}

function planTimeRange(
  from: string | undefined,
  to: string | undefined,
  levels: string[],
  where: string,
): PlannedFilter {
  const parse = (code: string, side: string) => {
    const p = parseTimeCode(code);
    if (!p || !levels.includes(p.level)) {
      const formats = levels.map((l) => TIME_FORMATS[l as TimeLevel]);
      throw badUserInput(
        `${where}: ${side} "${code}" is not a time code of this dataset; write one of: ${formats.join('; ')}.`,
        {
          validChoices: formats,
        },
      );
    }
    return p;
  };
  const start = from !== undefined ? parse(from, 'from').start : undefined;
  const end = to !== undefined ? parse(to, 'to').end : undefined;
  if (start && end && start >= end) {
    throw badUserInput(`${where}: from "${from}" is after to "${to}"; swap them.`);
  }
  return { kind: 'timeRange', from, to, start, end };
}

export type { LevelSpec };
