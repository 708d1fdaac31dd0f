import { DIMENSIONS, type LevelSpec } from './dimensions.js';
import { timeLabelZh, TimeLevel } from './time-members.js';

export interface ReferenceRow {
  code: string;
  level: string;
  name_zh: string;
  name_en: string;
  parent_code: string | null;
}

export interface Member {
  code: string;
  labelZh: string;
  labelEn: string;
  parentCode: string | null;
}

/** Key used for "not recorded" (e.g. a case without a district) in result rows. */
export const UNKNOWN_MEMBER = 'unknown';

/** Time labels remembered per directory (ten years of hours is under 90,000). */
const MAX_TIME_LABELS = 100_000;

const fixed = (vocabulary: NonNullable<LevelSpec['vocabulary']>): Member[] =>
  Object.entries(vocabulary).map(([code, [labelZh, labelEn]]) => ({ code, labelZh, labelEn, parentCode: null }));

/**
 * Members of every dimension level with their labels: areas, categories and departments from the
 * reference tables, fixed vocabularies from the levels' own `vocabulary` (src/catalog/dimensions.ts).
 * A snapshot; MembersService rebuilds it when the reference data may have changed.
 */
export class MemberDirectory {
  private readonly byLevel = new Map<string, Map<string, Member>>();
  private readonly timeLabels = new Map<string, string>();
  private readonly categoryProvinces = new Map<string, string[]>();

  constructor(
    areas: ReferenceRow[],
    categories: ReferenceRow[],
    departments: ReferenceRow[],
    /** Keywords of the topic vocabulary (only those seen from enough distinct callers). */
    topics: string[] = [],
    /** The top-level categories each province's records use. */
    categoryUse: { province: string; category: string }[] = [],
  ) {
    for (const { province, category } of categoryUse) {
      this.categoryProvinces.set(category, [...(this.categoryProvinces.get(category) ?? []), province]);
    }
    const put = (key: string, list: Member[]) => this.byLevel.set(key, new Map(list.map((m) => [m.code, m])));
    const ref = (rows: ReferenceRow[], level: string) =>
      rows
        .filter((r) => r.level === level)
        .map((r) => ({ code: r.code, labelZh: r.name_zh, labelEn: r.name_en, parentCode: r.parent_code }));
    const areaLevels = ['province', 'city', 'district', 'street'].map((level) => ref(areas, level));
    const categoryLevels = ['1', '2', '3'].map((level) => ref(categories, level));
    identifyRepeatedNames(areaLevels);
    identifyRepeatedNames(categoryLevels);
    ['province', 'city', 'district', 'street'].forEach((level, i) => put(`area:${level}`, areaLevels[i]));
    ['1', '2', '3'].forEach((level, i) => put(`category:l${level}`, categoryLevels[i]));
    put('department:department', ref(departments, 'department'));
    for (const level of DIMENSIONS.flatMap((d) => d.levels)) {
      if (level.vocabulary) put(this.key(level), fixed(level.vocabulary));
    }
    put(
      'topic:keyword',
      topics.map((k) => ({ code: k, labelZh: k, labelEn: k, parentCode: null })),
    );
  }

  private key(level: LevelSpec): string {
    return `${level.members}:${level.code}`;
  }

  /** Member codes of a level (empty for time, whose codes are checked by format). */
  codes(level: LevelSpec): Set<string> {
    return new Set(this.byLevel.get(this.key(level))?.keys() ?? []);
  }

  /**
   * Members of a level; with a jurisdiction (a province code), only that province's: its areas,
   * departments of its areas, and the categories its records use (before it has records, those
   * no other province's records use).
   */
  list(level: LevelSpec, jurisdiction?: string): Member[] {
    const all = [...(this.byLevel.get(this.key(level))?.values() ?? [])];
    if (!jurisdiction) return all;
    if (level.members === 'area') return all.filter((m) => this.provinceOf(m.code) === jurisdiction);
    if (level.members === 'department') {
      return all.filter((m) => m.parentCode === null || this.provinceOf(m.parentCode) === jurisdiction);
    }
    if (level.members === 'category') {
      // The categories its records use; before it has any, every category no other jurisdiction uses.
      const usesAny = [...this.categoryProvinces.values()].some((p) => p.includes(jurisdiction));
      return all.filter((m) => {
        const used = this.categoryProvinces.get(this.topCategoryOf(m.code));
        return usesAny ? !!used?.includes(jurisdiction) : !used;
      });
    }
    return all;
  }

  /** The province an area code lies in (itself for a province), by its parents. */
  private provinceOf(code: string): string | undefined {
    for (const level of ['street', 'district', 'city', 'province'] as const) {
      const m = this.byLevel.get(`area:${level}`)?.get(code);
      if (m) return level === 'province' ? m.code : m.parentCode ? this.provinceOf(m.parentCode) : undefined;
    }
    return undefined;
  }

  private topCategoryOf(code: string): string {
    for (const level of ['l3', 'l2'] as const) {
      const m = this.byLevel.get(`category:${level}`)?.get(code);
      if (m?.parentCode) return this.topCategoryOf(m.parentCode);
    }
    return code;
  }

  /** [zh, en] label of a member; time codes get a Chinese rendering and the code itself in English. */
  label(level: LevelSpec, code: string): [string, string] {
    if (level.members === 'time') {
      // Parsing and formatting a time code costs more than the rest of a cached aggregate's labels.
      const key = `${level.code}:${code}`;
      let zh = this.timeLabels.get(key);
      if (zh === undefined) {
        zh = timeLabelZh(level.code as TimeLevel, code);
        if (this.timeLabels.size < MAX_TIME_LABELS) this.timeLabels.set(key, zh);
      }
      return [zh, code];
    }
    if (code === UNKNOWN_MEMBER) return ['未知', 'Unknown'];
    const m = this.byLevel.get(this.key(level))?.get(code);
    return m ? [m.labelZh, m.labelEn] : [code, code];
  }
}

/**
 * Where two members of a level share a name (two 城北街道 in different districts), each label
 * gets its parent's name, then the grandparent's, until the labels differ: 城北街道 (吴江区),
 * Chengbei Subdistrict (Wujiang District). `levels` runs coarsest first; labels change in place.
 */
export function identifyRepeatedNames(levels: Member[][]): void {
  const plain = new Map<string, Member & { level: number }>();
  levels.forEach((members, level) => members.forEach((m) => plain.set(m.code, { ...m, level })));
  const ancestors = (m: Member, depth: number): Member[] => {
    const chain: Member[] = [];
    let parent = m.parentCode ? plain.get(m.parentCode) : undefined;
    while (parent && chain.length < depth) {
      chain.push(parent);
      parent = parent.parentCode ? plain.get(parent.parentCode) : undefined;
    }
    return chain;
  };
  for (const members of levels) {
    let repeated = repeatedBy(members, (m) => m.labelZh);
    for (let depth = 1; repeated.length > 0 && depth <= levels.length; depth++) {
      for (const m of repeated) {
        const chain = ancestors(plain.get(m.code)!, depth);
        if (chain.length === 0) continue;
        const base = plain.get(m.code)!;
        m.labelZh = `${base.labelZh} (${[...chain]
          .reverse()
          .map((a) => a.labelZh)
          .join('')})`;
        m.labelEn = `${base.labelEn} (${chain.map((a) => a.labelEn).join(', ')})`;
      }
      repeated = repeatedBy(repeated, (m) => m.labelZh);
    }
  }
}

function repeatedBy(members: Member[], key: (m: Member) => string): Member[] {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  return members.filter((m) => counts.get(key(m))! > 1);
}
