import { CsvSyntaxError, readCsv, readWithCsvParse, type CsvRecord } from './csv-reader.js';

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

  /** Records and the error (name, line, message) of reading `parts` with `read`. */
  async function outcome(
    reader: typeof readCsv,
    parts: (string | Buffer)[],
    options?: { firstLine?: number; bom?: boolean },
  ) {
    const records: CsvRecord[] = [];
    try {
      for await (const r of reader(
        (async function* () {
          yield* parts;
        })(),
        options,
      ))
        records.push(r);
      return { records, error: null };
    } catch (e) {
      const err = e as CsvSyntaxError;
      return { records, error: { name: err.name, line: err.line, message: err.message } };
    }
  }

  it('reads every text, cut anywhere, to the records, lines and errors of csv-parse alone', async () => {
    // Deterministic pseudo-random texts over the characters that matter to CSV.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', ',', ',', '"', '"', '\n', '\n', '\r\n', '\r', ' ', '苏', '\uFEFF', '""'];
    let fastOnly = 0;
    for (let round = 0; round < 3000; round++) {
      const length = 1 + random(40);
      let text = round % 7 === 0 ? '\uFEFF' : '';
      for (let i = 0; i < length; i++) text += alphabet[random(alphabet.length)];
      const bytes = Buffer.from(text);
      const cut = random(bytes.length + 1);
      const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
      const options = round % 5 === 0 ? { firstLine: 7, bom: false } : undefined;
      const expected = await outcome(readWithCsvParse, [bytes], options);
      expect({ text, ...(await outcome(readCsv, parts, options)) }).toEqual({ text, ...expected });
      if (expected.error === null) fastOnly++;
    }
    // Both outcomes occur: records read whole, and errors at their line.
    expect(fastOnly).toBeGreaterThan(300);
    expect(fastOnly).toBeLessThan(2700);
  });

  it('reads a file of plain records in large parts, bytes of a character split between parts', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},苏州市${i},"引号""内",\r\n`).join('');
    const bytes = Buffer.from(`h1,h2,h3,h4\n${rows}末行,"多\n行",x,`);
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 65_537) parts.push(bytes.subarray(at, at + 65_537));
    const sut = await outcome(readCsv, parts);
    expect(sut).toEqual(await outcome(readWithCsvParse, [bytes]));
    expect(sut.records).toHaveLength(3002);
    expect(sut.records[3001]).toEqual({ line: 3002, fields: ['末行', '多\n行', 'x', ''] });
  });
});
