import { subject } from '@casl/ability';
import { Actor } from './actor.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';
import { toSqlFilter } from './sql-filter.js';

const factory = new CaslAbilityFactory();
const actor = (over: Partial<Actor>): Actor => ({ role: 'researcher', authMethod: 'api-key', ...over });

describe(toSqlFilter.name, () => {
  it('gives FALSE when the actor may see no row at all', () => {
    const sut = toSqlFilter(factory.createForActor(actor({ role: 'public' })), 'manage', 'ApiKey', {
      principalId: 'principal_id',
    });
    expect(sut).toEqual({ sql: 'FALSE', params: [] });
  });

  it('gives TRUE for an unconditional permission', () => {
    const sut = toSqlFilter(factory.createForActor(actor({ role: 'steward', principalId: 's1' })), 'manage', 'ApiKey', {
      principalId: 'k.principal_id',
    });
    expect(sut).toEqual({ sql: 'TRUE', params: [] });
  });

  it('turns an own-rows condition into a parameterized column test', () => {
    const sut = toSqlFilter(factory.createForActor(actor({ principalId: 'p-7' })), 'manage', 'ApiKey', {
      principalId: 'k.principal_id',
    });
    expect(sut).toEqual({ sql: 'k.principal_id = $1', params: ['p-7'] });
  });

  it("scopes a department's case detail to its department code, numbering parameters from firstParam", () => {
    const ability = factory.createForActor(actor({ role: 'department', departmentCode: '320500-housing' }));
    const sut = toSqlFilter(ability, 'detail', 'CaseRecord', { departmentCode: 'c.department_code' }, 3);
    expect(sut).toEqual({ sql: 'c.department_code = $3', params: ['320500-housing'] });
  });

  it('keeps separation of duties as AND NOT in SQL', () => {
    const sut = toSqlFilter(
      factory.createForActor(actor({ role: 'steward', principalId: 's1' })),
      'decide',
      'License',
      {
        requestedById: 'l.requested_by_id',
      },
    );
    expect(sut).toEqual({ sql: '(NOT COALESCE(l.requested_by_id = $1, FALSE))', params: ['s1'] });
  });

  it('refuses to translate a field that has no column (fails closed)', () => {
    expect(() => toSqlFilter(factory.createForActor(actor({ principalId: 'p' })), 'manage', 'ApiKey', {})).toThrow(
      /no column mapped for field "principalId"/,
    );
  });

  it('agrees with the in-memory check on sample rows', () => {
    const ability = factory.createForActor(actor({ principalId: 'mine' }));
    expect(ability.can('manage', subject('ApiKey', { principalId: 'mine' }))).toBe(true);
    expect(ability.can('manage', subject('ApiKey', { principalId: 'theirs' }))).toBe(false);
  });
});
