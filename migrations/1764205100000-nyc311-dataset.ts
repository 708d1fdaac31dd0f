import { MigrationInterface, QueryRunner } from 'typeorm';

const JIANGSU_DATASETS = ['hotline-cases', 'hotline-cases-open', 'call-traffic'];

/**
 * A dataset is one source and one jurisdiction. The Jiangsu datasets say so (`jurisdiction`, the
 * province every one of their rows lies in), and NYC 311 records get a dataset of their own,
 * `nyc311-cases`, with New York's areas and categories: hotline-cases' shape without what NYC
 * exports do not carry (satisfaction, request text, Jiangsu's statutory limits).
 */
export class Nyc311Dataset1764205100000 implements MigrationInterface {
  name = 'Nyc311Dataset1764205100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = "definition" || '{"jurisdiction": "320000"}'::jsonb
        WHERE "slug" = ANY($1) AND NOT "definition" ? 'jurisdiction'`,
      [JIANGSU_DATASETS],
    );
    await queryRunner.query(
      `INSERT INTO "dataset" ("slug", "title_zh", "title_en", "description_zh", "description_en", "publisher",
         "version_date", "classification", "terms_of_use", "definition")
       SELECT 'nyc311-cases', '纽约市311服务请求统计', 'NYC 311 service requests',
              '纽约市311服务请求的匿名汇总：按区、社区委员会、投诉类型、承办机构、渠道和办理时长。',
              'Anonymized aggregates of New York City 311 service requests: by borough, community board, complaint type, agency, channel and handling time.',
              'NYC Open Data, 311 Service Requests (erm2-nwe9) / 纽约市开放数据', '2024-04-16', 'restricted',
              'Licensed use only. No re-identification, no onward sharing, cite the source, report publications.',
              jsonb_set(
                jsonb_set(
                  d."definition" - 'statutoryLimitDays' - 'period',
                  '{dimensions}',
                  (SELECT jsonb_agg(x ORDER BY n) FROM jsonb_array_elements(d."definition" -> 'dimensions') WITH ORDINALITY AS e(x, n)
                    WHERE x ->> 'code' NOT IN ('satisfaction', 'topic'))
                ),
                '{measures}',
                (SELECT jsonb_agg(m ORDER BY n) FROM jsonb_array_elements(d."definition" -> 'measures') WITH ORDINALITY AS e(m, n)
                  WHERE m ->> 'code' NOT IN ('satisfactionRate', 'dissatisfactionRate', 'onTimeRate', 'templateReplyShare'))
              ) || '{"jurisdiction": "US-NY", "source": "cases"}'::jsonb
         FROM "dataset" d
        WHERE d."slug" = 'hotline-cases'
       ON CONFLICT ("slug") DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "dataset" WHERE "slug" = 'nyc311-cases'`);
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = "definition" - 'jurisdiction' WHERE "slug" = ANY($1)`,
      [JIANGSU_DATASETS],
    );
  }
}
