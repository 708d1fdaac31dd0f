import { rulesToAST } from '@casl/ability/extra';
import type { AppAbility } from './casl-ability.factory.js';
import type { Action, Subject } from './permissions.js';

/** A SQL condition and its parameters, ready for `WHERE (...)`. */
export interface SqlFilter {
  /** `TRUE` when every row is allowed, `FALSE` when none is, else a parameterized condition. */
  sql: string;
  /** Positional values for `$n` placeholders (numbered from `firstParam`). */
  params: unknown[];
}

interface AstNode {
  operator: string;
  field?: string;
  value: unknown;
}

const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * Turns what an ability allows for `action` on `subject` into a SQL condition over the
 * listed columns, using CASL's own rule flattening (`rulesToAST` from '@casl/ability/extra',
 * the v7 successor of `rulesToQuery`): `can` rules are OR-ed, `cannot` rules AND NOT-ed.
 *
 * `columns` maps condition fields (as in the ability, e.g. `principalId`) to trusted SQL
 * expressions (e.g. `k.principal_id`). Fields not in the map, and operators other than
 * eq/ne/lt/lte/gt/gte/in/nin/and/or/not, throw: a rule that cannot be expressed in SQL
 * must never silently widen access. Values are always parameters, never spliced in.
 *
 *     const f = toSqlFilter(ability, 'manage', 'ApiKey', { principalId: 'k.principal_id' });
 *     await ds.query(`SELECT ... FROM api_key k WHERE ${f.sql}`, f.params);
 */
export function toSqlFilter(
  ability: AppAbility,
  action: Action | 'manage',
  subject: Subject,
  columns: Record<string, string>,
  firstParam = 1,
): SqlFilter {
  const ast = rulesToAST(ability, action, subject) as AstNode | null;
  if (ast === null) return { sql: 'FALSE', params: [] };
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const render = (node: AstNode): string => {
    switch (node.operator) {
      case 'and':
      case 'or': {
        const children = node.value as AstNode[];
        if (children.length === 0) return node.operator === 'and' ? 'TRUE' : 'FALSE';
        return `(${children.map(render).join(node.operator === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        // NULL-safe: a row whose column is NULL does not match the inner condition, so NOT must hold.
        return `(NOT COALESCE(${render((node.value as AstNode[])[0])}, FALSE))`;
      default: {
        const column = node.field === undefined ? undefined : columns[node.field];
        if (column === undefined) {
          throw new Error(`toSqlFilter: no column mapped for field "${node.field}" of ${subject}`);
        }
        if (node.operator === 'in' || node.operator === 'nin') {
          const sql = `${column} = ANY(${param(node.value)})`;
          return node.operator === 'in' ? sql : `NOT COALESCE(${sql}, FALSE)`;
        }
        const op = COMPARISONS[node.operator];
        if (!op) throw new Error(`toSqlFilter: operator "${node.operator}" cannot be expressed in SQL`);
        if (node.value === null) {
          if (node.operator === 'eq') return `${column} IS NULL`;
          if (node.operator === 'ne') return `${column} IS NOT NULL`;
        }
        return `${column} ${op} ${param(node.value)}`;
      }
    }
  };
  return { sql: render(ast), params };
}
