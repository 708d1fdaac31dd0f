import {
  CHANNEL_LABELS,
  CHANNELS,
  KIND_LABELS,
  KINDS,
  OUTCOME_LABELS,
  OUTCOMES,
  SATISFACTION_LABELS,
  SATISFACTIONS,
} from '../records/records.constants.js';
import type { LevelSpec } from '../aggregate/registry.js';
import { timeLabelZh, TimeLevel } from '../aggregate/time-members.js';

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

const fixed = (codes: readonly string[], labels: Record<string, [string, string]>): Member[] =>
  codes.map((code) => ({ code, labelZh: labels[code][0], labelEn: labels[code][1], parentCode: null }));

/**
 * Members of every dimension level with their labels: areas, categories and departments from the
 * reference tables, the fixed vocabularies from records.constants. A snapshot; MembersService
 * rebuilds it when the reference data may have changed.
 */
export class MemberDirectory {
  private readonly byLevel = new Map<string, Map<string, Member>>();
  private readonly timeLabels = new Map<string, string>();

  constructor(
    areas: ReferenceRow[],
    categories: ReferenceRow[],
    departments: ReferenceRow[],
    /** Keywords of the topic vocabulary (only those seen from enough distinct callers). */
    topics: string[] = [],
  ) {
    const put = (key: string, list: Member[]) => this.byLevel.set(key, new Map(list.map((m) => [m.code, m])));
    const ref = (rows: ReferenceRow[], level: string) =>
      rows
        .filter((r) => r.level === level)
        .map((r) => ({ code: r.code, labelZh: r.name_zh, labelEn: r.name_en, parentCode: r.parent_code }));
    for (const level of ['province', 'city', 'district', 'street']) put(`area:${level}`, ref(areas, level));
    for (const level of ['1', '2', '3']) put(`category:l${level}`, ref(categories, level));
    put('department:department', ref(departments, 'department'));
    put('channel:channel', fixed(CHANNELS, CHANNEL_LABELS));
    put('kind:kind', fixed(KINDS, KIND_LABELS));
    put('outcome:outcome', fixed(OUTCOMES, OUTCOME_LABELS));
    put('satisfaction:satisfaction', fixed(SATISFACTIONS, SATISFACTION_LABELS));
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

  list(level: LevelSpec): Member[] {
    return [...(this.byLevel.get(this.key(level))?.values() ?? [])];
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
