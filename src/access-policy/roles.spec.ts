import { dimensionSpec } from '../catalog/dimensions.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';
import { principalRoleCheck, ROLE_DEFINITIONS, roleDefinition, ROLES, type Role } from './roles.js';

describe('role definitions (roles.ts)', () => {
  const abilities = new CaslAbilityFactory();
  const roles = Object.keys(ROLE_DEFINITIONS) as Role[];
  const abilityOf = (role: Role) =>
    abilities.createForActor({ role, principalId: role === 'public' ? undefined : `${role}-1`, authMethod: 'api-key' });

  it('lists as principal roles every role but the public, in definition order, and checks exactly those in SQL', () => {
    expect(ROLES).toEqual(roles.filter((r) => r !== 'public'));
    expect(principalRoleCheck()).toBe(`"role" IN (${ROLES.map((r) => `'${r}'`).join(', ')})`);
  });

  it.each(roles)('%s: a licence kind exactly when it may request licences', (role) => {
    expect(roleDefinition(role).licenceKind !== undefined).toBe(abilityOf(role).can('request', 'License'));
  });

  it.each(roles)('%s: says why it sees no data exactly when it may not query', (role) => {
    expect(roleDefinition(role).noData !== undefined).toBe(!abilityOf(role).can('query', 'Aggregate'));
  });

  it.each(roles)('%s: standing access names dimensions and levels the catalog knows', (role) => {
    const without = roleDefinition(role).withoutLicence;
    if (typeof without !== 'object') return;
    for (const finest of Object.values(without)) {
      for (const [dimension, level] of Object.entries(finest)) {
        expect(dimensionSpec(dimension)?.levels.map((l) => l.code)).toContain(level);
      }
    }
  });

  it('gives a role it does not know nothing beyond the public', () => {
    expect(roleDefinition('root')).toBe(ROLE_DEFINITIONS.public);
    expect(roleDefinition('toString')).toBe(ROLE_DEFINITIONS.public);
  });

  it('reaches datasets by role: open, all records, own department, standing, licence or no data', () => {
    const open = { slug: 'hotline-cases-open', classification: 'open' };
    const cases = { slug: 'hotline-cases', classification: 'restricted' };
    const traffic = { slug: 'call-traffic', classification: 'restricted' };
    const reach = (role: Role, dataset: typeof open, departmentCode?: string) =>
      abilities.reachOf({ role, principalId: `${role}-1`, departmentCode, authMethod: 'api-key' }, dataset);
    expect(reach('public', open)).toEqual({ kind: 'open' });
    expect(reach('public', cases)).toEqual({ kind: 'licence', mayRequest: false });
    expect(reach('steward', open)).toEqual({ kind: 'all-records' });
    expect(reach('department', cases, '320500-housing')).toEqual({
      kind: 'own-department',
      departmentCode: '320500-housing',
    });
    expect(reach('researcher', cases)).toEqual({ kind: 'licence', mayRequest: true });
    expect(reach('auditor', open)).toMatchObject({ kind: 'no-data' });
    expect(reach('journalist', cases)).toEqual({ kind: 'standing', finest: { area: 'city' } });
    expect(reach('journalist', traffic)).toEqual({ kind: 'licence', mayRequest: false });
    // A key's scopes gate operations, not what the role reaches.
    expect(
      abilities.reachOf({ role: 'researcher', principalId: 'r-1', authMethod: 'api-key', scopes: ['read:Me'] }, cases),
    ).toEqual({ kind: 'licence', mayRequest: true });
  });
});
