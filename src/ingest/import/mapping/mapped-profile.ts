import { quotedExcerpt, scrubPersonalData } from '../../../logging/scrub.js';
import { CaseBuilder, type CaseFields, type FieldLabels } from '../case-builder.js';
import { InputError, type BoundMapper, type CaseInput, type MapResult, type NewReferenceRows } from '../case-input.js';
import type { ProfileContext } from '../profiles/profile.js';
import {
  columnsOf,
  FREE_TEXT_FIELDS,
  MAPPED_FIELDS,
  type ColumnMapping,
  type FieldMapping,
  type MappedField,
  type MappingRule,
} from './column-mapping.js';
import { slug, snakeCase } from './text-codes.js';

/** A field spec bound to one header: its column's position (-1: absent) and its fallback's. */
interface BoundField {
  spec: FieldMapping;
  index: number;
  /** Positions of the columns the rules read, by column name ("" is the field's own). */
  ruleColumns: Map<string, number>;
  nameColumn: number;
  fallback?: BoundField;
  /** Only a column, nothing to transform: the value is the cell as it is (the fast path). */
  plain: boolean;
}

interface ResolvedValue {
  value: string | undefined;
  rule?: MappingRule;
  groups?: RegExpExecArray | null;
}
type Resolved = ResolvedValue | { error: string };

const CATEGORY_LEVEL: Partial<Record<MappedField, number>> = { category1: 1, category2: 2, category3: 3 };

/**
 * Binds a mapping to a file's header: finds every column it names (a missing column that is not
 * `optional` stops the import before any row is read), then maps each row to case fields and hands
 * them to the CaseBuilder, which validates, resolves codes and names, pseudonymizes the caller and
 * scrubs the free text, exactly as for every other CSV. Personal columns are never read but for
 * the caller's number and name, and are blanked in the rejects file.
 */
