import { ImportRunner } from '../src/ingest/import/import-runner.js';
import { rowsFrom } from '../src/ingest/import/row-sources.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { insertReferenceData } from './utils/case-fixtures.js';

const KEY = Buffer.alloc(32, 5);
const DAY = 86_400_000;
const isoDaysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** FREE_TEXT_RETENTION_DAYS: scrubbed free text is kept only as long as configured (default: not at all). */
describe('free text retention', () => {
  let t: TestApp;
  const cases = (prefix: string, receivedAt: (i: number) => string) =>
    Array.from({ length: 30 }, (_, i) => ({
      caseNumber: `${prefix}-${i}`,
      receivedAt: receivedAt(i),
      closedAt: receivedAt(i),
      kind: 'complaint',
      categoryL1: 'ENV',
      cityCode: '320500',
      outcome: 'solved',
      requestText: '楼下共享单车乱停放，堵塞消防通道。',
      replyText: '已转交城管部门处理，感谢您的反映。',
      dissatisfactionReason: '处理太慢',
      callerNumber: `1391234${String(1000 + i)}`,
    }));
  const importCases = (items: unknown[], name: string, freeTextRetentionDays?: number) =>
    new ImportRunner(t.dataSource, KEY).importRows(rowsFrom(items, null), {
      file: name,
      profile: 'jsonl',
      source: 'synthetic',
      fileName: name,
      sha256: name,
      size: 0,
      freeTextRetentionDays,
    });
  const stored = (prefix: string) =>
    t.dataSource.query<
      {
        texts: number;
        fingerprints: number;
        keyworded: number;
      }[]
    >(
      `SELECT count(*) FILTER (WHERE request_text IS NOT NULL OR reply_text IS NOT NULL OR dissatisfaction_reason IS NOT NULL)::int AS texts,
         count(reply_fingerprint)::int AS fingerprints,
         (SELECT count(DISTINCT k.case_id)::int FROM case_keyword k JOIN case_record c ON c.id = k.case_id WHERE c.case_number LIKE $1) AS keyworded
       FROM case_record WHERE case_number LIKE $1`,
      [`${prefix}-%`],
    );

  beforeAll(async () => {
    t = await createTestApp();
    await insertReferenceData(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores no free text by default, but its keywords and reply fingerprints', async () => {
    const summary = await importCases(
      cases('DEFAULT', () => '2021-06-01T10:00:00+08:00'),
      'default',
    );
    expect(summary.accepted).toBe(30);
    expect((await stored('DEFAULT'))[0]).toEqual({ texts: 0, fingerprints: 30, keyworded: 30 });
  });

  it('keeps it for the configured days, then clears what has aged out at the next import', async () => {
    // Received 3 and 20 days ago, kept 10 days: the older half is stored without text.
    await importCases(
      cases('KEPT', (i) => isoDaysAgo(i < 15 ? 3 : 20)),
      'kept',
      10,
    );
    expect((await stored('KEPT'))[0]).toEqual({ texts: 15, fingerprints: 30, keyworded: 30 });
    // Ten days later (pretend: move the cases back), the next import clears the rest.
    await t.dataSource.query(
      `UPDATE case_record SET received_at = received_at - interval '10 days', closed_at = closed_at - interval '10 days' WHERE case_number LIKE 'KEPT-%'`,
    );
    await importCases(
      cases('LATER', () => isoDaysAgo(1)),
      'later',
      10,
    );
    expect((await stored('KEPT'))[0]).toEqual({ texts: 0, fingerprints: 30, keyworded: 30 });
    expect((await stored('LATER'))[0].texts).toBe(30);
  });
});
