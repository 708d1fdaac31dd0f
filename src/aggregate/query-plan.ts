import type { DatasetDefinition } from '../datasets/dataset.entity.js';
import { DimensionSpec, LevelSpec, MeasureSpec, Series } from '../catalog/registry.js';
import type { TimeLevel } from '../catalog/time-members.js';

/** What the caller asked, as the API receives it (the GraphQL input `AggregateQueryInput`, docs/aggregate.md). */
export interface AggregateQuery {
  dataset: string;
  groupBy?: { dimension: string; level?: string | null }[] | null;
  measures: string[];
  filters?:
    | { dimension: string; level?: string | null; in?: string[] | null; from?: string | null; to?: string | null }[]
    | null;
  licenseId?: string | null;
  orderBy?: { field: string; direction?: 'ASC' | 'DESC' | null }[] | null;
  limit?: number | null;
}

/** The dataset as the planner needs it. */
export interface PlannerDataset {
  slug: string;
  definition: DatasetDefinition;
}

export interface PlannedGroup {
  dimension: DimensionSpec;
  level: LevelSpec;
  /** Result column name, e.g. `area.district`, `channel`. */
  column: string;
}

export type PlannedFilter =
  | { kind: 'in'; dimension: DimensionSpec; level: LevelSpec; values: string[] }
  | { kind: 'timeIn'; level: TimeLevel; values: string[]; starts: Date[] }
  | { kind: 'timeRange'; from?: string; to?: string; start?: Date; end?: Date };

/**
 * A filter that makes each result cell a union of lattice cells (cells of single members at
 * published levels): several members of a dimension that is not grouped as finely, or a time range.
 * The engine reads each part and, in protected releases, sums the released parts.
 */
export type PlannedUnion =
  | { kind: 'members'; dimension: DimensionSpec; level: LevelSpec }
  | { kind: 'periods'; level: TimeLevel }
  | { kind: 'blocks'; boundaries: Date[] };

export interface PlannedOrder {
  field: string;
  direction: 'ASC' | 'DESC';
  target: { type: 'key'; index: number } | { type: 'measure'; measure: MeasureSpec };
}

/** A row condition an access rule adds, e.g. a department's own cases. Always ANDed. */
export interface RowCondition {
  dimension: string;
  level: string;
  in: string[];
  /** Why, for the audit log and docs, e.g. "own department's cases". */
  reason: string;
}

/** A validated, normalized query: every name checked against the catalog and the registry. */
export interface QueryPlan {
  dataset: string;
  series: Series;
  groups: PlannedGroup[];
  measures: MeasureSpec[];
  filters: PlannedFilter[];
  /** Filters whose result cells are unions of lattice cells, read part by part. */
  unions: PlannedUnion[];
  orderBy: PlannedOrder[];
  limit?: number;
  /** Most rows the result may have (cell cap / measures). */
  maxRows: number;
  /**
   * Most rows read to build the result. Every one is released before ordering and limit, so a
   * top-N reads the whole grouping (up to MAX_RANKED_ROWS), not just its first rows.
   */
  loadRows: number;
  /** The query in canonical form, for the audit log and the result cache. */
  normalized: Record<string, unknown>;
}

export interface CompiledSql {
  cube: string;
  sql: string;
  params: unknown[];
}
