import { QueryRunner } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import { selectRows } from '../import/select-rows.js';

/**
 * A reply is a template when its normalized text (the reply fingerprint: scrubbed, then digits,
 * placeholders, spacing and punctuation removed, so date-stamped or numbered copies are one form)
 * has been given to at least this many unrelated cases. Unrelated: cases that start a repeat
 * chain (a different caller, or the same caller on a different issue); follow-up calls of one
 * chain count once. Keep equal to MIN_UNRELATED in migration 1764202700000.
 */
export const TEMPLATE_MIN_UNRELATED_CASES = 20;

const TZ = HOTLINE_TIME_ZONE;

/**
 * Set-based, after each import batch, in the batch's transaction (after repeat links are set):
 * 1. adds the batch's new cases to `reply_form` (cases and unrelated cases per fingerprint);
 * 2. marks forms that now reach the threshold as templates;
 * 3. flags the batch's cases whose form is a template, and every earlier case of a form that
 *    just became one (earlier batches), marking those cases' days dirty for the rollups.
 * The outcome is the same however the cases are split into batches.
 */
export async function detectTemplateReplies(runner: QueryRunner, batchId: string, minId: string): Promise<void> {
  const params = [batchId, minId];
  const crossed = await addToReplyForms(
    runner,
    `SELECT reply_fingerprint, repeat_of_id FROM case_record
     WHERE import_batch_id = $1::bigint AND id >= $2::bigint AND reply_fingerprint IS NOT NULL`,
    params,
  );
  if (crossed === null) return;
  await runner.query(
    `UPDATE case_record c SET template_reply = true
     FROM reply_form f
     WHERE c.import_batch_id = $1::bigint AND c.id >= $2::bigint AND f.fingerprint = c.reply_fingerprint
       AND f.template AND NOT c.template_reply`,
    params,
  );
  await flagEarlierTemplateCases(runner, crossed);
}

/**
 * Steps 1 and 2 of detectTemplateReplies for new cases given as a query (`newCases`, with
 * `reply_fingerprint` and `repeat_of_id`, of `params`): returns the fingerprints that just became
 * templates, or null when the cases have no reply fingerprint at all. A history load calls it
 * before its cases are stored, and stores them flagged (history-loader.ts).
 */
export async function addToReplyForms(
  runner: QueryRunner,
  newCases: string,
  params: unknown[] = [],
): Promise<string[] | null> {
  const touched = await selectRows<{ fingerprint: string }>(
    runner,
    `INSERT INTO reply_form AS f (fingerprint, cases, unrelated_cases)
     SELECT reply_fingerprint, count(*), count(*) FILTER (WHERE repeat_of_id IS NULL) FROM (${newCases}) n
     WHERE reply_fingerprint IS NOT NULL
     GROUP BY reply_fingerprint
     ON CONFLICT (fingerprint) DO UPDATE
       SET cases = f.cases + excluded.cases, unrelated_cases = f.unrelated_cases + excluded.unrelated_cases
     RETURNING fingerprint`,
    params,
  );
  if (touched.length === 0) return null;
  const crossed = await selectRows<{ fingerprint: string }>(
    runner,
    // In a CTE so the driver returns the rows (a bare UPDATE ... RETURNING comes back as [rows, count]).
    `WITH crossed AS (
       UPDATE reply_form SET template = true, template_since = now()
       WHERE fingerprint = ANY($1::text[]) AND NOT template AND unrelated_cases >= $2
       RETURNING fingerprint
     )
     SELECT fingerprint FROM crossed`,
    [touched.map((t) => t.fingerprint), TEMPLATE_MIN_UNRELATED_CASES],
  );
  return crossed.map((c) => c.fingerprint);
}

/** Step 3 for the forms that just became templates: every stored case of theirs not flagged yet, and its day dirty. */
export async function flagEarlierTemplateCases(runner: QueryRunner, crossed: string[]): Promise<void> {
  if (crossed.length === 0) return;
  await runner.query(
    `WITH flagged AS (
       UPDATE case_record SET template_reply = true
       WHERE reply_fingerprint = ANY($1::text[]) AND NOT template_reply
       RETURNING received_at
     )
     INSERT INTO rollup_dirty_day (series, day)
     SELECT DISTINCT 'cases', (received_at AT TIME ZONE '${TZ}')::date FROM flagged
     ON CONFLICT DO NOTHING`,
    [crossed],
  );
}
