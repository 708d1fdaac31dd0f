import { AbilityBuilder, createMongoAbility, ForcedSubject, MongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { LruMap } from '../common/lru-map.js';
import { Actor } from './actor.js';
import { Action, PERMISSIONS, Subject, splitPermission } from './permissions.js';

/**
 * A row checked against conditions, e.g. `subject('License', { principalId, requestedById })`.
 * The fields are the row's, named as in the entities; `toSqlFilter` maps them to columns.
 */
export interface RowFields {
  principalId?: string;
  organizationId?: string;
  requestedById?: string;
  departmentCode?: string | null;
}
export type OwnedRow = ForcedSubject<Subject> & RowFields;
export type AppAbility = MongoAbility<[Action | 'manage', Subject | OwnedRow | 'all']>;

const MAX_BUILT = 1_000;

/**
 * The whole access policy in one place: what each role may do (docs/identity.md, "Roles").
 * Conditions that depend on the row (own licences, own keys, own audit events, a
 * department's own cases) are stated here and turned into SQL with `toSqlFilter`
 * by the services that list those rows; nothing is filtered in memory.
 *
 * CASL gives later rules priority, so the `cannot` rules at the end win over any `can`.
 */
@Injectable()
export class CaslAbilityFactory {
  /** Built abilities by what they depend on (role, principal, department, scopes); never updated. */
  private readonly built = new LruMap<string, AppAbility>(MAX_BUILT);

  createForActor(actor: Actor): AppAbility {
    const key = JSON.stringify([actor.role, actor.principalId ?? '', actor.departmentCode ?? '', actor.scopes ?? null]);
    let ability = this.built.get(key);
    if (!ability) this.built.set(key, (ability = this.build(actor)));
    return ability;
  }

  private build(actor: Actor): AppAbility {
    const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    // "Own" rows; an actor without a principal owns nothing ('' matches no id).
    const own = { principalId: actor.principalId ?? '' };
    const ownDepartment = { departmentCode: actor.departmentCode ?? '' };
    const requestedBySelf = { requestedById: actor.principalId ?? '' };
    can('read', 'Health');
    can('read', 'Catalog');
    // Everyone may query open datasets; the aggregate service enforces classification and licences.
    can('query', 'Aggregate');

    switch (actor.role) {
      case 'public':
        break;
      case 'department':
        // A department sees its own cases in fine detail; others' data only through licences.
        can('detail', 'CaseRecord', ownDepartment);
        can('read', 'Me');
        can('read', 'License', own);
        can('request', 'License');
        can('manage', 'ApiKey', own);
        can('read', 'AuditEvent', own);
        break;
      case 'researcher':
        can('read', 'Me');
        can('read', 'License', own);
        can('request', 'License');
        can('manage', 'ApiKey', own);
        can('read', 'AuditEvent', own);
        break;
      case 'auditor':
        can('read', 'Me');
        can('read', 'License');
        can('read', 'AuditEvent');
        can('verify', 'Audit');
        can('read', 'Principal');
        can('manage', 'ApiKey', own);
        break;
      case 'steward':
        can('read', 'Me');
        can('detail', 'CaseRecord');
        can('read', 'License');
        can('decide', 'License');
        can('manage', 'Principal');
        can('manage', 'ApiKey');
        can('manage', 'Dataset');
        can('verify', 'Audit');
        // No permission exists to change or delete audit events, for anyone.
        break;
    }

    // Separation of duties: nobody decides on a licence they requested themselves.
    cannot('decide', 'License', requestedBySelf);
    // Auditors read the log and the licence register but see no data at all.
    if (actor.role === 'auditor') {
      cannot('query', 'Aggregate');
      cannot('detail', 'CaseRecord');
    }
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
