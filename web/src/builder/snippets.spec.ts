import { snippets } from './snippets';

describe('snippets', () => {
  const input = { dataset: 'hotline-cases', measures: ['cases'], licenseId: 'L-1' };

  it('reads the key from the environment, never writes one', () => {
    const s = snippets('http://127.0.0.1:3000', input, true);
    for (const text of [s.curl, s.python]) expect(text).toContain('HGW_API_KEY');
    for (const text of [s.graphql, s.curl, s.python]) expect(text).not.toMatch(/hgw_[A-Za-z0-9]/);
    expect(s.curl).toContain('http://127.0.0.1:3000/graphql');
    expect(s.curl).toContain('/export/aggregate.csv');
    expect(s.python).toContain('"licenseId": "L-1"');
  });

  it('sends no Authorization header for the public', () => {
    const s = snippets('http://h', { dataset: 'hotline-cases-open', measures: ['cases'] }, false);
    expect(s.curl).not.toContain('Authorization');
    expect(s.python).toContain('H = {}');
  });

  it('quotes the curl body safely for a shell', () => {
    const s = snippets('http://h', { dataset: "it's", measures: ['cases'] }, false);
    expect(s.curl).toContain(`'\\''`);
  });
});
