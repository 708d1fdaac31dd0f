import { QueryRunner } from 'typeorm';
import type { CaseInput } from '../import/case-input.js';
import { KeywordExtractor } from './keyword-extractor.js';

/**
 * Stores the keywords of the batch's new cases in `case_keyword` (one statement: case numbers
 * and their space-joined keywords, joined back to the rows the batch inserted). Duplicates of
 * earlier imports were not inserted by this batch, so they get no keywords twice; a case number
 * twice in the batch was stored from its first row, whose keywords are the case's.
 */
export async function storeCaseKeywords(
  runner: QueryRunner,
  rows: CaseInput[],
  batchId: string,
  minId: string,
): Promise<void> {
  const extractor = KeywordExtractor.instance();
  const sources: string[] = [];
  const numbers: string[] = [];
  const keywords: string[] = [];
  // A case number given twice in the batch is stored once, from its first row: only that row's keywords.
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.source}\n${row.caseNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const found = extractor.extract(row.requestText);
    if (found.length === 0) continue;
    sources.push(row.source);
    numbers.push(row.caseNumber);
    keywords.push(found.join(' '));
  }
  if (numbers.length === 0) return;
  await runner.query(
    `INSERT INTO case_keyword (case_id, keyword)
     SELECT c.id, k.keyword
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u(source, case_number, keywords)
     JOIN case_record c ON c.source = u.source AND c.case_number = u.case_number
     CROSS JOIN LATERAL unnest(string_to_array(u.keywords, ' ')) AS k(keyword)
     WHERE c.import_batch_id = $4::bigint AND c.id >= $5::bigint
     ON CONFLICT DO NOTHING`,
    [sources, numbers, keywords, batchId, minId],
  );
}
