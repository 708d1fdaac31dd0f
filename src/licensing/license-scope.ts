import { parseTimeCode, timeCodeAt, TIME_LEVELS, type TimeLevel } from '../catalog/time-members.js';
import type { DatasetDefinition } from '../datasets/dataset.entity.js';

/** The obligations every licensee accepts (`acceptObligations` in `requestLicense`; docs/disclosure-control.md). */
export const OBLIGATIONS = ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'] as const;
export type Obligation = (typeof OBLIGATIONS)[number];

/** What a licence allows on one dataset. */
export interface DatasetScope {
  dataset: string;
  /** Allowed dimensions, each with the finest level allowed (one-level dimensions: their only level). */
  dimensions: Record<string, string>;
  /** Row scope: only cases of these cities (city-level area codes); absent = all cities. */
  cities?: string[];
  /** Row scope: only cases handled by these departments; absent = all departments. */
  departments?: string[];
  /** Period of data (received date, inclusive, YYYY-MM-DD); absent ends are open. */
  periodFrom?: string;
  periodTo?: string;
}

/** The part of an aggregate query that licence scope is checked against (the GraphQL input shapes). */
export interface ScopedQuery {
  dataset: string;
  groupBy?: { dimension: string; level?: string | null }[] | null;
  filters?:
    | { dimension: string; level?: string | null; in?: string[] | null; from?: string | null; to?: string | null }[]
    | null;
  /**
   * Levels the query's measures read by themselves, whatever it groups by: `persistentMonths`
   * reads months, so it needs a licence that allows time down to month.
   */
  implied?: { dimension: string; level: string; measure: string }[] | null;
}

/** Row conditions a licence adds to every query made under it; the engine turns them into SQL. */
export interface RowScope {
  cities?: string[];
  departments?: string[];
  periodFrom?: string;
  periodTo?: string;
}

export class ScopeViolation {
  constructor(readonly rule: string) {}
}

export function formatLicenseId(id: string | number): string {
  return `L-${id}`;
}

/** Accepts `L-12`, `l-12` or `12`; returns the numeric id or undefined. */
export function parseLicenseId(value: string): string | undefined {
  const m = /^(?:[Ll]-)?(\d{1,18})$/.exec(value.trim());
  return m ? m[1] : undefined;
}

function levelsOf(definition: DatasetDefinition, dimension: string): string[] | undefined {
  return definition.dimensions.find((d) => d.code === dimension)?.levels.map((l) => l.code);
}

/** Problems with a requested scope against the dataset's definition, as messages a requester can act on. */
export function validateScope(scope: DatasetScope, definition: DatasetDefinition): string[] {
  const problems: string[] = [];
  const known = definition.dimensions.map((d) => d.code);
  const entries = Object.entries(scope.dimensions);
  if (entries.length === 0) problems.push(`${scope.dataset}: name at least one dimension (one of ${known.join(', ')})`);
  for (const [dimension, level] of entries) {
    const levels = levelsOf(definition, dimension);
    if (!levels) {
      problems.push(`${scope.dataset}: unknown dimension "${dimension}" (valid: ${known.join(', ')})`);
    } else if (!levels.includes(level)) {
      problems.push(`${scope.dataset}: dimension ${dimension} has no level "${level}" (valid: ${levels.join(', ')})`);
    }
  }
  const dateRe = /^\d{4}-\d{2}-\d{2}$/;
  for (const [name, value] of [
    ['periodFrom', scope.periodFrom],
    ['periodTo', scope.periodTo],
  ] as const) {
    if (value !== undefined && (!dateRe.test(value) || Number.isNaN(Date.parse(value)))) {
      problems.push(`${scope.dataset}: ${name} must be a date like 2021-01-01, got "${value}"`);
    }
  }
  if (scope.periodFrom && scope.periodTo && scope.periodFrom > scope.periodTo) {
    problems.push(`${scope.dataset}: periodFrom ${scope.periodFrom} is after periodTo ${scope.periodTo}`);
  }
  if (scope.cities && !known.includes('area'))
    problems.push(`${scope.dataset}: has no area dimension, so cities cannot be restricted`);
  if (scope.departments && !known.includes('department')) {
    problems.push(`${scope.dataset}: has no department dimension, so departments cannot be restricted`);
  }
  for (const [name, list] of [
    ['cities', scope.cities],
    ['departments', scope.departments],
  ] as const) {
    if (list !== undefined && list.length === 0)
      problems.push(`${scope.dataset}: ${name} is empty; leave it out for all ${name}`);
  }
  return problems;
}

