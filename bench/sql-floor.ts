/**
 * The database floor: the SQL the gateway would send for a question, compiled here by the gateway's
 * own planner and compiler, so that a phase can send exactly that SQL straight through `pg`.
 */
import pg from 'pg';
import { planQuery } from '../src/aggregate/query-planner.js';
import type { AggregateQuery, CompiledSql, QueryPlan, RowCondition } from '../src/aggregate/query-plan.js';
import { compileSql } from '../src/aggregate/sql-compiler.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
import { MemberDirectory, ReferenceRow } from '../src/catalog/member-directory.js';

export type CompileSql = (query: AggregateQuery, departmentCode?: string) => CompiledSql;

export interface Catalog {
  defs: Map<string, DatasetDefinition>;
  directory: MemberDirectory;
}

/** The datasets and members in the benchmark's database, as the planner needs them. */
export async function catalogOf(pool: pg.Pool): Promise<Catalog> {
  const rows = async <T>(sql: string) => (await pool.query(sql)).rows as T[];
  const directory = new MemberDirectory(
    await rows<ReferenceRow>(`SELECT code, level, name_zh, name_en, parent_code FROM area`),
    await rows<ReferenceRow>(`SELECT code, level::text AS level, name_zh, name_en, parent_code FROM category`),
    await rows<ReferenceRow>(
      `SELECT code, 'department' AS level, name_zh, name_en, area_code AS parent_code FROM department`,
    ),
  );
  const defs = new Map(
    (await rows<{ slug: string; definition: DatasetDefinition }>(`SELECT slug, definition FROM dataset`)).map((d) => [
      d.slug,
      d.definition,
    ]),
  );
  return { defs, directory };
}

/** A department on its own cases: the row condition the gateway adds (src/aggregate/aggregate-access.service.ts). */
export function ownCases(departmentCode?: string): RowCondition[] {
  return departmentCode
    ? [{ dimension: 'department', level: 'department', in: [departmentCode], reason: "own department's cases" }]
    : [];
}

/** The planner over the catalog and members in the benchmark's database. */
export async function queryPlanner(pool: pg.Pool): Promise<(query: AggregateQuery) => QueryPlan> {
  const { defs, directory } = await catalogOf(pool);
  return (query) => planQuery({ slug: query.dataset, definition: defs.get(query.dataset)! }, query, directory);
}

/** A compiler over the catalog and members in the benchmark's database. */
export async function sqlCompiler(pool: pg.Pool): Promise<CompileSql> {
  const plan = await queryPlanner(pool);
  return (query, departmentCode) => compileSql(plan(query), ownCases(departmentCode));
}
