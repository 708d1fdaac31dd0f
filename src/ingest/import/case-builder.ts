import { quotedExcerpt } from '../../logging/scrub.js';
import { CallerPseudonymizer } from '../pii/caller-pseudonymizer.js';
import { namesToRemove, PiiScrubber } from '../pii/pii-scrubber.js';
import type { CaseInput, MapResult } from './case-input.js';
import { ReferenceIndex } from './reference-index.js';
import { parseTimestamp, type LocalZone } from './time-parsing.js';
import { channelOf, kindOf, outcomeOf, replyFingerprint, satisfactionOf } from './vocabulary.js';

/** The fields of a Chinese hotline case as a profile extracted them (codes or names, raw text). */
export interface CaseFields {
  caseNumber?: string;
  receivedAt?: string;
  dispatchedAt?: string;
  closedAt?: string;
  channel?: string;
  kind?: string;
  category1?: string;
  category2?: string;
  category3?: string;
  city?: string;
  district?: string;
  street?: string;
  department?: string;
  outcome?: string;
  satisfaction?: string;
  dissatisfactionReason?: string;
  requestText?: string;
  replyText?: string;
  callerNumber?: string;
  callerName?: string;
}

/** Column labels used in reasons, so a reason names the column the user sees. */
export type FieldLabels = Record<keyof CaseFields, string>;

const MAX_FUTURE_MS = 86_400_000;

/**
 * Validates, resolves and scrubs one case: every reason names the column and what to fix.
 * The caller's number becomes a keyed pseudonym and the caller's name is removed from all
 * free text; neither is kept.
 */
export class CaseBuilder {
  readonly warnings: Record<string, number> = {};

  constructor(
    private readonly refs: ReferenceIndex,
    private readonly scrubber: PiiScrubber,
    private readonly pseudonymizer: CallerPseudonymizer,
    private readonly labels: FieldLabels,
    private readonly source: string,
    /** Where times without an offset are local: the source's time zone. */
    private readonly zone: LocalZone = 'Asia/Shanghai',
    private readonly now = Date.now(),
  ) {}

  private warn(key: string): void {
    this.warnings[key] = (this.warnings[key] ?? 0) + 1;
  }

  build(f: CaseFields): MapResult<CaseInput> {
    const L = this.labels;
    const fail = (reason: string): MapResult<CaseInput> => ({ ok: false, reason });
    const caseNumber = (f.caseNumber ?? '').trim();
    if (caseNumber === '') return fail(`${L.caseNumber} is empty`);
    if (caseNumber.length > 64) return fail(`${L.caseNumber} is longer than 64 characters`);

    const receivedAt = parseTimestamp(f.receivedAt ?? '', this.zone);
    if (receivedAt === null) {
      return fail(
        (f.receivedAt ?? '').trim() === ''
          ? `${L.receivedAt} is empty`
          : `${L.receivedAt} "${quotedExcerpt(f.receivedAt)}" is not a date and time (use YYYY-MM-DD HH:MM:SS)`,
      );
    }
    if (receivedAt > this.now + MAX_FUTURE_MS)
      return fail(`${L.receivedAt} "${quotedExcerpt(f.receivedAt)}" is in the future`);
    const dispatchedAt = this.optionalTime(f.dispatchedAt);
    if (dispatchedAt === undefined)
      return fail(`${L.dispatchedAt} "${quotedExcerpt(f.dispatchedAt)}" is not a date and time`);
    const closedAt = this.optionalTime(f.closedAt);
    if (closedAt === undefined) return fail(`${L.closedAt} "${quotedExcerpt(f.closedAt)}" is not a date and time`);
    if (dispatchedAt !== null && dispatchedAt < receivedAt) return fail(`${L.dispatchedAt} is before ${L.receivedAt}`);
    if (closedAt !== null && closedAt < receivedAt) return fail(`${L.closedAt} is before ${L.receivedAt}`);

    const channel = f.channel === undefined ? 'other' : channelOf(f.channel);
    if (!channel)
      return fail(`${L.channel} "${quotedExcerpt(f.channel)}" is not a known channel (电话, 网站, APP, 微信, 其他)`);
    const kind = kindOf(f.kind ?? '');
    if (!kind) return fail(`${L.kind} "${quotedExcerpt(f.kind)}" is not one of 咨询, 求助, 投诉, 举报, 建议, 表扬`);

    const c1 = this.refs.category(f.category1 ?? '', 1, null);
    if (!c1) return fail(`${L.category1} "${quotedExcerpt(f.category1)}" is not a known level-1 category`);
    let c2: string | null = null;
    let c3: string | null = null;
    if (present(f.category2)) {
      c2 = this.refs.category(f.category2, 2, c1) ?? null;
      if (!c2)
        return fail(`${L.category2} "${quotedExcerpt(f.category2)}" is not a known category under ${f.category1}`);
      if (present(f.category3)) {
        c3 = this.refs.category(f.category3, 3, c2) ?? null;
        if (!c3)
          return fail(`${L.category3} "${quotedExcerpt(f.category3)}" is not a known category under ${f.category2}`);
      }
    }

    const city = this.refs.area(f.city ?? '', 'city', null);
    if (!city)
      return fail(`${L.city} "${quotedExcerpt(f.city)}" is not a known city (name like 苏州市 or code like 320500)`);
    let district: string | null = null;
    let street: string | null = null;
    if (present(f.district)) {
      district = this.refs.area(f.district, 'district', city) ?? null;
      if (!district) return fail(`${L.district} "${quotedExcerpt(f.district)}" is not a district of ${f.city}`);
      if (present(f.street)) {
        street = this.refs.area(f.street, 'street', district) ?? null;
        if (!street) this.warn('unknownStreet');
      }
    }
    let department: string | null = null;
    if (present(f.department)) {
      department = this.refs.department(f.department) ?? null;
      if (!department) this.warn('unknownDepartment');
    }

    let outcome = null;
    if (present(f.outcome)) {
      outcome = outcomeOf(f.outcome) ?? null;
      if (!outcome)
        return fail(`${L.outcome} "${quotedExcerpt(f.outcome)}" is not one of 解决, 部分解决, 未解决, 退单`);
    }
    const satisfaction = satisfactionOf(f.satisfaction ?? '');
    if (!satisfaction)
      return fail(`${L.satisfaction} "${quotedExcerpt(f.satisfaction)}" is not one of 满意, 基本满意, 不满意, 未评价`);

    const names = present(f.callerName) ? namesToRemove([f.callerName]) : [];
    const replyText = this.scrubber.scrubPrepared(f.replyText, names);
    return {
      ok: true,
      value: {
        source: this.source,
        caseNumber,
        receivedAt,
        dispatchedAt,
        closedAt,
        channel,
        kind,
        categoryL1: c1,
        categoryL2: c2,
        categoryL3: c3,
        provinceCode: this.refs.parentOf(city) ?? city,
        cityCode: city,
        districtCode: district,
        streetCode: street,
        departmentCode: department,
        outcome,
        satisfaction,
        dissatisfactionReason: this.scrubber.scrubPrepared(f.dissatisfactionReason, names),
        requestText: this.scrubber.scrubPrepared(f.requestText, names),
        replyText,
        replyFingerprint: replyFingerprint(replyText),
        callerPseudonym: this.pseudonymizer.pseudonym(f.callerNumber),
      },
    };
  }

  /** null when empty, undefined when unparseable. */
  private optionalTime(raw: string | undefined): number | null | undefined {
    if (!present(raw)) return null;
    return parseTimestamp(raw, this.zone) ?? undefined;
  }
}

function present(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}
