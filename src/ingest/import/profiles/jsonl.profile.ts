import type { BoundMapper, CaseInput } from '../case-input.js';
import { CaseBuilder, type CaseFields } from '../case-builder.js';
import type { ProfileContext } from './profile.js';

/**
 * The normalized JSON Lines format (docs/ingest.md): one object per line, codes of the model
 * (names are accepted too), times ISO 8601 (without an offset: Asia/Shanghai).
 */
export const JSONL_FIELDS: Record<keyof CaseFields, string> = {
  caseNumber: 'caseNumber',
  receivedAt: 'receivedAt',
  dispatchedAt: 'dispatchedAt',
  closedAt: 'closedAt',
  channel: 'channel',
  kind: 'kind',
  category1: 'categoryL1',
  category2: 'categoryL2',
  category3: 'categoryL3',
  city: 'cityCode',
  district: 'districtCode',
  street: 'streetCode',
  department: 'departmentCode',
  outcome: 'outcome',
  satisfaction: 'satisfaction',
  dissatisfactionReason: 'dissatisfactionReason',
  requestText: 'requestText',
  replyText: 'replyText',
  callerNumber: 'callerNumber',
  callerName: 'callerName',
};
const KNOWN = new Set([...Object.values(JSONL_FIELDS), 'source']);
const PERSONAL = new Set(['callerNumber', 'callerName', 'address']);
const FREE_TEXT = new Set(['requestText', 'replyText', 'dissatisfactionReason']);

export function bindJsonl(ctx: ProfileContext): BoundMapper<Record<string, unknown>, CaseInput> {
  const builders = new Map<string, CaseBuilder>();
  const warnings: Record<string, number> = {};
  const builderFor = (source: string) => {
    let b = builders.get(source);
    if (!b) {
      b = new CaseBuilder(ctx.refs, ctx.scrubber, ctx.pseudonymizer, JSONL_FIELDS, source);
      builders.set(source, b);
    }
    return b;
  };
  const unknown = new Set<string>();
  return {
    unknownColumns: [],
    get warnings() {
      for (const k of Object.keys(warnings)) delete warnings[k];
      for (const b of builders.values())
        for (const [k, v] of Object.entries(b.warnings)) warnings[k] = (warnings[k] ?? 0) + v;
      if (unknown.size > 0) warnings.unknownFields = unknown.size;
      return warnings;
    },
    takeNewReferences: () => null,
    map: (raw) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        return { ok: false, reason: 'the line is not a JSON object' };
      }
      if (raw.__invalidJson === true) return { ok: false, reason: 'the line is not valid JSON' };
      const f: CaseFields = {};
      for (const [field, key] of Object.entries(JSONL_FIELDS) as [keyof CaseFields, string][]) {
        const v = raw[key];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string' && typeof v !== 'number') return { ok: false, reason: `${key} must be a string` };
        f[field] = String(v);
      }
      for (const k of Object.keys(raw)) if (!KNOWN.has(k)) unknown.add(k);
      const source = typeof raw.source === 'string' && raw.source.trim() !== '' ? raw.source.trim() : ctx.source;
      return builderFor(source).build(f);
    },
    redact: (raw) => {
      if (typeof raw !== 'object' || raw === null || raw.__invalidJson === true) return {};
      const name = typeof raw.callerName === 'string' ? [raw.callerName] : [];
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        out[k] = PERSONAL.has(k) ? '' : FREE_TEXT.has(k) && typeof v === 'string' ? ctx.scrubber.scrub(v, name) : v;
      }
      return out;
    },
  };
}
