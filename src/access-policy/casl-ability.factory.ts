import { AbilityBuilder, createMongoAbility, ForcedSubject, MongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { Actor } from './actor.js';
import { Action, Subject } from './permissions.js';

/** A row checked against conditions, e.g. `subject('License', { principalId })`. */
export type OwnedRow = ForcedSubject<Subject> & { principalId?: string; organizationId?: string };
export type AppAbility = MongoAbility<[Action | 'manage', Subject | OwnedRow | 'all']>;

/**
 * The whole access policy in one place: what each role may do. Conditions that
 * depend on the row (own licences, own keys, own audit events) are stated here
 * and turned into SQL by the services that list those rows.
 */
@Injectable()
export class CaslAbilityFactory {
  createForActor(actor: Actor): AppAbility {
    const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    // Row condition for "own" rows; the services turn it into a WHERE clause.
    const own = { principalId: actor.principalId ?? '' };
    can('read', 'Health');
    can('read', 'Catalog');
    // The public may query open datasets only; the aggregate service enforces classification.
    can('query', 'Aggregate');

    switch (actor.role) {
      case 'public':
        break;
      case 'researcher':
      case 'department':
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
        can('manage', 'ApiKey', own);
        // Auditors see no data.
        break;
      case 'steward':
        can('read', 'Me');
        can('read', 'License');
        can('decide', 'License');
        can('manage', 'Principal');
        can('manage', 'ApiKey');
        can('manage', 'Dataset');
        can('verify', 'Audit');
        break;
    }
    const ability = build();
    if (actor.role === 'auditor') {
      // Explicit, so that a later `can` above cannot give auditors data by accident.
      return createMongoAbility(
        ability.rules.filter(
          (r: { action: unknown; subject: unknown }) => !(r.action === 'query' && r.subject === 'Aggregate'),
        ),
      );
    }
    return ability;
  }
}
