import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Governance analytics (issue #10, docs/analytics.md): repeat-chain sums on every case rollup,
 * the same-hour-of-week baseline on every traffic rollup, an index to walk repeat chains forward,
 * and the new measures in the catalog. Every day with records is marked dirty, so the next
 * refresh fills the new columns.
 */
const CASE_TABLES = ['rollup_cases_month', 'rollup_cases_day', 'rollup_cases_hour', 'rollup_cases_fine'];
const TRAFFIC_TABLES = ['rollup_traffic_month', 'rollup_traffic_day', 'rollup_traffic_hour'];

interface NewMeasure {
  code: string;
  titleZh: string;
  titleEn: string;
  unit: string;
  definition: string;
}

const CASE_MEASURES: NewMeasure[] = [
  {
    code: 'dissatisfactionRate',
    titleZh: '不满意率',
    titleEn: 'Dissatisfaction rate',
    unit: 'ratio',
    definition: 'Cases rated dissatisfied divided by cases that were rated.',
  },
  {
    code: 'avgChainLength',
    titleZh: '重复诉求链平均长度',
    titleEn: 'Average repeat-chain length',
    unit: 'contacts',
    definition:
      'Mean number of contacts in the repeat chains (two or more cases of the same caller on the same issue, each within 90 days of the one before) that start in the cell; a chain counts where and when it started.',
  },
  {
    code: 'unsolvedAfterThreeShare',
    titleZh: '三次以上反映仍未解决占比',
    titleEn: 'Share unsolved after three or more contacts',
    unit: 'ratio',
    definition:
      'Issues first raised in the cell whose repeat chain reached three or more contacts and whose latest contact is still not solved, divided by all issues first raised in the cell (cases that repeat no earlier case).',
  },
  {
    code: 'casesGrowth',
    titleZh: '环比增长',
    titleEn: 'Period-over-period growth',
    unit: 'ratio',
    definition:
      'Released cases in the period divided by released cases in the previous period of the same other keys, minus 1; null when either period is suppressed or the previous one has none. Needs a time group.',
  },
  {
    code: 'growthPValue',
    titleZh: '增长显著性p值',
    titleEn: 'Growth p-value',
    unit: 'probability',
    definition:
      'One-sided conditional binomial test that the cell grew faster than the rest of the result between the previous period and this one (p-value, an upper bound when the previous period is suppressed). Cells significant under Benjamini-Hochberg at a false discovery rate of 0.01 and growing at least 1.5x the rest are flagged emerging. Needs a time group.',
  },
  {
    code: 'persistentMonths',
    titleZh: '持续高发月数',
    titleEn: 'Persistent months',
    unit: 'months',
    definition:
      "Longest run of consecutive months in the time filter in which the row's cases were in the top quarter of that month's rows and its repeat rate at or above that month's overall repeat rate (released values only); 3 or more is flagged persistent. Do not group by time.",
  },
];

const TRAFFIC_MEASURES: NewMeasure[] = [
  {
    code: 'baselineCallsOffered',
    titleZh: '基线呼入量',
    titleEn: 'Baseline calls offered',
    unit: 'count',
    definition:
      'Calls offered in the same hour of the week over the previous four weeks, averaged per hour (over the weeks with data), summed over the hours of the cell.',
  },
  {
    code: 'surgeRatio',
    titleZh: '话务激增倍数',
    titleEn: 'Surge ratio',
    unit: 'ratio',
    definition:
      'Calls offered divided by baselineCallsOffered, over hours that have a baseline; 2.5 or more is flagged surge.',
  },
];

const ADDED: Record<string, NewMeasure[]> = { 'hotline-cases': CASE_MEASURES, 'call-traffic': TRAFFIC_MEASURES };

export class GovernanceAnalytics1764202600000 implements MigrationInterface {
  name = 'GovernanceAnalytics1764202600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of CASE_TABLES) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD "chains" integer NOT NULL DEFAULT 0, ADD "chain_contacts" integer NOT NULL DEFAULT 0,
           ADD "unsolved_after_three" integer NOT NULL DEFAULT 0`,
      );
    }
    for (const table of TRAFFIC_TABLES) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD "calls_baseline" double precision NOT NULL DEFAULT 0,
           ADD "calls_offered_baselined" bigint NOT NULL DEFAULT 0`,
      );
    }
    await queryRunner.query(`CREATE INDEX "case_record_repeat_of_idx" ON "case_record" ("repeat_of_id")`);
    for (const [slug, measures] of Object.entries(ADDED)) {
      const rows = (await queryRunner.query(`SELECT definition FROM dataset WHERE slug = $1`, [slug])) as {
        definition: { measures: NewMeasure[] };
      }[];
      if (rows.length === 0) continue;
      const definition = rows[0].definition;
      const known = new Set(definition.measures.map((m) => m.code));
      definition.measures.push(...measures.filter((m) => !known.has(m.code)));
      await queryRunner.query(`UPDATE dataset SET definition = $2 WHERE slug = $1`, [slug, JSON.stringify(definition)]);
    }
    await queryRunner.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record
       UNION SELECT DISTINCT 'traffic', (hour_start AT TIME ZONE 'Asia/Shanghai')::date FROM call_traffic
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [slug, measures] of Object.entries(ADDED)) {
      const rows = (await queryRunner.query(`SELECT definition FROM dataset WHERE slug = $1`, [slug])) as {
        definition: { measures: NewMeasure[] };
      }[];
      if (rows.length === 0) continue;
      const codes = new Set(measures.map((m) => m.code));
      const definition = rows[0].definition;
      definition.measures = definition.measures.filter((m) => !codes.has(m.code));
      await queryRunner.query(`UPDATE dataset SET definition = $2 WHERE slug = $1`, [slug, JSON.stringify(definition)]);
    }
    await queryRunner.query(`DROP INDEX "public"."case_record_repeat_of_idx"`);
    for (const table of TRAFFIC_TABLES) {
      await queryRunner.query(
        `ALTER TABLE "${table}" DROP COLUMN "calls_baseline", DROP COLUMN "calls_offered_baselined"`,
      );
    }
    for (const table of CASE_TABLES) {
      await queryRunner.query(
        `ALTER TABLE "${table}" DROP COLUMN "chains", DROP COLUMN "chain_contacts", DROP COLUMN "unsolved_after_three"`,
      );
    }
  }
}
