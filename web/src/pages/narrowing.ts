import type { LicenseScope } from '../api/types';

/** A dimension's levels, coarsest first (the catalog's order). */
export interface LevelList {
  code: string;
  levels: { code: string }[];
}

/** What a steward changed in one requested dataset scope before approving. */
export interface ScopeEdit {
  /** Dimension → the finest level granted, or null to leave the dimension out. Absent: as requested. */
  levels: Record<string, string | null>;
  /** Cities kept, when the request named cities. Absent: as requested. */
  cities?: string[];
  /** Narrower period bounds (YYYY-MM-DD); empty or absent: as requested. */
  periodFrom?: string;
  periodTo?: string;
}

/** The scope as `approveLicense(narrow: { datasets })` takes it. */
export interface ScopeInput {
  dataset: string;
  dimensions: { dimension: string; level: string }[];
  cities?: string[];
  departments?: string[];
  periodFrom?: string;
  periodTo?: string;
}

/** The levels a steward may grant for a requested level: that level and every coarser one. */
export function grantableLevels(dimension: LevelList | undefined, requested: string): string[] {
  if (!dimension) return [requested];
  const finest = dimension.levels.findIndex((l) => l.code === requested);
  if (finest < 0) return [requested];
  return dimension.levels.slice(0, finest + 1).map((l) => l.code);
}

/**
 * Builds the narrowed scopes from a steward's edits. `changed` is false when the edits leave
 * the request as it was (approve as requested); `problems` lists what the steward must fix
 * first, in words (the server checks again and refuses any widening).
 */
export function narrowedScopes(
  requested: LicenseScope[],
  edits: Record<string, ScopeEdit | undefined>,
): { scopes: ScopeInput[]; changed: boolean; problems: string[] } {
  const scopes: ScopeInput[] = [];
  const problems: string[] = [];
  let changed = false;
  for (const scope of requested) {
    const edit = edits[scope.dataset];
    const dimensions: ScopeInput['dimensions'] = [];
    for (const d of scope.dimensions) {
      const level = edit && d.dimension in edit.levels ? edit.levels[d.dimension] : d.level;
      if (level !== d.level) changed = true;
      if (level !== null && level !== undefined) dimensions.push({ dimension: d.dimension, level });
    }
    if (dimensions.length === 0) problems.push(`${scope.dataset}: keep at least one dimension`);
    const out: ScopeInput = { dataset: scope.dataset, dimensions };
    if (scope.cities) {
      const kept = edit?.cities ?? scope.cities;
      if (kept.length !== scope.cities.length) changed = true;
      if (kept.length === 0) problems.push(`${scope.dataset}: keep at least one city`);
      out.cities = scope.cities.filter((c) => kept.includes(c));
    }
    if (scope.departments) out.departments = scope.departments;
    const from = edit?.periodFrom || scope.periodFrom || undefined;
    const to = edit?.periodTo || scope.periodTo || undefined;
    if (from !== (scope.periodFrom ?? undefined) || to !== (scope.periodTo ?? undefined)) changed = true;
    if (from && scope.periodFrom && from < scope.periodFrom) {
      problems.push(`${scope.dataset}: the period may not start before the requested ${scope.periodFrom}`);
    }
    if (to && scope.periodTo && to > scope.periodTo) {
      problems.push(`${scope.dataset}: the period may not end after the requested ${scope.periodTo}`);
    }
    if (from && to && from > to) problems.push(`${scope.dataset}: the period starts after it ends`);
    if (from) out.periodFrom = from;
    if (to) out.periodTo = to;
    scopes.push(out);
  }
  return { scopes, changed, problems };
}
