import { JIANGSU_CITIES } from './jiangsu-areas.js';

/**
 * City departments that handle 12345 cases. Codes are `<city code>-<slug>`, e.g.
 * `320500-housing` (苏州市住房和城乡建设局, the Suzhou housing bureau).
 *
 * Frozen: migration 1764201900000 seeds these rows; a change needs a new migration.
 */
export const DEPARTMENT_KINDS: { slug: string; zh: string; en: string }[] = [
  { slug: 'housing', zh: '住房和城乡建设局', en: 'Housing and Urban-Rural Development Bureau' },
  { slug: 'environment', zh: '生态环境局', en: 'Ecology and Environment Bureau' },
  { slug: 'transport', zh: '交通运输局', en: 'Transport Bureau' },
  { slug: 'market', zh: '市场监督管理局', en: 'Market Regulation Administration' },
  { slug: 'hrss', zh: '人力资源和社会保障局', en: 'Human Resources and Social Security Bureau' },
  { slug: 'urban', zh: '城市管理局', en: 'Urban Management Bureau' },
  { slug: 'police', zh: '公安局', en: 'Public Security Bureau' },
  { slug: 'education', zh: '教育局', en: 'Education Bureau' },
  { slug: 'health', zh: '卫生健康委员会', en: 'Health Commission' },
  { slug: 'water', zh: '水务局', en: 'Water Affairs Bureau' },
  { slug: 'power', zh: '供电公司', en: 'Power Supply Company' },
];

export interface DepartmentRow {
  code: string;
  nameZh: string;
  nameEn: string;
  areaCode: string;
}

export function departmentCode(cityCode: string, slug: string): string {
  return `${cityCode}-${slug}`;
}

export function jiangsuDepartmentRows(): DepartmentRow[] {
  const rows: DepartmentRow[] = [];
  for (const city of JIANGSU_CITIES) {
    for (const kind of DEPARTMENT_KINDS) {
      rows.push({
        code: departmentCode(city.code, kind.slug),
        nameZh: `${city.zh}${kind.zh}`,
        nameEn: `${city.en} ${kind.en}`,
        areaCode: city.code,
      });
    }
  }
  return rows;
}
