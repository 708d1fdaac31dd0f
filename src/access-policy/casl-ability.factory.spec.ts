import { subject } from '@casl/ability';
import { Actor, Role } from './actor.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';
import { Permission } from './permissions.js';

const actor = (role: Role, over: Partial<Actor> = {}): Actor => ({
  role,
  authMethod: role === 'public' ? 'none' : 'api-key',
  principalId: role === 'public' ? undefined : `${role}-1`,
  ...over,
});

describe(CaslAbilityFactory.name, () => {
  const sut = new CaslAbilityFactory();

  const expected: Record<Role, Permission[]> = {
    public: ['read:Catalog', 'query:Aggregate', 'read:Health'],
    researcher: [
      'read:Catalog',
      'query:Aggregate',
      'read:Me',
      'read:License',
      'request:License',
      'manage:ApiKey',
      'read:AuditEvent',
      'read:Health',
    ],
    department: [
      'read:Catalog',
      'query:Aggregate',
      'detail:CaseRecord',
      'read:Me',
      'read:License',
      'request:License',
      'manage:ApiKey',
      'read:AuditEvent',
      'read:Health',
    ],
    auditor: [
      'read:Catalog',
      'read:Me',
      'read:License',
      'read:Principal',
      'manage:ApiKey',
      'read:AuditEvent',
      'verify:Audit',
      'read:Health',
    ],
    journalist: ['read:Catalog', 'query:Aggregate', 'read:Me', 'manage:ApiKey', 'read:AuditEvent', 'read:Health'],
    steward: [
      'read:Catalog',
      'query:Aggregate',
      'detail:CaseRecord',
      'read:Me',
      'read:License',
      'decide:License',
      'manage:Principal',
      'read:Principal',
      'manage:ApiKey',
      'manage:Dataset',
      'verify:Audit',
      'read:Health',
    ],
  };

  it.each(Object.entries(expected))('gives the %s role exactly its permissions', (role, permissions) => {
    expect(sut.permissionsOf(actor(role as Role))).toEqual(permissions);
  });

  it('denies auditors every data access', () => {
    const ability = sut.createForActor(actor('auditor'));
    expect(ability.can('query', 'Aggregate')).toBe(false);
    expect(ability.can('detail', 'CaseRecord')).toBe(false);
  });

  it('lets nobody decide a licence they requested themselves', () => {
    const ability = sut.createForActor(actor('steward', { principalId: 'st-1' }));
    expect(ability.can('decide', subject('License', { requestedById: 'st-1' }))).toBe(false);
    expect(ability.can('decide', subject('License', { requestedById: 'researcher-9' }))).toBe(true);
  });

  it("limits a department's case detail to its own department", () => {
    const ability = sut.createForActor(actor('department', { departmentCode: '320500-housing' }));
    expect(ability.can('detail', subject('CaseRecord', { departmentCode: '320500-housing' }))).toBe(true);
    expect(ability.can('detail', subject('CaseRecord', { departmentCode: '320100-housing' }))).toBe(false);
    const noCode = sut.createForActor(actor('department'));
    expect(noCode.can('detail', subject('CaseRecord', { departmentCode: null }))).toBe(false);
  });

  it('limits own rows to the actor, and public actors own nothing', () => {
    const ability = sut.createForActor(actor('researcher', { principalId: 'r-1' }));
    expect(ability.can('manage', subject('ApiKey', { principalId: 'r-1' }))).toBe(true);
    expect(ability.can('manage', subject('ApiKey', { principalId: 'r-2' }))).toBe(false);
    expect(sut.createForActor(actor('public')).can('manage', subject('ApiKey', { principalId: '' }))).toBe(false);
  });

  it('narrows a scoped key to the intersection of scopes and role', () => {
    const scoped = actor('steward', { scopes: ['read:Me', 'read:Catalog', 'verify:Audit'] });
    expect(sut.permissionsOf(scoped)).toEqual(['read:Catalog', 'read:Me', 'verify:Audit']);
    // A scope the role lacks grants nothing.
    const widened = actor('researcher', { scopes: ['manage:Principal', 'read:Me'] });
    expect(sut.permissionsOf(widened)).toEqual(['read:Me']);
    expect(sut.permissionsOf(actor('researcher', { scopes: [] }))).toEqual([]);
  });

  it('has no permission anywhere that alters the audit log', () => {
    const ability = sut.createForActor(actor('steward'));
    for (const action of ['update', 'delete', 'create', 'manage'] as const) {
      expect(ability.can(action as never, 'AuditEvent')).toBe(false);
    }
  });

  it('builds one ability per role, principal, department and scopes, and reuses it', () => {
    const factory = new CaslAbilityFactory();
    const dept = { role: 'department', principalId: 'p1', departmentCode: 'd1', authMethod: 'api-key' } as const;
    const ability = factory.createForActor(dept);
    expect(factory.createForActor({ ...dept, requestId: 'another request' })).toBe(ability);
    expect(factory.createForActor({ ...dept, departmentCode: 'd2' })).not.toBe(ability);
    expect(factory.createForActor({ ...dept, principalId: 'p2' })).not.toBe(ability);
    const scoped = factory.createForActor({ ...dept, scopes: ['query:Aggregate'] });
    expect(scoped).not.toBe(ability);
    expect(scoped.can('read', 'Me')).toBe(false);
    expect(factory.createForActor({ ...dept, scopes: [] })).not.toBe(scoped);
    expect(ability.can('read', 'Me')).toBe(true);
  });
});
