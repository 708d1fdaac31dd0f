import type { QueryRunner } from 'typeorm';

/**
 * Clears the scrubbed free text (request, reply, reason for dissatisfaction) of cases received
 * more than `days` days ago. The analytics never read it after import: keywords are taken from
 * the rows in memory and the reply fingerprint is a column of its own. Cases still holding text
 * are found through a partial index, so this costs nothing once the text is gone.
 */
export async function purgeFreeText(runner: QueryRunner, days: number): Promise<number> {
  const rows = (await runner.query(
    `WITH purged AS (
       UPDATE case_record SET dissatisfaction_reason = NULL, request_text = NULL, reply_text = NULL
       WHERE received_at < now() - $1::int * interval '1 day'
         AND (request_text IS NOT NULL OR reply_text IS NOT NULL OR dissatisfaction_reason IS NOT NULL)
       RETURNING 1)
     SELECT count(*)::int AS n FROM purged`,
    [days],
  )) as { n: number }[];
  return rows[0]?.n ?? 0;
}
