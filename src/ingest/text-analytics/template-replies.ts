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
 * templates, or null when the cases have no reply fingerprint at all.
 */
export async function addToReplyForms(
  runner: QueryRunner,
  newCases: string,
  params: unknown[] = [],
): Promise<string[] | null> {
  return addCountsToReplyForms(runner, replyFormCounts(newCases), params);
}

/**
 * New cases (a query with `reply_fingerprint` and `repeat_of_id`) counted by reply form: one row
 * per fingerprint with its `cases` and its `unrelated` cases (those that start a repeat chain).
 */
export function replyFormCounts(newCases: string): string {
  return `SELECT reply_fingerprint, count(*)::int AS cases, (count(*) FILTER (WHERE repeat_of_id IS NULL))::int AS unrelated
    FROM (${newCases}) n WHERE reply_fingerprint IS NOT NULL GROUP BY reply_fingerprint`;
}

/**
 * The fingerprints of `counts` (replyFormCounts) whose form is a template once they are added:
 * what addCountsToReplyForms will make of them, read before it writes. The caller locks
 * `reply_form` against other writers first (LOCK_REPLY_FORMS), so that nothing is added between.
 * A history load stores its cases flagged while their forms are written (history-loader.ts).
 */
export function templatesAfterCounts(counts: string): string {
  return `SELECT g.reply_fingerprint FROM (${counts}) g LEFT JOIN reply_form f ON f.fingerprint = g.reply_fingerprint
    WHERE coalesce(f.template, false) OR coalesce(f.unrelated_cases, 0) + g.unrelated >= ${TEMPLATE_MIN_UNRELATED_CASES}`;
}

/** Other imports' writes to reply forms wait until this transaction ends; reads go on. */
export const LOCK_REPLY_FORMS = `LOCK TABLE reply_form IN SHARE ROW EXCLUSIVE MODE`;

/**
 * Steps 1 and 2 for counts already made (a query of `params` in replyFormCounts' shape): returns
 * the fingerprints that just became templates, or null when there are none to add.
 */
export async function addCountsToReplyForms(
  runner: QueryRunner,
  counts: string,
  params: unknown[] = [],
): Promise<string[] | null> {
  const min = `$${params.length + 1}::int`;
  const reached = `f.unrelated_cases + excluded.unrelated_cases >= ${min}`;
  // One statement: the forms are added in fingerprint order (neighbouring entries of the primary
  // key, not one random page each; byte order, which sorts hex digests as the key does, and
  // cheaply), and a form that reaches the threshold becomes a template in the same write. Only the
  // forms that just crossed come back (template_since is the transaction's time: a form that
  // crossed in an earlier statement of the same transaction comes back again, and flagging its
  // cases again changes nothing).
  const [row] = await selectRows<{ touched: number; crossed: string[] | null }>(
    runner,
    `WITH touched AS (
       INSERT INTO reply_form AS f (fingerprint, cases, unrelated_cases, template, template_since)
       SELECT reply_fingerprint, cases, unrelated, unrelated >= ${min}, CASE WHEN unrelated >= ${min} THEN now() END
       FROM (${counts}) g
       ORDER BY reply_fingerprint COLLATE "C"
       ON CONFLICT (fingerprint) DO UPDATE
         SET cases = f.cases + excluded.cases, unrelated_cases = f.unrelated_cases + excluded.unrelated_cases,
           template = f.template OR ${reached},
           template_since = CASE WHEN NOT f.template AND ${reached} THEN now() ELSE f.template_since END
       RETURNING fingerprint, template AND template_since = now() AS crossed
     )
     SELECT count(*)::int AS touched, array_agg(fingerprint) FILTER (WHERE crossed) AS crossed FROM touched`,
    [...params, TEMPLATE_MIN_UNRELATED_CASES],
  );
  if (row.touched === 0) return null;
  return row.crossed ?? [];
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
