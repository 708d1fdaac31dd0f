import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Actor } from './actor.js';
import { DatasetReach, ReachedDataset, reachWith } from './dataset-reach.js';
import { PERMISSIONS, splitPermission } from './permissions.js';
import { AppAbility, roleDefinition } from './roles.js';

export type { AppAbility, OwnedRow, RowFields } from './roles.js';

const MAX_BUILT = 1_000;

/**
 * Builds each actor's CASL ability from its role's definition (`roles.ts`, the whole policy in
 * one place: docs/identity.md, "Roles"). Conditions that depend on the row (own licences, own
 * keys, own audit events, a department's own cases) are stated there and turned into SQL with
 * `toSqlFilter` by the services that list those rows; nothing is filtered in memory.
 *
 * CASL gives later rules priority, so the `cannot` rules after a role's rules win over any `can`.
 */
@Injectable()
export class CaslAbilityFactory {
  /** Built abilities by what they depend on (role, principal, department, scopes); never updated. */
  private readonly built = new LRUCache<string, AppAbility>({ max: MAX_BUILT });

  createForActor(actor: Actor): AppAbility {
    const key = JSON.stringify([actor.role, actor.principalId ?? '', actor.departmentCode ?? '', actor.scopes ?? null]);
    let ability = this.built.get(key);
    if (!ability) this.built.set(key, (ability = this.build(actor)));
    return ability;
  }

  /**
   * What the actor's role reaches in a dataset, and how (open, all records, own department,
   * standing access down to some levels, a licence, or no data): the one answer the aggregate
   * engine enforces and `yourAccess` puts in words. A key's scopes do not change it (they gate
   * the operations, e.g. `query:Aggregate`).
   */
  reachOf(actor: Actor, dataset: ReachedDataset): DatasetReach {
    return reachWith(this.createForActor({ ...actor, scopes: undefined }), actor, dataset);
  }

  private build(actor: Actor): AppAbility {
    const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    can('read', 'Health');
    can('read', 'Catalog');
    // Everyone may query open datasets; the aggregate service enforces classification and licences.
    can('query', 'Aggregate');
    roleDefinition(actor.role).rules(
      { can, cannot },
      // "Own" rows; an actor without a principal owns nothing ('' matches no id).
      { rows: { principalId: actor.principalId ?? '' }, department: { departmentCode: actor.departmentCode ?? '' } },
    );
    // Separation of duties: nobody decides on a licence they requested themselves.
    const requestedBySelf = { requestedById: actor.principalId ?? '' };
    cannot('decide', 'License', requestedBySelf);
    // A scoped API key only narrows: every permission outside its scopes is taken away.
    if (actor.scopes) {
      const granted = new Set<string>(actor.scopes);
      for (const permission of PERMISSIONS) {
        if (!granted.has(permission)) cannot(...splitPermission(permission));
      }
    }
    return build();
  }

  /** The permissions (as declared with `@Allow`) this actor holds for at least some rows. */
  permissionsOf(actor: Actor): (typeof PERMISSIONS)[number][] {
    const ability = this.createForActor(actor);
    return PERMISSIONS.filter((p) => ability.can(...splitPermission(p)));
  }
}
