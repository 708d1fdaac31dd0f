import { MigrationInterface, QueryRunner } from 'typeorm';

const level = (code: string, titleZh: string, titleEn: string) => ({ code, titleZh, titleEn });
const dim = (code: string, titleZh: string, titleEn: string, levels = [level(code, titleZh, titleEn)]) => ({
  code,
  titleZh,
  titleEn,
  levels,
});
const measure = (code: string, titleZh: string, titleEn: string, unit: string, definition: string) => ({
  code,
  titleZh,
  titleEn,
  unit,
  definition,
});

const time = dim('time', '时间', 'Time', [
  level('year', '年', 'Year'),
  level('quarter', '季度', 'Quarter'),
  level('month', '月', 'Month'),
  level('week', '周', 'ISO week'),
  level('day', '日', 'Day'),
  level('hour', '小时', 'Hour'),
]);
const area = dim('area', '地区', 'Area', [
  level('province', '省', 'Province'),
  level('city', '地市', 'City'),
  level('district', '区县', 'District'),
  level('street', '街道', 'Street'),
]);
const category = dim('category', '业务分类', 'Category', [
  level('l1', '一级分类', 'Category level 1'),
  level('l2', '二级分类', 'Category level 2'),
  level('l3', '三级分类', 'Category level 3'),
]);

const caseDimensions = [
  time,
  area,
  category,
  dim('channel', '受理渠道', 'Channel'),
  dim('kind', '诉求类型', 'Request kind'),
  dim('department', '承办单位', 'Handling department'),
  dim('outcome', '办理结果', 'Outcome'),
  dim('satisfaction', '满意度', 'Satisfaction'),
];

const caseMeasures = [
  measure('cases', '工单量', 'Cases', 'count', 'Number of requests received'),
  measure('consultationShare', '咨询占比', 'Share of consultations', 'ratio', 'Consultations divided by all cases'),
  measure(
    'avgHandlingDays',
    '平均办理天数',
    'Average handling days',
    'days',
    'Mean of closed-at minus received-at over closed cases',
  ),
  measure(
    'medianHandlingDays',
    '办理天数中位数',
    'Median handling days',
    'days',
    'Median handling time of closed cases',
  ),
  measure(
    'p90HandlingDays',
    '办理天数90分位',
    '90th percentile handling days',
    'days',
    '90th percentile handling time of closed cases',
  ),
  measure(
    'onTimeRate',
    '按时办结率',
    'On-time rate',
    'ratio',
    'Closed cases closed within the statutory limit for their kind',
  ),
  measure('solvedRate', '解决率', 'Solved rate', 'ratio', 'Cases with outcome solved divided by cases with an outcome'),
  measure(
    'satisfactionRate',
    '满意率',
    'Satisfaction rate',
    'ratio',
    'Satisfied or basically satisfied among cases that were rated',
  ),
  measure(
    'repeatRate',
    '重复诉求率',
    'Repeat rate',
    'ratio',
    'Cases that repeat an earlier case of the same caller on the same issue',
  ),
];

const PUBLISHER = 'Jiangsu 12345 Hotline Centre data office / 江苏12345热线数据办';

const datasets = [
  {
    slug: 'hotline-cases',
    titleZh: '12345热线工单统计',
    titleEn: '12345 hotline cases',
    descriptionZh: '12345政务服务热线工单的匿名汇总统计，细至街道和小时。',
    descriptionEn: 'Anonymized aggregates of 12345 government-hotline cases, down to street and hour.',
    classification: 'restricted',
    termsOfUse: 'Licensed use only. No re-identification, no onward sharing, cite the source, report publications.',
    definition: {
      dimensions: caseDimensions,
      measures: caseMeasures,
      disclosure: { method: 'threshold', threshold: 10 },
    },
  },
  {
    slug: 'hotline-cases-open',
    titleZh: '12345热线工单统计（开放版）',
    titleEn: '12345 hotline cases (open)',
    descriptionZh: '面向公众的粗粒度汇总：地市 × 月 × 一级分类。',
    descriptionEn: 'Coarse public aggregates: city x month x category level 1.',
    classification: 'open',
    termsOfUse: 'Open data. Cite the source.',
    definition: {
      dimensions: [
        dim('time', '时间', 'Time', [
          level('year', '年', 'Year'),
          level('quarter', '季度', 'Quarter'),
          level('month', '月', 'Month'),
        ]),
        dim('area', '地区', 'Area', [level('province', '省', 'Province'), level('city', '地市', 'City')]),
        dim('category', '业务分类', 'Category', [level('l1', '一级分类', 'Category level 1')]),
        dim('channel', '受理渠道', 'Channel'),
        dim('kind', '诉求类型', 'Request kind'),
      ],
      measures: caseMeasures.filter((m) =>
        ['cases', 'consultationShare', 'avgHandlingDays', 'solvedRate', 'satisfactionRate'].includes(m.code),
      ),
      disclosure: { method: 'threshold', threshold: 20 },
    },
  },
  {
    slug: 'call-traffic',
    titleZh: '12345热线话务量',
    titleEn: '12345 hotline call traffic',
    descriptionZh: '各地市每小时呼入、接通、放弃电话数及接通率。',
    descriptionEn: 'Hourly calls offered, answered and abandoned, and answer rate, per city.',
    classification: 'restricted',
    termsOfUse: 'Licensed use only. Cite the source.',
    definition: {
      dimensions: [
        time,
        dim('area', '地区', 'Area', [level('province', '省', 'Province'), level('city', '地市', 'City')]),
      ],
      measures: [
        measure('callsOffered', '呼入量', 'Calls offered', 'count', 'Calls that reached the hotline'),
        measure('callsAnswered', '接通量', 'Calls answered', 'count', 'Calls answered by an agent'),
        measure('callsAbandoned', '放弃量', 'Calls abandoned', 'count', 'Calls the caller gave up before an answer'),
        measure('answerRate', '接通率', 'Answer rate', 'ratio', 'Calls answered divided by calls offered'),
      ],
      disclosure: { method: 'none', threshold: 0 },
    },
  },
];

export class Foundation1764201600000 implements MigrationInterface {
  name = 'Foundation1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "dataset" (
        "slug" text PRIMARY KEY,
        "title_zh" text NOT NULL,
        "title_en" text NOT NULL,
        "description_zh" text NOT NULL,
        "description_en" text NOT NULL,
        "publisher" text NOT NULL,
        "version_date" date NOT NULL,
        "classification" text NOT NULL,
        "terms_of_use" text NOT NULL,
        "definition" jsonb NOT NULL,
        "published" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "dataset_classification_check" CHECK ("classification" IN ('open', 'restricted', 'confidential')),
        CONSTRAINT "dataset_slug_check" CHECK ("slug" ~ '^[a-z0-9][a-z0-9-]{1,62}$')
      )`);
    await queryRunner.query(`
      CREATE TABLE "app_meta" (
        "key" text PRIMARY KEY,
        "value" text NOT NULL
      )`);
    for (const d of datasets) {
      await queryRunner.query(
        `INSERT INTO "dataset" ("slug", "title_zh", "title_en", "description_zh", "description_en", "publisher",
           "version_date", "classification", "terms_of_use", "definition")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          d.slug,
          d.titleZh,
          d.titleEn,
          d.descriptionZh,
          d.descriptionEn,
          PUBLISHER,
          '2022-01-01',
          d.classification,
          d.termsOfUse,
          JSON.stringify(d.definition),
        ],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "app_meta"`);
    await queryRunner.query(`DROP TABLE "dataset"`);
  }
}
