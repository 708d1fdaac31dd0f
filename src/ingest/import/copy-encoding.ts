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
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    out +=
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
      copyText(r.dissatisfactionReason) +
      '\t' +
      copyText(r.requestText) +
      '\t' +
      copyText(r.replyText) +
      '\t' +
      copyText(r.replyFingerprint) +
      '\t' +
      copyText(r.callerPseudonym) +
      '\t' +
      String(keys.readUInt32LE(4 * i) >>> 1) +
      '\t' +
      String(firstOrd + i) +
      '\n';
  }
  return out;
}