/**
 * Levels where cells get small enough to point at people or streets: a licence allowing any of
 * them is "fine" (LICENSE_SECOND_APPROVAL=fine asks two stewards to approve it).
 */
export const FINE_LEVELS: Readonly<Record<string, readonly string[]>> = {
  time: ['day', 'hour'],
  area: ['street'],
  category: ['l3'],
};

/** Whether a scope allows some dimension down to a fine level (or finer), by the dataset's level order. */
export function allowsFineDetail(scope: DatasetScope, definition: DatasetDefinition): boolean {
  return Object.entries(scope.dimensions).some(([dimension, level]) => {
    const levels = levelsOf(definition, dimension) ?? [];
    const fine = (FINE_LEVELS[dimension] ?? []).map((l) => levels.indexOf(l)).filter((i) => i >= 0);
    return fine.length > 0 && levels.indexOf(level) >= Math.min(...fine);
  });
}

/**
 * Whether `narrowed` allows no more than `requested` (stewards may narrow a request when
 * approving, never widen it). Returns what would be widened, or an empty list.
 */
export function wideningsOf(requested: DatasetScope, narrowed: DatasetScope, definition: DatasetDefinition): string[] {
  const out: string[] = [];
  for (const [dimension, level] of Object.entries(narrowed.dimensions)) {
    const asked = requested.dimensions[dimension];
    const levels = levelsOf(definition, dimension) ?? [];
    if (asked === undefined) out.push(`${narrowed.dataset}: adds dimension ${dimension}`);
    else if (levels.indexOf(level) > levels.indexOf(asked)) {
      out.push(`${narrowed.dataset}: ${dimension} down to ${level} is finer than the requested ${asked}`);
    }
  }
  for (const key of ['cities', 'departments'] as const) {
    const asked = requested[key];
    const given = narrowed[key];
    if (asked !== undefined && given === undefined) out.push(`${narrowed.dataset}: drops the ${key} restriction`);
    if (asked !== undefined && given !== undefined) {
      const extra = given.filter((c) => !asked.includes(c));
      if (extra.length > 0) out.push(`${narrowed.dataset}: adds ${key} ${extra.join(', ')}`);
    }
  }
  if (requested.periodFrom && (!narrowed.periodFrom || narrowed.periodFrom < requested.periodFrom)) {
    out.push(`${narrowed.dataset}: period starts before the requested ${requested.periodFrom}`);
  }
  if (requested.periodTo && (!narrowed.periodTo || narrowed.periodTo > requested.periodTo)) {
    out.push(`${narrowed.dataset}: period ends after the requested ${requested.periodTo}`);
  }
  return out;
}

/**
 * Checks one aggregate query against a licence's scope for its dataset. Returns the row scope
 * to push into SQL, or the first rule the query breaks, phrased for the licensee.
 */
export function checkQueryScope(
  licenseLabel: string,
  scope: DatasetScope,
  definition: DatasetDefinition,
  query: ScopedQuery,
): RowScope | ScopeViolation {
  return checkScope(`licence ${licenseLabel}`, scope, definition, query);
}

/**
 * Checks one aggregate query against a role's standing access to a dataset (roles.ts,
 * `withoutLicence`): every dimension down to `finest[dimension]` where given, the others down to
 * their finest published level; the same rules as a licence's scope. Returns the rule broken, if any.
 */
export function checkStandingScope(
  role: string,
  finest: Readonly<Record<string, string>>,
  dataset: string,
  definition: DatasetDefinition,
  query: ScopedQuery,
): ScopeViolation | undefined {
  const dimensions = Object.fromEntries(
    definition.dimensions.map((d) => [d.code, finest[d.code] ?? d.levels[d.levels.length - 1].code]),
  );
  const checked = checkScope(`Your role (${role}) on ${dataset}`, { dataset, dimensions }, definition, query);
  return checked instanceof ScopeViolation ? checked : undefined;
}

