import type { Actor } from './actor.js';
import { AppAbility, roleDefinition } from './roles.js';

/** The fields of a dataset that what a role reaches in it depends on. */
export interface ReachedDataset {
  slug: string;
  classification: string;
}

/**
 * What a caller reaches in one dataset without naming a licence:
 * - `no-data`: nothing (the role may not query data), `why` in words;
 * - `all-records`: every row, exact values (it holds the records);
 * - `open`: an open dataset, at its published levels, disclosure-controlled;
 * - `own-department`: its department's own cases (`departmentCode`, unset when the account is not
 *   linked to a department), exact values; other rows under a licence;
 * - `standing`: the whole dataset down to `finest` levels (dimension to level; others as
 *   published), disclosure-controlled, without a licence;
 * - `licence`: only under a licence; `mayRequest` says whether the role may request one.
 */
export type DatasetReach =
  | { kind: 'no-data'; why: string }
  | { kind: 'all-records' }
  | { kind: 'open' }
  | { kind: 'own-department'; departmentCode?: string }
  | { kind: 'standing'; finest: Readonly<Record<string, string>> }
  | { kind: 'licence'; mayRequest: boolean };

/** `CaslAbilityFactory.reachOf`: the reach of `actor` (whose role's ability is `ability`) in `dataset`. */
export function reachWith(ability: AppAbility, actor: Actor, dataset: ReachedDataset): DatasetReach {
  const role = roleDefinition(actor.role);
  if (!ability.can('query', 'Aggregate')) {
    return { kind: 'no-data', why: role.noData ?? `your role (${actor.role}) sees no data` };
  }
  const without = role.withoutLicence;
  if (without === 'all-records') return { kind: 'all-records' };
  if (dataset.classification === 'open') return { kind: 'open' };
  if (without === 'own-department') return { kind: 'own-department', departmentCode: actor.departmentCode };
  if (typeof without === 'object' && Object.hasOwn(without, dataset.slug)) {
    return { kind: 'standing', finest: without[dataset.slug] };
  }
  return { kind: 'licence', mayRequest: ability.can('request', 'License') };
}
