import { DataSource } from 'typeorm';

/** The reference tables as read from the database. */
export interface ReferenceRows {
  areas: { code: string; level: string; parent_code: string | null; name_zh: string; name_en: string }[];
  categories: { code: string; level: number; parent_code: string | null; name_zh: string; name_en: string }[];
  departments: { code: string; name_zh: string; name_en: string }[];
}

interface AreaRef {
  code: string;
  level: string;
  parentCode: string | null;
}

/**
 * The reference tables in memory for one import: resolves areas, categories and departments
 * given by code or by name (Chinese or English, with or without 市/区/县 suffix).
 */
export class ReferenceIndex {
  readonly areas = new Map<string, AreaRef>();
  readonly categories = new Map<string, { level: number; parentCode: string | null }>();
  readonly departments = new Set<string>();
  private readonly areaByName = new Map<string, string>();
  private readonly areaByLevelName = new Map<string, string>();
  private readonly categoryByName = new Map<string, string>();
  private readonly departmentByName = new Map<string, string>();

  /** The rows the index was loaded from, in the order read: a worker thread builds the same index from them. */
  private rows: ReferenceRows = { areas: [], categories: [], departments: [] };

  static async load(dataSource: DataSource): Promise<ReferenceIndex> {
    const areas = await dataSource.query<ReferenceRows['areas']>(
      `SELECT code, level, parent_code, name_zh, name_en FROM area`,
    );
    const categories = await dataSource.query<ReferenceRows['categories']>(
      `SELECT code, level, parent_code, name_zh, name_en FROM category`,
    );
    const departments = await dataSource.query<ReferenceRows['departments']>(
      `SELECT code, name_zh, name_en FROM department`,
    );
    return ReferenceIndex.fromRows({ areas, categories, departments });
  }

  static fromRows(rows: ReferenceRows): ReferenceIndex {
    const index = new ReferenceIndex();
    for (const a of rows.areas) index.addArea(a.code, a.level, a.parent_code, a.name_zh, a.name_en);
    for (const c of rows.categories) index.addCategory(c.code, Number(c.level), c.parent_code, c.name_zh, c.name_en);
    for (const d of rows.departments) index.addDepartment(d.code, d.name_zh, d.name_en);
    index.rows = rows;
    return index;
  }

  /** The reference tables as loaded (not what mapping added since). */
  loadedRows(): ReferenceRows {
    return this.rows;
  }

  addArea(code: string, level: string, parentCode: string | null, nameZh: string, nameEn: string): void {
    this.areas.set(code, { code, level, parentCode });
    for (const name of nameVariants(nameZh, nameEn)) {
      const key = `${parentCode ?? ''}|${name}`;
      if (!this.areaByName.has(key)) this.areaByName.set(key, code);
      if (!this.areaByLevelName.has(`${level}|${name}`)) this.areaByLevelName.set(`${level}|${name}`, code);
    }
  }

  addCategory(code: string, level: number, parentCode: string | null, nameZh: string, nameEn: string): void {
    this.categories.set(code, { level, parentCode });
    for (const name of [nameZh, nameEn.toLowerCase()]) this.categoryByName.set(`${parentCode ?? ''}|${name}`, code);
  }

  addDepartment(code: string, nameZh: string, nameEn: string): void {
    this.departments.add(code);
    this.departmentByName.set(nameZh, code);
    this.departmentByName.set(nameEn.toLowerCase(), code);
  }

  /** An area of `level` under `parentCode`, by code or name; undefined when unknown. */
  area(value: string, level: string, parentCode: string | null): string | undefined {
    const v = value.trim();
    const byCode = this.areas.get(v);
    if (byCode)
      return byCode.level === level && (parentCode === null || byCode.parentCode === parentCode) ? v : undefined;
    if (parentCode !== null)
      return this.areaByName.get(`${parentCode}|${v}`) ?? this.areaByName.get(`${parentCode}|${v.toLowerCase()}`);
    return this.areaByLevelName.get(`${level}|${v}`) ?? this.areaByLevelName.get(`${level}|${v.toLowerCase()}`);
  }

  parentOf(code: string): string | null {
    return this.areas.get(code)?.parentCode ?? null;
  }

  /** A category of `level` under `parentCode`, by code or name. */
  category(value: string, level: number, parentCode: string | null): string | undefined {
    const v = value.trim();
    const byCode = this.categories.get(v);
    if (byCode) return byCode.level === level && byCode.parentCode === parentCode ? v : undefined;
    return (
      this.categoryByName.get(`${parentCode ?? ''}|${v}`) ??
      this.categoryByName.get(`${parentCode ?? ''}|${v.toLowerCase()}`)
    );
  }

  department(value: string): string | undefined {
    const v = value.trim();
    if (this.departments.has(v)) return v;
    return this.departmentByName.get(v) ?? this.departmentByName.get(v.toLowerCase());
  }
}

/** 苏州市 → 苏州市, 苏州; Suzhou → suzhou; 丰县 stays whole (one-character stems are ambiguous). */
function nameVariants(zh: string, en: string): string[] {
  const out = [zh, en.toLowerCase()];
  const stem = zh.replace(/(市|区|县|街道|省)$/, '');
  if (stem.length >= 2 && stem !== zh) out.push(stem);
  const enStem = en.replace(/\s+(District|County|Subdistrict)$/i, '').toLowerCase();
  if (enStem !== en.toLowerCase()) out.push(enStem);
  return out;
}