function checkScope(
  who: string,
  scope: DatasetScope,
  definition: DatasetDefinition,
  query: ScopedQuery,
): RowScope | ScopeViolation {
  const uses: { dimension: string; level?: string | null; how: string; why?: string }[] = [
    ...(query.groupBy ?? []).map((g) => ({ dimension: g.dimension, level: g.level, how: 'group by' })),
    ...(query.filters ?? []).map((f) => ({ dimension: f.dimension, level: f.level, how: 'filter on' })),
    ...(query.implied ?? []).map((m) => ({
      dimension: m.dimension,
      level: m.level,
      how: `use ${m.measure}, which reads`,
      why: ` (${m.measure} reads ${m.dimension} by ${m.level})`,
    })),
  ];
  for (const use of uses) {
    const allowed = scope.dimensions[use.dimension];
    const levels = levelsOf(definition, use.dimension);
    if (allowed === undefined || !levels) {
      const list = Object.keys(scope.dimensions).join(', ');
      return new ScopeViolation(`${who} does not allow you to ${use.how} ${use.dimension} (it allows ${list})`);
    }
    if (use.level && levels.includes(use.level) && levels.indexOf(use.level) > levels.indexOf(allowed)) {
      return new ScopeViolation(`${who} allows ${use.dimension} down to ${allowed}, not ${use.level}${use.why ?? ''}`);
    }
  }
  for (const filter of query.filters ?? []) {
    if (filter.dimension === 'area' && scope.cities && filter.in && (filter.level ?? 'city') === 'city') {
      const outside = filter.in.filter((c) => !scope.cities?.includes(c));
      if (outside.length > 0) {
        return new ScopeViolation(`${who} covers cities ${scope.cities.join(', ')} only, not ${outside.join(', ')}`);
      }
    }
    if (filter.dimension === 'department' && scope.departments && filter.in) {
      const outside = filter.in.filter((c) => !scope.departments?.includes(c));
      if (outside.length > 0) {
        return new ScopeViolation(
          `${who} covers departments ${scope.departments.join(', ')} only, not ${outside.join(', ')}`,
        );
      }
    }
    if (filter.dimension === 'time' && (filter.from || filter.to)) {
      const violation = checkRangeBounds(who, scope.dimensions.time, definition, filter);
      if (violation) return violation;
    }
    if (filter.dimension === 'time') {
      const from = filter.from?.slice(0, 10);
      const to = filter.to?.slice(0, 10);
      if (
        (scope.periodFrom && from && to && to < scope.periodFrom) ||
        (scope.periodTo && from && from > scope.periodTo)
      ) {
        return new ScopeViolation(
          `${who} covers data from ${scope.periodFrom ?? 'the start'} to ${scope.periodTo ?? 'now'}, not ${from ?? '…'} to ${to ?? '…'}`,
        );
      }
    }
  }
  const rows: RowScope = {};
  if (scope.cities) rows.cities = [...scope.cities];
  if (scope.departments) rows.departments = [...scope.departments];
  if (scope.periodFrom) rows.periodFrom = scope.periodFrom;
  if (scope.periodTo) rows.periodTo = scope.periodTo;
  return rows;
}

/**
 * A time range discloses its own bounds: under a month licence, 2021-03-15T09..2021-03-15T09 is one
 * hour's cases, and 2021-03-15..2021-03-15 one day's. A range is allowed only when each bound falls
 * on a boundary of a level the licence allows (the licence's own level or a coarser one), so every
 * cell it yields is a union of whole periods the licence already shows.
 */
function checkRangeBounds(
  who: string,
  allowed: string | undefined,
  definition: DatasetDefinition,
  filter: { from?: string | null; to?: string | null },
): ScopeViolation | undefined {
  const levels = levelsOf(definition, 'time') ?? [];
  if (allowed === undefined || !levels.includes(allowed)) return undefined; // refused earlier as a dimension
  const allowedLevels = levels
    .slice(0, levels.indexOf(allowed) + 1)
    .filter((l): l is TimeLevel => (TIME_LEVELS as readonly string[]).includes(l));
  const onBoundary = (at: Date) =>
    allowedLevels.some((level) => parseTimeCode(timeCodeAt(level, at))?.start.getTime() === at.getTime());
  for (const [side, code] of [
    ['from', filter.from],
    ['to', filter.to],
  ] as const) {
    if (!code) continue;
    const period = parseTimeCode(code);
    // The planner has already refused codes it cannot read; an unreadable bound is refused here too.
    const at = period ? (side === 'from' ? period.start : period.end) : undefined;
    if (!at || !onBoundary(at)) {
      return new ScopeViolation(
        `${who} allows time down to ${allowed}, so a time range must ${side === 'from' ? 'start' : 'end'} on a whole ${allowed} (or coarser period), not at ${side} "${code}"; e.g. use ${allowed} codes for from and to`,
      );
    }
  }
  return undefined;
}
