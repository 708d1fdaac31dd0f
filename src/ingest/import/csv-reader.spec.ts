import { CsvSyntaxError, readCsv } from './csv-reader.js';

async function read(chunks: string[]) {
  const out: { line: number; fields: string[] }[] = [];
  for await (const batch of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(...batch);
  return out;
}

describe('readCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, and gives each record its first line', async () => {
    const sut = await read(['\uFEFFa,b,c\r\n1,"x, ""y""",3\r\n2,"multi\nline",4\n\n5,,\n']);
    expect(sut).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', '3'] },
      { line: 3, fields: ['2', 'multi\nline', '4'] },
      { line: 6, fields: ['5', '', ''] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const text = 'h1,h2\r\n"a""b",c\r\n"d\r\ne",苏州市\r\nlast,row';
    const whole = await read([text]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await read([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(whole[whole.length - 1]).toEqual({ line: 5, fields: ['last', 'row'] });
  });

  it('reports an unclosed quote with its line', async () => {
    await expect(read(['a,b\n1,"open\n'])).rejects.toThrow(CsvSyntaxError);
  });
});
