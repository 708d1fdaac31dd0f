import { QueryRunner } from 'typeorm';
import type { CaseInput } from '../import/case-input.js';
import { storeCaseKeywords } from './case-keywords.js';
import { detectTemplateReplies } from './template-replies.js';

/**
 * The import's one call into text analytics, inside the batch's transaction after the cases (and
 * their repeat links) are written: keywords for hot topics, then template-reply detection.
 * `minId` is the smallest id the batch inserted; the batch's new rows are
 * `import_batch_id = batchId AND id >= minId`.
 */
export async function analyseBatchText(
  runner: QueryRunner,
  rows: CaseInput[],
  batchId: string,
  minId: string,
): Promise<void> {
  await storeCaseKeywords(runner, rows, batchId, minId);
  await detectTemplateReplies(runner, batchId, minId);
}
