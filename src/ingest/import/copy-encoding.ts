import { randomBytes } from 'node:crypto';
import type { CaseInput } from './case-input.js';

/**
 * COPY text format: tab-separated, `\\N` for null, backslash escapes for the four special
 * characters; NUL, which PostgreSQL text cannot hold, is dropped.
 */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return SPECIAL.test(v) ? v.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : v;
}

function copySeconds(ms: number | null): string {
  return ms === null ? '\\N' : String(ms / 1000);
}

/** The batch as COPY text, one line per case in the staging table's column order (`ord` from `firstOrd` on). */
export function encodeCases(rows: readonly CaseInput[], firstOrd = 0): string {
  const keys = randomBytes(4 * rows.length);
  let out = '';
  for (let i = 0; i < rows.length; i++)
    out +=
      encodeCaseColumns(rows[i], true) +
      '\t' +
      String(keys.readUInt32LE(4 * i) >>> 1) +
      '\t' +
      String(firstOrd + i) +
      '\n';
  return out;
}

/**
 * A history load's staged cases as COPY text (hgw_history_stage: the columns of `encodeCases`,
 * then the case's keywords, space-separated). `ords[i]` orders row i in the file (any increasing
 * numbers: a line number, a count). The free texts are staged only for cases received from
 * `textFrom` (epoch ms) on: older ones would not be stored (see `textKeptFrom`).
 */
export function encodeHistoryStage(
  rows: readonly CaseInput[],
  ords: readonly number[],
  keywords: readonly (readonly string[])[],
  textFrom: number,
): string {
  const keys = randomBytes(4 * rows.length);
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const k = keywords[i];
    out +=
      encodeCaseColumns(r, r.receivedAt >= textFrom) +
      '\t' +
      String(keys.readUInt32LE(4 * i) >>> 1) +
      '\t' +
      String(ords[i]) +
      '\t' +
      (k.length ? copyText(k.join(' ')) : '\\N') +
      '\n';
  }
  return out;
}

/**
 * From when (epoch ms) a case's free text may be stored under a retention of `days` days: the
 * database keeps it when received_at >= now() - days (KEPT_TEXT, evaluated at the load's commit,
 * later than `now`); a day earlier still, so that a clock apart by less than that changes nothing.
 */
export function textKeptFrom(days: number, now = Date.now()): number {
  return now - (days + 1) * 86_400_000;
}

/** The case's columns up to the reply fingerprint and caller pseudonym, tab-separated; `withText` false: the free texts null. */
function encodeCaseColumns(r: CaseInput, withText: boolean): string {
  return (
    copyText(r.source) +
    '\t' +
    copyText(r.caseNumber) +
    '\t' +
    copySeconds(r.receivedAt) +
    '\t' +
    copySeconds(r.dispatchedAt) +
    '\t' +
    copySeconds(r.closedAt) +
    '\t' +
    r.channel +
    '\t' +
    r.kind +
    '\t' +
    copyText(r.categoryL1) +
    '\t' +
    copyText(r.categoryL2) +
    '\t' +
    copyText(r.categoryL3) +
    '\t' +
    copyText(r.provinceCode) +
    '\t' +
    copyText(r.cityCode) +
    '\t' +
    copyText(r.districtCode) +
    '\t' +
    copyText(r.streetCode) +
    '\t' +
    copyText(r.departmentCode) +
    '\t' +
    copyText(r.outcome) +
    '\t' +
    r.satisfaction +
    '\t' +
    (withText
      ? copyText(r.dissatisfactionReason) + '\t' + copyText(r.requestText) + '\t' + copyText(r.replyText)
      : '\\N\t\\N\t\\N') +
    '\t' +
    copyText(r.replyFingerprint) +
    '\t' +
    copyText(r.callerPseudonym)
  );
}
