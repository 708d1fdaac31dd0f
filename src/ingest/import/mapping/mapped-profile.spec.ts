import { CallerPseudonymizer } from '../../pii/caller-pseudonymizer.js';
import { PiiScrubber } from '../../pii/pii-scrubber.js';
import type { CaseInput } from '../case-input.js';
import { InputError } from '../case-input.js';
import { ReferenceIndex } from '../reference-index.js';
import { parseMapping } from './column-mapping.js';
import { bindMapping } from './mapped-profile.js';

function context() {
  const refs = new ReferenceIndex();
  refs.addArea('US-NY', 'province', null, '纽约州', 'New York State');
  refs.addArea('US-NY-NYC', 'city', 'US-NY', '纽约市', 'New York City');
  refs.addArea('US-NY-NYC-BK', 'district', 'US-NY-NYC', '布鲁克林', 'Brooklyn');
  return {
    refs,
    scrubber: new PiiScrubber(),
    pseudonymizer: new CallerPseudonymizer(Buffer.alloc(32, 3)),
    source: 'test',
  };
}

const MAPPING = {
  name: 'spec',
  timeZone: 'America/New_York',
  fields: {
    caseNumber: 'id',
    receivedAt: { column: 'opened', dateFormat: 'M/D/YYYY h:mm A' },
    kind: { column: 'type', rules: [{ when: 'help', value: 'help' }], otherwise: 'complaint' },
    category1: { column: 'type', create: { code: 'T_{slug}' } },
    department: { column: 'agency', create: { code: 'AG-{slug}', nameColumn: 'agency_name' } },
    city: { value: 'US-NY-NYC' },
    district: {
      column: 'borough',
      optional: true,
      empty: ['Unspecified'],
      codes: { brooklyn: 'US-NY-NYC-BK' },
      fallback: { column: 'board', optional: true, rules: [{ when: '^\\d+ BROOKLYN$', value: 'US-NY-NYC-BK' }] },
    },
    street: {
      column: 'board',
      optional: true,
      rules: [
        {
          when: '^0*([1-9]\\d?) BROOKLYN$',
          value: 'US-NY-NYC-BK-${1:2}',
          parent: 'US-NY-NYC-BK',
          nameZh: '布鲁克林第$1社区委员会',
          nameEn: 'Brooklyn Community Board $1',
        },
      ],
      otherwise: '',
    },
  },
};

describe(bindMapping.name, () => {
  const header = ['id', 'opened', 'type', 'agency', 'agency_name', 'borough', 'board'];

  it('maps by codes, rules with groups, fallbacks and date formats, and creates what the mapping allows', () => {
    const ctx = context();
    const sut = bindMapping(parseMapping(MAPPING, 'spec'), header, ctx);
    const result = sut.map([
      '1',
      '3/1/2011 2:05 PM',
      'Noise - Street',
      'DEP',
      'Environment',
      'Unspecified',
      '7 BROOKLYN',
    ]);
    expect(result.ok).toBe(true);
    const value = (result as { value: CaseInput }).value;
    expect(value).toMatchObject({
      kind: 'complaint',
      categoryL1: 'T_NOISE_STREET',
      departmentCode: 'AG-DEP',
      districtCode: 'US-NY-NYC-BK',
      streetCode: 'US-NY-NYC-BK-07',
      receivedAt: Date.UTC(2011, 2, 1, 19, 5),
    });
    expect(sut.takeNewReferences()).toEqual({
      areas: [
        {
          code: 'US-NY-NYC-BK-07',
          level: 'street',
          parentCode: 'US-NY-NYC-BK',
          nameZh: '布鲁克林第7社区委员会',
          nameEn: 'Brooklyn Community Board 7',
        },
      ],
      categories: [
        { code: 'T_NOISE_STREET', level: 1, parentCode: null, nameZh: 'Noise - Street', nameEn: 'Noise - Street' },
      ],
      departments: [{ code: 'AG-DEP', nameZh: 'Environment', nameEn: 'Environment', areaCode: 'US-NY-NYC' }],
    });
    expect(sut.takeNewReferences()).toBeNull();
  });

  it('rejects a value that does not match the date format, naming the column and the format', () => {
    const sut = bindMapping(parseMapping(MAPPING, 'spec'), header, context());
    expect(sut.map(['2', '2011-03-01 14:05', 'Help', 'DEP', '', '', ''])).toEqual({
      ok: false,
      reason: 'opened "2011-03-01 14:05" does not match the date format M/D/YYYY h:mm A',
    });
  });

  it('lets an optional fallback column be absent, but not a required column', () => {
    expect(() => bindMapping(parseMapping(MAPPING, 'spec'), header.slice(0, 5), context())).not.toThrow();
    expect(() => bindMapping(parseMapping(MAPPING, 'spec'), ['id', 'opened', 'type', 'borough'], context())).toThrow(
      new InputError(
        'the header lacks required columns "agency_name" (fields.department.create.nameColumn), "agency" (fields.department.column) named by mapping spec; found: id, opened, type, borough. Fix the column name in the mapping, or mark the field "optional": true',
      ),
    );
  });
});
