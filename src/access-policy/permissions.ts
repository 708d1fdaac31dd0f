/**
 * Every permission a resolver can require, as `action:Subject`. A permission is an
 * action on a CASL subject; `CaslAbilityFactory` decides who holds which.
 */
export const PERMISSIONS = [
  'read:Catalog',
  'query:Aggregate',
  // Case data below the public level of detail; conditional on departmentCode for departments.
  'detail:CaseRecord',
  'read:Me',
  'read:License',
  'request:License',
  'decide:License',
  'manage:Principal',
  // Who is behind an id in the log or the licence register: names, roles, organizations (auditors, stewards).
  'read:Principal',
  'manage:ApiKey',
  'manage:Dataset',
  'read:AuditEvent',
  'verify:Audit',
  'read:Health',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Action = Permission extends `${infer A}:${string}` ? A : never;
export type Subject = Permission extends `${string}:${infer S}` ? S : never;

export function splitPermission(permission: Permission): [Action, Subject] {
  const [action, subject] = permission.split(':') as [Action, Subject];
  return [action, subject];
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
