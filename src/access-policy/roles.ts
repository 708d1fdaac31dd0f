import type { AbilityBuilder, ForcedSubject, MongoAbility } from '@casl/ability';
import type { Action, Subject } from './permissions.js';

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

/** The CASL rule builders a role definition states its rules with (later rules win). */
export type Rules = Pick<AbilityBuilder<AppAbility>, 'can' | 'cannot'>;

/** The acting principal's own rows, as CASL conditions; an actor without a principal owns nothing ('' matches no id). */
export interface Own {
  /** Licences, API keys and audit events that belong to the actor. */
  rows: { principalId: string };
  /** The cases its department handled (department principals; '' for everyone else). */
  department: { departmentCode: string };
}

/**
 * How a role reaches the datasets that are not open, without a licence:
 * - `'nothing'`: only under a licence (or not at all);
 * - `'all-records'`: every row of every dataset, exact values, open datasets included: it holds
 *   the records (the data office; the aggregate engine's basis `steward`);
 * - `'own-department'`: the cases its own department handled, exact values (basis `own-department`);
 * - a map of dataset slugs to finest levels, e.g. `{ 'hotline-cases': { area: 'city' } }`: those
 *   datasets, each named dimension down to the given level and the others as published,
 *   disclosure-controlled like open data (basis `standing`).
 * With a `licenseId`, every role's query runs under that licence instead.
 */
export type WithoutLicence =
  'nothing' | 'all-records' | 'own-department' | Readonly<Record<string, Readonly<Record<string, string>>>>;

/** One role: everything the gateway decides by role, in one place (docs/architecture.md, "Recipe: add a role"). */
export interface RoleDefinition {
  /** Principals may hold it (`createPrincipal`, the `principal_role_check` constraint); `public` is anyone without credentials. */
  readonly account: boolean;
  /** What it may do, as CASL rules. Everyone may also read health and the catalog and query (open) data. */
  readonly rules: (rules: Rules, own: Own) => void;
  /** Which datasets the catalog shows it: open ones, every published one, or unpublished ones too. */
  readonly catalog: 'open' | 'published' | 'all';
  /** The datasets that are not open it reaches without a licence (see WithoutLicence). */
  readonly withoutLicence: WithoutLicence;
  /** For roles that may not query data: why, in words (refusals and `yourAccess`). */
  readonly noData?: string;
  /** For roles that may request licences (`request:License`): the kind of licence a request makes. */
  readonly licenceKind?: 'research' | 'sharing';
  /** Its principals act for a department: they belong to a department organization and carry its code. */
  readonly actsForDepartment?: boolean;
}

/** Everyone who signs in reads who they are and their own audit events, and manages their own keys. */
function signedIn({ can }: Rules, own: Own): void {
  can('read', 'Me');
  can('manage', 'ApiKey', own.rows);
}

/**
 * Every role (docs/identity.md, "Roles"). Adding one: a definition here and a migration that
 * adds it to `principal_role_check` (docs/architecture.md, "Recipe: add a role").
 */
export const ROLE_DEFINITIONS = {
  /** Anyone without credentials: open datasets at their published levels. */
  public: {
    account: false,
    catalog: 'open',
    withoutLicence: 'nothing',
    rules: () => {},
  },
  /** The hotline centre's data office: publishes datasets, decides licences, manages principals, holds the records. */
  steward: {
    account: true,
    catalog: 'all',
    withoutLicence: 'all-records',
    rules: ({ can }) => {
      can('read', 'Me');
      can('detail', 'CaseRecord');
      can('read', 'License');
      can('decide', 'License');
      can('manage', 'Principal');
      can('manage', 'ApiKey');
      can('manage', 'Dataset');
      can('verify', 'Audit');
      // Stewards run the system the log is about: they verify it but do not browse it.
      // No permission exists to change or delete audit events, for anyone.
    },
  },
  /** A department (e.g. the housing bureau): its own cases in fine detail, others' data through sharing licences. */
  department: {
    account: true,
    catalog: 'published',
    withoutLicence: 'own-department',
    licenceKind: 'sharing',
    actsForDepartment: true,
    rules: (rules, own) => {
      const { can } = rules;
      can('detail', 'CaseRecord', own.department);
      signedIn(rules, own);
      can('read', 'License', own.rows);
      can('request', 'License');
      can('read', 'AuditEvent', own.rows);
    },
  },
  /** A researcher: restricted data under a research licence for a purpose. */
  researcher: {
    account: true,
    catalog: 'published',
    withoutLicence: 'nothing',
    licenceKind: 'research',
    rules: (rules, own) => {
      const { can } = rules;
      signedIn(rules, own);
      can('read', 'License', own.rows);
      can('request', 'License');
      can('read', 'AuditEvent', own.rows);
    },
  },
  /** An auditor: reads the access log and the licence register, checks the log's integrity, sees no data. */
  auditor: {
    account: true,
    catalog: 'published',
    withoutLicence: 'nothing',
    noData: 'auditors read the access log (auditEvents) but see no data',
    rules: (rules, own) => {
      const { can, cannot } = rules;
      signedIn(rules, own);
      can('read', 'License');
      can('read', 'AuditEvent');
      can('verify', 'Audit');
      can('read', 'Principal');
      // Taken away explicitly, over everyone's query:Aggregate.
      cannot('query', 'Aggregate');
      cannot('detail', 'CaseRecord');
    },
  },
  /**
   * A journalist (a newsroom's data desk): the open dataset, and the restricted hotline cases down
   * to city level without a licence, disclosure-controlled like open data; no licences.
   */
  journalist: {
    account: true,
    catalog: 'published',
    withoutLicence: { 'hotline-cases': { area: 'city' } },
    rules: (rules, own) => {
      signedIn(rules, own);
      rules.can('read', 'AuditEvent', own.rows);
    },
  },
} as const satisfies Record<string, RoleDefinition>;

export type Role = keyof typeof ROLE_DEFINITIONS;
export type PrincipalRole = {
  [R in Role]: (typeof ROLE_DEFINITIONS)[R]['account'] extends true ? R : never;
}[Role];

/** The roles principals may hold, in definition order (the `principal_role_check` constraint lists exactly these). */
export const ROLES = (Object.keys(ROLE_DEFINITIONS) as Role[]).filter(
  (role): role is PrincipalRole => ROLE_DEFINITIONS[role].account,
);

/** The definition of a role; a role the policy does not know gets the public's (nothing beyond open data). */
export function roleDefinition(role: string): RoleDefinition {
  return Object.hasOwn(ROLE_DEFINITIONS, role) ? ROLE_DEFINITIONS[role as Role] : ROLE_DEFINITIONS.public;
}

/** The SQL CHECK condition on `principal.role` for the current definitions (the entity and its migration). */
export function principalRoleCheck(roles: readonly string[] = ROLES): string {
  return `"role" IN (${roles.map((r) => `'${r}'`).join(', ')})`;
}