export function bindMapping(
  mapping: ColumnMapping,
  header: string[],
  ctx: ProfileContext,
  /** For a shipped mapping: the profile it implements, named in errors as before (`for profile 12345`). */
  profile?: string,
): BoundMapper<string[], CaseInput> {
  const normalize =
    mapping.headers === 'snake_case'
      ? (h: string) => snakeCase(h.replace(/^\uFEFF/, ''))
      : (h: string) =>
          h
            .replace(/^\uFEFF/, '')
            .trim()
            .toLowerCase();
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normalize(h);
    if (!positions.has(key)) positions.set(key, i);
  });
  const find = (column: string) => positions.get(normalize(column)) ?? -1;
  const missing: string[] = [];
  const used = new Set<number>();

  const bind = (spec: FieldMapping, path: string): BoundField => {
    // The fallback's columns are checked when it is bound, under its own `optional`.
    for (const { column, path: where } of columnsOf(spec, path, true)) {
      // Alternatives of `column` are checked together below; other columns one by one.
      if (where.endsWith('.column')) continue;
      const i = find(column);
      if (i >= 0) used.add(i);
      else if (!spec.optional) missing.push(profile ? `"${column}"` : `"${column}" (${where})`);
    }
    const index = spec.columns.map(find).find((i) => i >= 0) ?? -1;
    if (index >= 0) used.add(index);
    else if (spec.columns.length > 0 && !spec.optional) {
      missing.push(`"${spec.columns.join(' / ')}"${profile ? '' : ` (${path}.column)`}`);
    }
    const ruleColumns = new Map<string, number>();
    for (const rule of spec.rules ?? [])
      for (const w of rule.when) ruleColumns.set(w.column, w.column === '' ? index : find(w.column));
    return {
      spec,
      index,
      ruleColumns,
      nameColumn: spec.create?.nameColumn ? find(spec.create.nameColumn) : -1,
      fallback: spec.fallback ? bind(spec.fallback, `${path}.fallback`) : undefined,
      plain:
        spec.value === undefined &&
        spec.empty.size === 0 &&
        spec.default === undefined &&
        !spec.codes &&
        !spec.rules &&
        spec.otherwise === undefined &&
        !spec.dateFormat &&
        !spec.create &&
        !spec.fallback &&
        !spec.warnIfEmpty,
    };
  };
  const fields = MAPPED_FIELDS.flatMap((f) => {
    const spec = mapping.fields[f];
    return spec ? [[f, bind(spec, `fields.${f}`)] as const] : [];
  });
  if (missing.length > 0) {
    const found = `; found: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''}`;
    throw new InputError(
      `the header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        (profile
          ? ` for profile ${profile}${found}`
          : ` named by mapping ${mapping.name}${found}. Fix the column name in the mapping, or mark the field "optional": true`),
    );
  }
  const personal = new Set(mapping.personal.map(find).filter((i) => i >= 0));
  for (const i of personal) used.add(i);
  const freeText = new Set(fields.filter(([f]) => FREE_TEXT_FIELDS.has(f)).map(([, b]) => b.index));
  const callerName = fields.find(([f]) => f === 'callerName')?.[1].index ?? -1;

  const labels = {} as FieldLabels;
  for (const f of MAPPED_FIELDS) {
    const bound = fields.find(([g]) => g === f)?.[1];
    labels[f] = bound && bound.index >= 0 ? header[bound.index].trim() : (bound?.spec.columns[0] ?? f);
  }
  const builder = new CaseBuilder(
    ctx.refs,
    ctx.scrubber,
    ctx.pseudonymizer,
    labels,
    ctx.source,
    mapping.timeZone,
    ctx.now ?? Date.now(),
  );
  const refs = ctx.refs;
  let pending: NewReferenceRows = { areas: [], categories: [], departments: [] };

  const resolve = (b: BoundField, raw: string[]): Resolved => {
    const spec = b.spec;
    const cell = spec.value ?? (b.index >= 0 ? (raw[b.index] ?? '') : '');
    const text = cell.trim();
    if (text === '' || spec.empty.has(text.toLowerCase())) {
      if (spec.default !== undefined) return { value: spec.default };
      return b.fallback ? resolve(b.fallback, raw) : { value: undefined };
    }
    let value: string | undefined;
    let matched: MappingRule | undefined;
    let matchedGroups: RegExpExecArray | null = null;
    const code = spec.codes?.get(text.toLowerCase());
    if (code !== undefined) value = code;
    else if (spec.rules) {
      for (const rule of spec.rules) {
        let groups: RegExpExecArray | null = null;
        const holds = rule.when.every((w) => {
          const i = b.ruleColumns.get(w.column) ?? -1;
          groups = w.pattern.exec(w.column === '' ? text : i >= 0 ? (raw[i] ?? '').trim() : '');
          return groups !== null;
        });
        if (holds) {
          matched = rule;
          matchedGroups = groups;
          value = fillGroups(rule.value, groups);
          break;
        }
      }
    }
    if (value === undefined) value = spec.otherwise ?? text;
    if (spec.dateFormat && value !== '') {
      const parsed = spec.dateFormat(value);
      if (parsed === null)
        return { error: `"${quotedExcerpt(value)}" does not match the date format ${spec.dateFormatText}` };
      value = parsed;
    }
    if (value === '' && b.fallback) return resolve(b.fallback, raw);
    return { value: value === '' ? undefined : value, rule: matched, groups: matchedGroups };
  };

  /** The code of a value a `create` (or a street rule with a parent) adds to the reference tables when new. */
  const created = (
    field: MappedField,
    b: BoundField,
    r: ResolvedValue & { value: string },
    f: CaseFields,
    name: string,
  ) => {
    const spec = b.spec.create;
    const vars: Record<string, string> = {
      value: r.value,
      slug: slug(r.value),
      city: f.city ?? '',
      district: f.district ?? '',
      category1: f.category1 ?? '',
      category2: f.category2 ?? '',
    };
    const code = spec ? spec.code.replace(/\{(\w+)\}/g, (_, v: string) => vars[v] ?? '') : r.value;
    const level = CATEGORY_LEVEL[field];
    if (level !== undefined) {
      if (!refs.categories.has(code)) {
        const parent = level === 1 ? null : level === 2 ? (f.category1 ?? null) : (f.category2 ?? null);
        refs.addCategory(code, level, parent, name, name);
        pending.categories.push({ code, level, parentCode: parent, nameZh: name, nameEn: name });
      }
    } else if (field === 'department') {
      if (!refs.departments.has(code)) {
        const city = f.city ? (refs.area(f.city, 'city', null) ?? null) : null;
        refs.addDepartment(code, name, name);
        pending.departments.push({ code, nameZh: name, nameEn: name, areaCode: city });
      }
    } else if (field === 'street' && !refs.areas.has(code)) {
      const parent = r.rule?.parent ?? (f.district ? (refs.area(f.district, 'district', null) ?? null) : null);
      if (parent !== null) {
        const nameZh = r.rule?.nameZh ? fillGroups(r.rule.nameZh, r.groups ?? null) : name;
        const nameEn = r.rule?.nameEn ? fillGroups(r.rule.nameEn, r.groups ?? null) : name;
        refs.addArea(code, 'street', parent, nameZh, nameEn);
        pending.areas.push({ code, level: 'street', parentCode: parent, nameZh, nameEn });
      }
    }
    return code;
  };

  return {
    unknownColumns: header.filter((_, i) => !used.has(i)),
    warnings: builder.warnings,
    takeNewReferences: () => {
      const out = pending;
      pending = { areas: [], categories: [], departments: [] };
      return out.areas.length + out.categories.length + out.departments.length > 0 ? out : null;
    },
    map: (raw): MapResult<CaseInput> => {
      if (raw.length !== header.length) {
        return { ok: false, reason: `the row has ${raw.length} fields, the header has ${header.length}` };
      }
      const f: CaseFields = {};
      for (const [field, b] of fields) {
        if (b.plain) {
          if (b.index >= 0) f[field] = raw[b.index];
          continue;
        }
        const r = resolve(b, raw);
        if ('error' in r) return { ok: false, reason: `${labels[field]} ${r.error}` };
        if (r.value === undefined) {
          if (b.spec.warnIfEmpty)
            builder.warnings[b.spec.warnIfEmpty] = (builder.warnings[b.spec.warnIfEmpty] ?? 0) + 1;
          continue;
        }
        if (b.spec.create || r.rule?.parent) {
          // A new entry is named after the naming column when it has a value, else after the value.
          const nameCell = b.nameColumn >= 0 ? (raw[b.nameColumn] ?? '').trim() : '';
          f[field] = created(field, b, { ...r, value: r.value }, f, nameCell || r.value);
        } else f[field] = r.value;
      }
      return builder.build(f);
    },
    redact: (raw) => {
      const out: Record<string, unknown> = {};
      const name = callerName >= 0 ? raw[callerName] : undefined;
      header.forEach((h, i) => {
        const v = raw[i] ?? '';
        out[h] = personal.has(i)
          ? ''
          : freeText.has(i)
            ? (ctx.scrubber.scrub(v, name ? [name] : []) ?? '')
            : scrubPersonalData(v);
      });
      return out;
    },
  };
}

/** `$1` and `${1:2}` (zero-padded to two digits) from a pattern's groups; `$0` the whole match. */
function fillGroups(template: string, groups: RegExpExecArray | null): string {
  return template.replace(/\$(?:\{(\d)(?::(\d))?\}|(\d))/g, (_, braced?: string, width?: string, bare?: string) => {
    const v = groups?.[Number(braced ?? bare)] ?? '';
    return width ? v.padStart(Number(width), '0') : v;
  });
}
