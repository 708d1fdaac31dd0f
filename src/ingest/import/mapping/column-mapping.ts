import { createHash } from 'node:crypto';
import type { LocalZone } from '../time-parsing.js';
import { channelOf, kindOf, outcomeOf, satisfactionOf } from '../vocabulary.js';
import { compileDateFormat, type DateParser } from './date-format.js';
import { snakeCase } from './text-codes.js';

/**
 * A mapping file: how one CSV layout of hotline cases (12345 or 311 style) becomes case fields.
 * `parseMapping` checks a parsed JSON document and compiles it; every problem is reported with
 * its place in the file and what to write instead. The reference is docs/ingest.md, "Mapping files".
 */

/** The case fields a mapping can fill, in the order they are resolved. */
export const MAPPED_FIELDS = [
  'caseNumber',
  'receivedAt',
  'dispatchedAt',
  'closedAt',
  'channel',
  'kind',
  'category1',
  'category2',
  'category3',
  'city',
  'district',
  'street',
  'department',
  'outcome',
  'satisfaction',
  'dissatisfactionReason',
  'requestText',
  'replyText',
  'callerNumber',
  'callerName',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

const REQUIRED_FIELDS: MappedField[] = ['caseNumber', 'receivedAt', 'kind', 'category1', 'city'];
const TIME_FIELDS = new Set<MappedField>(['receivedAt', 'dispatchedAt', 'closedAt']);
/** Fields whose columns hold personal data by definition: never stored as they are. */
export const PERSONAL_FIELDS = new Set<MappedField>(['callerNumber', 'callerName']);
/** Free-text fields: scrubbed of personal data before they are stored. */
export const FREE_TEXT_FIELDS = new Set<MappedField>(['requestText', 'replyText', 'dissatisfactionReason']);
/** Fields whose unknown values a mapping may add to the reference tables (`create`). */
const CREATABLE = new Set<MappedField>(['category1', 'category2', 'category3', 'department', 'street']);
const VOCABULARIES: Partial<Record<MappedField, [(v: string) => string | undefined, string]>> = {
  channel: [channelOf, 'phone, web, app, wechat, other (or 电话, 网站, APP, 微信, 其他)'],
  kind: [kindOf, 'consultation, help, complaint, report, suggestion, praise (or 咨询, 求助, 投诉, 举报, 建议, 表扬)'],
  outcome: [outcomeOf, 'solved, partly, unsolved, returned (or 解决, 部分解决, 未解决, 退单)'],
  satisfaction: [satisfactionOf, 'satisfied, basically, dissatisfied, unrated (or 满意, 基本满意, 不满意, 未评价)'],
};
const TIME_ZONES: LocalZone[] = ['Asia/Shanghai', 'America/New_York'];
const TEMPLATE_VARIABLES = ['value', 'slug', 'city', 'district', 'category1', 'category2'];

export interface MappingRule {
  /** Conditions, all of which must hold: column → case-insensitive pattern (the field's own column: key ""). */
  when: { column: string; pattern: RegExp }[];
  /** The value when it holds; `$1`, `${1:2}` (zero-padded to 2) take groups of the last condition. */
  value: string;
  /** Street rules may say where a new area belongs and how it is called. */
  parent?: string;
  nameZh?: string;
  nameEn?: string;
}

export interface FieldMapping {
  /** Source columns, the first one present in the header is read. */
  columns: string[];
  /** A constant instead of a column. */
  value?: string;
  /** The columns may be absent from the header (else a missing column stops the import). */
  optional: boolean;
  /** Values read as empty (lower case), besides the empty string. */
  empty: Set<string>;
  default?: string;
  /** Code table: source value (lower case) → value. */
  codes?: Map<string, string>;
  rules?: MappingRule[];
  /** The value when neither the code table nor a rule gave one (else the source value as it is). */
  otherwise?: string;
  dateFormat?: DateParser;
  dateFormatText?: string;
  /** Add unknown values to the reference tables: code template and the column naming them. */
  create?: { code: string; nameColumn?: string };
  /** Tried when this one gives an empty value. */
  fallback?: FieldMapping;
  /** Count rows where the field ends up empty under this name in the summary's warnings. */
  warnIfEmpty?: string;
}

export interface ColumnMapping {
  name: string;
  description?: string;
  source?: string;
  timeZone: LocalZone;
  /** How header names are compared: `exact` (case and surrounding space ignored) or `snake_case`. */
  headers: 'exact' | 'snake_case';
  fields: Partial<Record<MappedField, FieldMapping>>;
  /** Columns with personal data: never stored, blanked in the rejects file. */
  personal: string[];
  /** SHA-256 of the file's canonical JSON: an interrupted import resumes only with the same mapping. */
  sha256: string;
  /** The checked JSON document, from which a worker thread compiles the same mapping (history loads). */
  document: unknown;
}

/** A mapping that cannot be used; the message lists every problem with its place in the file. */
export class MappingError extends Error {
  constructor(
    origin: string,
    readonly problems: string[],
  ) {
    super(
      `${origin}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.slice(0, 8).join('; ')}` +
        (problems.length > 8 ? `; … and ${problems.length - 8} more` : ''),
    );
    this.name = 'MappingError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (xs: readonly string[]) => xs.join(', ');

const FIELD_KEYS = [
  'column',
  'value',
  'optional',
  'empty',
  'default',
  'codes',
  'rules',
  'otherwise',
  'dateFormat',
  'create',
  'fallback',
  'warnIfEmpty',
];
const TOP_KEYS = ['$schema', 'name', 'description', 'source', 'timeZone', 'headers', 'fields', 'personal'];

export function parseMapping(document: unknown, origin: string): ColumnMapping {
  const problems: string[] = [];
  const fail = (path: string, problem: string) => problems.push(`${path}: ${problem}`);
  if (!isObject(document)) throw new MappingError(origin, ['the file must hold one JSON object']);
  for (const key of Object.keys(document)) {
    if (!TOP_KEYS.includes(key)) fail(key, `unknown key; a mapping has ${list(TOP_KEYS.slice(1))}`);
  }
  const str = (path: string, v: unknown, required: boolean): string | undefined => {
    if (v === undefined) {
      if (required) fail(path, 'is missing');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      fail(path, 'must be a non-empty string');
      return undefined;
    }
    return v;
  };
  const name = str('name', document.name, true) ?? '';
  if (name && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    fail('name', `"${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  const source = str('source', document.source, false);
  if (source && source.length > 64) fail('source', 'is longer than 64 characters');
  const timeZone = (str('timeZone', document.timeZone, false) ?? 'Asia/Shanghai') as LocalZone;
  if (!TIME_ZONES.includes(timeZone)) fail('timeZone', `"${timeZone}" is not supported; use ${list(TIME_ZONES)}`);
  const headersText = str('headers', document.headers, false) ?? 'exact';
  if (headersText !== 'exact' && headersText !== 'snake_case') {
    fail('headers', `"${headersText}" must be exact or snake_case`);
  }
  const headers = headersText === 'snake_case' ? 'snake_case' : 'exact';

  const personal: string[] = [];
  if (document.personal !== undefined) {
    if (!Array.isArray(document.personal)) fail('personal', 'must be a list of column names');
    else
      document.personal.forEach((c, i) => {
        const column = str(`personal[${i}]`, c, true);
        if (column) personal.push(column);
      });
  }

  const fields: Partial<Record<MappedField, FieldMapping>> = {};
  if (!isObject(document.fields)) {
    fail('fields', 'must be an object from case field to source column, e.g. { "caseNumber": "工单编号", ... }');
  } else {
    for (const [key, spec] of Object.entries(document.fields)) {
      if (!(MAPPED_FIELDS as readonly string[]).includes(key)) {
        fail(`fields.${key}`, `unknown field; fields are ${list(MAPPED_FIELDS)}`);
        continue;
      }
      const parsed = parseField(key as MappedField, spec, `fields.${key}`, fail);
      if (parsed) fields[key as MappedField] = parsed;
    }
    for (const field of REQUIRED_FIELDS) {
      if (!(field in document.fields))
        fail(`fields.${field}`, 'is required: name its column (or give a constant value)');
    }
  }

  // Personal columns feed nothing stored: only the caller's number (pseudonymized) and name (removed from text).
  const norm = headers === 'snake_case' ? snakeCase : (h: string) => h.trim().toLowerCase();
  const personalKeys = new Set(personal.map(norm));
  for (const [field, spec] of Object.entries(fields) as [MappedField, FieldMapping][]) {
    if (PERSONAL_FIELDS.has(field)) continue;
    for (const { path, column } of columnsOf(spec, `fields.${field}`)) {
      if (personalKeys.has(norm(column))) {
        fail(
          path,
          `"${column}" is listed in personal; personal columns may feed only callerNumber (kept as a keyed pseudonym) ` +
            'or callerName (removed from the free text), never a stored field',
        );
      }
    }
  }
  if (problems.length > 0) throw new MappingError(origin, problems);
  for (const field of PERSONAL_FIELDS) {
    for (const { column } of fields[field] ? columnsOf(fields[field], '') : []) {
      if (!personalKeys.has(norm(column))) personal.push(column);
    }
  }
  return {
    name,
    description: typeof document.description === 'string' ? document.description : undefined,
    source,
    timeZone,
    headers,
    fields,
    personal,
    sha256: createHash('sha256').update(JSON.stringify(document)).digest('hex'),
    document,
  };
}

/**
 * Whether mapping a row can add reference rows (`create`, or a street rule with a `parent`): then
 * a row's result may depend on what earlier rows added, and the rows are mapped in file order.
 */
export function createsReferences(mapping: ColumnMapping): boolean {
  const creates = (spec: FieldMapping | undefined): boolean =>
    spec !== undefined &&
    (spec.create !== undefined || (spec.rules ?? []).some((r) => r.parent !== undefined) || creates(spec.fallback));
  return Object.values(mapping.fields).some(creates);
}

/** Every column a field spec reads (its fallback's too, unless `own`), with where it is named. */
export function columnsOf(spec: FieldMapping, path: string, own = false): { path: string; column: string }[] {
  const out = spec.columns.map((column) => ({ path: `${path}.column`, column }));
  spec.rules?.forEach((r, i) =>
    r.when.forEach((w) => {
      if (w.column !== '') out.push({ path: `${path}.rules[${i}].when`, column: w.column });
    }),
  );
  if (spec.create?.nameColumn) out.push({ path: `${path}.create.nameColumn`, column: spec.create.nameColumn });
  if (spec.fallback && !own) out.push(...columnsOf(spec.fallback, `${path}.fallback`));
  return out;
}

function parseField(
  field: MappedField,
  spec: Json,
  path: string,
  fail: (path: string, problem: string) => void,
): FieldMapping | undefined {
  if (typeof spec === 'string') spec = { column: spec };
  if (!isObject(spec)) {
    fail(path, 'must be a column name or an object such as { "column": "…", "codes": { … } }');
    return undefined;
  }
  for (const key of Object.keys(spec)) {
    if (!FIELD_KEYS.includes(key)) fail(`${path}.${key}`, `unknown key; a field has ${list(FIELD_KEYS)}`);
  }
  const out: FieldMapping = { columns: [], optional: spec.optional === true, empty: new Set() };
  if (spec.optional !== undefined && typeof spec.optional !== 'boolean')
    fail(`${path}.optional`, 'must be true or false');
  const stringList = (key: string, v: Json | undefined): string[] => {
    if (v === undefined) return [];
    const xs = Array.isArray(v) ? v : [v];
    if (xs.length === 0 || xs.some((x) => typeof x !== 'string' || x.trim() === '')) {
      fail(`${path}.${key}`, 'must be a non-empty string or a list of them');
      return [];
    }
    return xs as string[];
  };
  out.columns = stringList('column', spec.column);
  if (spec.value !== undefined) {
    if (typeof spec.value !== 'string') fail(`${path}.value`, 'must be a string');
    else out.value = spec.value;
  }
  if (out.columns.length === 0 && out.value === undefined) {
    fail(path, 'names no column: give "column" (or "value" for a constant)');
  }
  if (out.columns.length > 0 && out.value !== undefined) fail(path, 'has both "column" and "value"; keep one');
  out.empty = new Set(stringList('empty', spec.empty).map((v) => v.trim().toLowerCase()));
  const target = (p: string, v: Json | undefined): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      fail(p, 'must be a string');
      return undefined;
    }
    const vocabulary = VOCABULARIES[field];
    if (vocabulary && v !== '' && !vocabulary[0](v) && !v.includes('$')) {
      fail(p, `"${v}" is not a ${field}; use ${vocabulary[1]}`);
    }
    return v;
  };
  out.default = target(`${path}.default`, spec.default);
  out.otherwise = target(`${path}.otherwise`, spec.otherwise);
  if (spec.codes !== undefined) {
    if (!isObject(spec.codes))
      fail(`${path}.codes`, 'must be an object from source value to code, e.g. { "投诉类": "complaint" }');
    else {
      out.codes = new Map();
      for (const [from, to] of Object.entries(spec.codes)) {
        const v = target(`${path}.codes["${from}"]`, to);
        if (v !== undefined) out.codes.set(from.trim().toLowerCase(), v);
      }
    }
  }
  if (spec.rules !== undefined) {
    if (!Array.isArray(spec.rules)) fail(`${path}.rules`, 'must be a list of { "when": …, "value": … }');
    else out.rules = spec.rules.flatMap((r, i) => parseRule(field, r, `${path}.rules[${i}]`, fail, target) ?? []);
  }
  if (spec.dateFormat !== undefined) {
    const p = `${path}.dateFormat`;
    if (!TIME_FIELDS.has(field)) fail(p, `only time fields (${list([...TIME_FIELDS])}) have a date format`);
    else if (typeof spec.dateFormat !== 'string') fail(p, 'must be a string such as "YYYY-MM-DD HH:mm:ss"');
    else {
      try {
        out.dateFormat = compileDateFormat(spec.dateFormat);
        out.dateFormatText = spec.dateFormat;
      } catch (e) {
        fail(p, `"${spec.dateFormat}": ${(e as Error).message}`);
      }
    }
  }
  if (spec.create !== undefined) {
    const p = `${path}.create`;
    if (!CREATABLE.has(field)) fail(p, `only ${list([...CREATABLE])} can add new reference entries`);
    else if (!isObject(spec.create) || typeof spec.create.code !== 'string' || spec.create.code.trim() === '') {
      fail(p, 'must be { "code": "<template, e.g. NYC_{slug}>", "nameColumn": "<optional column>" }');
    } else {
      for (const key of Object.keys(spec.create)) {
        if (key !== 'code' && key !== 'nameColumn') fail(`${p}.${key}`, 'unknown key; create has code and nameColumn');
      }
      for (const variable of spec.create.code.match(/\{([^}]*)\}/g) ?? []) {
        if (!TEMPLATE_VARIABLES.includes(variable.slice(1, -1))) {
          fail(
            `${p}.code`,
            `${variable} is not a template variable; use ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(', ')}`,
          );
        }
      }
      const nameColumn = spec.create.nameColumn;
      if (nameColumn !== undefined && (typeof nameColumn !== 'string' || nameColumn.trim() === '')) {
        fail(`${p}.nameColumn`, 'must be a column name');
      }
      out.create = { code: spec.create.code, nameColumn: typeof nameColumn === 'string' ? nameColumn : undefined };
    }
  }
  if (spec.fallback !== undefined) {
    out.fallback = parseField(field, spec.fallback, `${path}.fallback`, fail);
  }
  if (spec.warnIfEmpty !== undefined) {
    if (typeof spec.warnIfEmpty !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(spec.warnIfEmpty)) {
      fail(`${path}.warnIfEmpty`, 'must be a warning name such as "unspecifiedBorough" (letters and digits)');
    } else out.warnIfEmpty = spec.warnIfEmpty;
  }
  return out;
}

function parseRule(
  field: MappedField,
  rule: Json,
  path: string,
  fail: (path: string, problem: string) => void,
  target: (p: string, v: Json | undefined) => string | undefined,
): MappingRule | undefined {
  if (!isObject(rule)) {
    fail(path, 'must be { "when": "<pattern>" or { "<column>": "<pattern>" }, "value": "…" }');
    return undefined;
  }
  for (const key of Object.keys(rule)) {
    if (!['when', 'value', 'parent', 'nameZh', 'nameEn'].includes(key)) {
      fail(`${path}.${key}`, 'unknown key; a rule has when, value and, for streets, parent, nameZh, nameEn');
    }
  }
  const conditions: [string, Json][] =
    typeof rule.when === 'string' ? [['', rule.when]] : isObject(rule.when) ? Object.entries(rule.when) : [];
  if (conditions.length === 0) fail(`${path}.when`, 'must be a pattern, or an object from column to pattern');
  const when: MappingRule['when'] = [];
  for (const [column, pattern] of conditions) {
    const p = `${path}.when${column ? `["${column}"]` : ''}`;
    if (typeof pattern !== 'string') {
      fail(p, 'must be a regular expression as a string');
      continue;
    }
    try {
      when.push({ column, pattern: new RegExp(pattern, 'i') });
    } catch (e) {
      fail(p, `not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const value = target(`${path}.value`, rule.value);
  if (value === undefined) fail(`${path}.value`, 'is missing');
  const extra = (key: 'parent' | 'nameZh' | 'nameEn') => {
    const v = rule[key];
    if (v === undefined) return undefined;
    if (field !== 'street') fail(`${path}.${key}`, 'only street rules name a parent and names for new areas');
    if (typeof v !== 'string') fail(`${path}.${key}`, 'must be a string');
    return typeof v === 'string' ? v : undefined;
  };
  return { when, value: value ?? '', parent: extra('parent'), nameZh: extra('nameZh'), nameEn: extra('nameEn') };
}
