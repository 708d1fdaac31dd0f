import { CsvSyntaxError, readCsv, type CsvRecord } from './csv-reader.js';

async function read(chunks: (string | Buffer)[]) {
  const out: CsvRecord[] = [];
  for await (const record of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(record);
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

  it('counts a CRLF inside a quoted field as one line', async () => {
    const sut = await read(['h\r\n"a\r\nb"\r\n\r\nc\r\n"d\r\n\r\ne"\r\nlast']);
    expect(sut.map((r) => r.line)).toEqual([1, 2, 5, 6, 9]);
    expect(sut[1].fields).toEqual(['a\r\nb']);
  });

  it('gives the same records whatever the chunk boundaries, also inside a multi-byte character', async () => {
    const text = 'h1,h2\r\n"a""b",c\r\n"d\r\ne",苏州市\r\nlast,row';
    const whole = await read([text]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await read([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await read([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
    }
    expect(whole[whole.length - 1]).toEqual({ line: 5, fields: ['last', 'row'] });
  });

  it('keeps rows whose field count differs from the header, for the profile to reject', async () => {
    expect((await read(['a,b\n1,2,3\n4\n'])).map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2', '3'], ['4']]);
  });

  it('reports an unclosed quote with the line where its record starts', async () => {
    await expect(read(['a,b\n1,"open\nmore\n'])).rejects.toThrow(
      expect.objectContaining({ name: 'CsvSyntaxError', line: 2, message: 'a quoted field is not closed' }),
    );
    await expect(read(['a,b\n1,"x"y\n'])).rejects.toThrow(CsvSyntaxError);
  });

  it('reports a quote inside an unquoted field without quoting the field (it may be personal)', async () => {
    const failure = await read(['a,b\n1,"ok"\n2,Zhang "13812345678"\n']).catch((e: unknown) => e);
    expect(failure).toEqual(
      expect.objectContaining({
        name: 'CsvSyntaxError',
        line: 3,
        message: 'a quote inside a field that does not start with one',
      }),
    );
    expect(String((failure as Error).message)).not.toContain('1381234');
  });
});
