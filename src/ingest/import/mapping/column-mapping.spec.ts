import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MappingError, parseMapping } from './column-mapping.js';
import { mappingsFolder, SHIPPED_MAPPINGS } from './mapping-files.js';

describe(parseMapping.name, () => {
  it.each(SHIPPED_MAPPINGS)('accepts the shipped mapping %s', (name) => {
    const sut = parseMapping(JSON.parse(readFileSync(join(mappingsFolder(), `${name}.json`), 'utf8')), name);
    expect(sut.name).toBe(name);
    expect(sut.fields.caseNumber?.columns.length).toBeGreaterThan(0);
  });

  it('makes the columns of callerNumber and callerName personal even when the list forgets them', () => {
    const sut = parseMapping(
      {
        name: 'm',
        fields: { caseNumber: 'id', receivedAt: 't', kind: 'k', category1: 'c', city: 'city', callerNumber: 'tel' },
      },
      'm.json',
    );
    expect(sut.personal).toEqual(['tel']);
  });

  it.each([
    [[], /the file must hold one JSON object/],
    [{ fields: {} }, /name: is missing/],
    [{ name: 'a b', fields: {} }, /name: "a b" must be 1-64 letters/],
    [{ name: 'm', fields: {}, timeZone: 'Europe/Paris' }, /timeZone: "Europe\/Paris" is not supported/],
    [{ name: 'm', fields: { caseNumber: 3 } }, /fields\.caseNumber: must be a column name or an object/],
    [
      { name: 'm', fields: { caseNumber: { colum: 'id' } } },
      /fields\.caseNumber\.colum: unknown key; a field has column/,
    ],
    [{ name: 'm', fields: { caseNumber: { column: 'a', value: 'b' } } }, /has both "column" and "value"/],
    [
      { name: 'm', fields: { channel: { column: 'c', default: 'fax' } } },
      /fields\.channel\.default: "fax" is not a channel/,
    ],
    [
      { name: 'm', fields: { kind: { column: 'k', rules: [{ when: '(', value: 'help' }] } } },
      /rules\[0\]\.when: not a valid regular expression/,
    ],
    [
      { name: 'm', fields: { city: { column: 'c', create: { code: 'X' } } } },
      /fields\.city\.create: only category1, category2/,
    ],
    [
      { name: 'm', fields: { category1: { column: 'c', create: { code: 'X_{nope}' } } } },
      /\{nope\} is not a template variable/,
    ],
    [{ name: 'm', fields: { city: { column: 'c', dateFormat: 'YYYY' } } }, /only time fields/],
  ])('explains %j', (document, message) => {
    expect(() => parseMapping(document, 'm.json')).toThrow(MappingError);
    expect(() => parseMapping(document, 'm.json')).toThrow(message);
  });

  it('lists every problem at once, each with its place in the file', () => {
    try {
      parseMapping({ name: 'm', fields: { kindd: 'x' } }, 'm.json');
      throw new Error('accepted');
    } catch (e) {
      expect((e as MappingError).problems).toEqual([
        expect.stringMatching(/^fields\.kindd: unknown field/),
        'fields.caseNumber: is required: name its column (or give a constant value)',
        'fields.receivedAt: is required: name its column (or give a constant value)',
        'fields.kind: is required: name its column (or give a constant value)',
        'fields.category1: is required: name its column (or give a constant value)',
        'fields.city: is required: name its column (or give a constant value)',
      ]);
    }
  });
});
