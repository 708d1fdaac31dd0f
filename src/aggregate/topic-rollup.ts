import { EntityManager } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';

/**
 * The topic rollup: per month, city, category level 1, department and keyword, the cases that
 * mention the keyword and the sum of their record keys (for the cell key method). Rebuilt for
 * whole months from `case_record` and `case_keyword` inside the rollup refresher's transaction.
 *
 * Then the topic vocabulary grows: a keyword becomes showable once cases from at least
 * TOPIC_MIN_CALLERS distinct callers mention it (cases without a known caller count one each).
 * A word only one or a few people use (a name the scrubber missed, a rare place) never becomes a
 * member of the dimension, whatever the cell threshold; common ones then face the usual
 * threshold and cell-key noise per cell. Admission is final: records are only ever added.
 */
export const TOPIC_MIN_CALLERS = 20;

const TZ = `'${HOTLINE_TIME_ZONE}'`;

const REBUILD_SQL = `
INSERT INTO rollup_topics (t, province_code, city_code, category_l1, department_code, keyword, cases, record_key_sum)
SELECT date_trunc('month', r.received_at AT TIME ZONE ${TZ}), r.province_code, r.city_code, r.category_l1,
  coalesce(r.department_code, ''), k.keyword, count(*), sum(r.record_key::bigint)
FROM case_record r
JOIN case_keyword k ON k.case_id = r.id
WHERE r.received_at >= ($1::timestamp AT TIME ZONE ${TZ}) AND r.received_at < ($2::timestamp AT TIME ZONE ${TZ})
GROUP BY 1, 2, 3, 4, 5, 6`;

const ADMIT_SQL = `
INSERT INTO topic_vocabulary (keyword, callers)
SELECT k.keyword, count(DISTINCT coalesce(r.caller_pseudonym, 'case:' || r.id::text))
FROM case_keyword k
JOIN case_record r ON r.id = k.case_id
WHERE k.keyword IN (
  SELECT DISTINCT keyword FROM rollup_topics t
  WHERE t.t >= $1::timestamp AND t.t < $2::timestamp
    AND NOT EXISTS (SELECT 1 FROM topic_vocabulary v WHERE v.keyword = t.keyword)
)
GROUP BY k.keyword
HAVING count(DISTINCT coalesce(r.caller_pseudonym, 'case:' || r.id::text)) >= $3
ON CONFLICT (keyword) DO NOTHING`;

/** Rebuilds the topic rollup for the given local-time month spans [start, end) and admits new keywords. */
export async function rebuildTopicMonths(m: EntityManager, monthSpans: [string, string][]): Promise<void> {
  for (const span of monthSpans) {
    await m.query(`DELETE FROM rollup_topics WHERE t >= $1::timestamp AND t < $2::timestamp`, span);
    await m.query(REBUILD_SQL, span);
    await m.query(ADMIT_SQL, [...span, TOPIC_MIN_CALLERS]);
  }
}
