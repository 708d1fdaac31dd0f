import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import type { CaseBatchHook, StoredCaseBatch } from '../src/ingest/import/batch-writer.js';
import { ImportRunner } from '../src/ingest/import/import-runner.js';
import { createTestDatabase } from './utils/test-database.js';

/** The per-batch hook point: runs in each batch's transaction and sees exactly that batch's new cases. */
describe('case batch hooks', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let dir: string;
  let file: string;
  const KEY = Buffer.alloc(32, 9);
  const count = async (sql: string) => Number((await dataSource.query<{ n: string }[]>(sql))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource(db.url, { poolSize: 4 });
    await dataSource.initialize();
    await migrate(dataSource);
    dir = mkdtempSync(join(tmpdir(), 'hgw-hooks-'));
    file = join(dir, 'cases.csv');
    const cases = [...generateCases({ cases: 1200, from: '2021-05-01', to: '2021-05-31', seed: 'hooks' })];
    // The last two rows repeat earlier case numbers: duplicates, not new cases.
    const lines = [CASE_CSV_HEADER.join(','), ...cases.map(caseToCsv), caseToCsv(cases[0]), caseToCsv(cases[1])];
    writeFileSync(file, lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failing hook rolls its batch back: no cases, no progress of that batch', async () => {
    let calls = 0;
    const failing: CaseBatchHook = () => (++calls === 2 ? Promise.reject(new Error('hook failed')) : Promise.resolve());
    await expect(
      new ImportRunner(dataSource, KEY, [failing]).run({ file, profile: '12345', source: 'hooked', batchSize: 500 }),
    ).rejects.toThrow('hook failed');
    expect(await count(`SELECT count(*) n FROM case_record WHERE source = 'hooked'`)).toBe(500);
    expect(await count(`SELECT committed_lines n FROM import_batch WHERE source = 'hooked'`)).toBe(500);
  });

  it("sees each batch's new cases inside the batch transaction, and every batch once", async () => {
    const seen: (StoredCaseBatch & { visible: number; inTransaction: boolean })[] = [];
    const recorder: CaseBatchHook = async (tx, batch) => {
      const rows = (await tx.query(
        `SELECT count(*)::int AS n FROM case_record WHERE import_batch_id = $1 AND id >= $2`,
        [batch.importBatchId, batch.firstCaseId ?? '9223372036854775807'],
      )) as { n: number }[];
      seen.push({ ...batch, visible: rows[0].n, inTransaction: tx.isTransactionActive });
    };
    // Resumes the import the failing hook stopped: batches 2, 3 and the last one.
    const sut = await new ImportRunner(dataSource, KEY, [recorder]).run({
      file,
      profile: '12345',
      source: 'hooked',
      batchSize: 500,
    });
    expect(sut).toMatchObject({ resumedAfter: 500, records: 1202, accepted: 1200, duplicates: 2 });
    expect(seen.map((b) => b.inserted)).toEqual([500, 200]);
    expect(seen.map((b) => b.visible)).toEqual([500, 200]);
    expect(seen).toHaveLength(2);
    expect(seen.every((b) => b.inTransaction && b.importBatchId === sut.batchId)).toBe(true);
  });
});
