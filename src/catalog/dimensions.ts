import { CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS, SATISFACTION_LABELS } from '../records/records.constants.js';
import { perSeries, type Series } from './series.js';
import { TimeLevel } from './time-members.js';

/**
 * The dimensions the engine knows: their levels and the SQL columns they map to. Queries name
 * catalog codes; SQL identifiers come only from here (see registry.ts).
 */
export { SERIES, type Series } from './series.js';

export interface LevelSpec {
  code: string;
  titleZh: string;
  titleEn: string;
  /**
   * Rollup column holding the member code (not used for time, which is computed from `t`). The fine
   * build reads it from the record column of the same name (src/aggregate/rollup-refresher.ts).
   */
  column?: string;
  /**
   * Where member codes and labels come from: the reference tables (`area`, `category`,
   * `department`), the topic vocabulary, the time formats, or the level's own `vocabulary`.
   */
  members: 'time' | 'area' | 'category' | 'department' | 'topic' | 'vocabulary';
  /** The member codes and their [Chinese, English] labels, for `members: 'vocabulary'`. */
  vocabulary?: Readonly<Record<string, readonly [zh: string, en: string]>>;
  /**
   * Records may lack the member (the record column is nullable): the cubes keep '' for it, shown as
   * `unknown` (src/catalog/member-directory.ts).
   */
  optional?: true;
}

export interface DimensionSpec {
  code: string;
  titleZh: string;
  titleEn: string;
  /** Coarsest to finest. */
  levels: LevelSpec[];
}

const lvl = (
  code: string,
  titleZh: string,
  titleEn: string,
  column: string | undefined,
  members: LevelSpec['members'],
  more: Pick<LevelSpec, 'vocabulary' | 'optional'> = {},
): LevelSpec => ({
  code,
  titleZh,
  titleEn,
  column,
  members,
  ...more,
});
/** A one-level dimension whose members are a fixed vocabulary (the level is named after the dimension). */
const vocabularyLevel = (
  code: string,
  titleZh: string,
  titleEn: string,
  vocabulary: LevelSpec['vocabulary'],
  more: Pick<LevelSpec, 'optional'> = {},
): LevelSpec => lvl(code, titleZh, titleEn, code, 'vocabulary', { vocabulary, ...more });
const OPTIONAL = { optional: true } as const;

export const DIMENSIONS: DimensionSpec[] = [
  {
    code: 'time',
    titleZh: '时间',
    titleEn: 'Time',
    levels: [
      lvl('year', '年', 'Year', undefined, 'time'),
      lvl('quarter', '季度', 'Quarter', undefined, 'time'),
      lvl('month', '月', 'Month', undefined, 'time'),
      lvl('week', '周', 'ISO week', undefined, 'time'),
      lvl('day', '日', 'Day', undefined, 'time'),
      lvl('hour', '小时', 'Hour', undefined, 'time'),
    ],
  },
  {
    code: 'area',
    titleZh: '地区',
    titleEn: 'Area',
    levels: [
      lvl('province', '省', 'Province', 'province_code', 'area'),
      lvl('city', '地市', 'City', 'city_code', 'area'),
      lvl('district', '区县', 'District', 'district_code', 'area', OPTIONAL),
      lvl('street', '街道', 'Street', 'street_code', 'area', OPTIONAL),
    ],
  },
  {
    code: 'category',
    titleZh: '业务分类',
    titleEn: 'Category',
    levels: [
      lvl('l1', '一级分类', 'Category level 1', 'category_l1', 'category'),
      lvl('l2', '二级分类', 'Category level 2', 'category_l2', 'category', OPTIONAL),
      lvl('l3', '三级分类', 'Category level 3', 'category_l3', 'category', OPTIONAL),
    ],
  },
  {
    code: 'channel',
    titleZh: '受理渠道',
    titleEn: 'Channel',
    levels: [vocabularyLevel('channel', '受理渠道', 'Channel', CHANNEL_LABELS)],
  },
  {
    code: 'kind',
    titleZh: '诉求类型',
    titleEn: 'Request kind',
    levels: [vocabularyLevel('kind', '诉求类型', 'Request kind', KIND_LABELS)],
  },
  {
    code: 'department',
    titleZh: '承办单位',
    titleEn: 'Handling department',
    levels: [lvl('department', '承办单位', 'Handling department', 'department_code', 'department', OPTIONAL)],
  },
  {
    code: 'outcome',
    titleZh: '办理结果',
    titleEn: 'Outcome',
    levels: [vocabularyLevel('outcome', '办理结果', 'Outcome', OUTCOME_LABELS, OPTIONAL)],
  },
  {
    code: 'satisfaction',
    titleZh: '满意度',
    titleEn: 'Satisfaction',
    levels: [vocabularyLevel('satisfaction', '满意度', 'Satisfaction', SATISFACTION_LABELS)],
  },
  {
    // Keywords of the scrubbed request text (src/ingest/text-analytics). A case has several, so
    // topic rows are not additive: see TOPIC_DIMENSION below.
    code: 'topic',
    titleZh: '热点话题',
    titleEn: 'Topic',
    levels: [lvl('keyword', '关键词', 'Keyword', 'keyword', 'topic')],
  },
];

/**
 * The topic dimension counts a case once per keyword it mentions, so only counts may be asked
 * with it, and it is read from its own rollup (`rollup_topics`) and never summed across keywords.
 */
export const TOPIC_DIMENSION = 'topic';
export const TOPIC_MEASURES = ['cases'];

export function dimensionSpec(code: string): DimensionSpec | undefined {
  return DIMENSIONS.find((d) => d.code === code);
}

/** Dimensions each series can offer at all (a dataset publishes a subset): src/catalog/series.ts. */
export const SERIES_DIMENSIONS: Record<Series, Record<string, string>> = perSeries((s) => s.dimensions);

export function levelIndex(dimension: DimensionSpec, level: string): number {
  return dimension.levels.findIndex((l) => l.code === level);
}

export function isTimeLevel(level: string): level is TimeLevel {
  return ['year', 'quarter', 'month', 'week', 'day', 'hour'].includes(level);
}
