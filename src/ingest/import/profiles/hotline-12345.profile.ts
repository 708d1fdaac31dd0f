import { scrubPersonalData } from '../../../logging/scrub.js';
import { PiiScrubber } from '../../pii/pii-scrubber.js';
import type { BoundMapper, CaseInput } from '../case-input.js';
import { CaseBuilder, type CaseFields, type FieldLabels } from '../case-builder.js';
import { mapHeader, type FieldSpec } from '../header-map.js';
import type { ProfileContext } from './profile.js';

type Field = keyof CaseFields | 'address';

/** Header names seen in 12345 work-order exports (DOMAIN.md), first one is the canonical name. */
export const HOTLINE_12345_HEADERS: FieldSpec<Field>[] = [
  { field: 'caseNumber', headers: ['工单编号', '工单号', '编号'], required: true },
  { field: 'receivedAt', headers: ['受理时间', '来电时间', '登记时间'], required: true },
  { field: 'channel', headers: ['受理渠道', '工单来源', '来源渠道'] },
  { field: 'kind', headers: ['诉求类型', '来电类别', '工单类型'], required: true },
  { field: 'category1', headers: ['一级分类', '一级业务分类'], required: true },
  { field: 'category2', headers: ['二级分类', '二级业务分类'] },
  { field: 'category3', headers: ['三级分类', '三级业务分类'] },
  { field: 'requestText', headers: ['诉求内容', '主要内容', '来电内容'] },
  { field: 'address', headers: ['诉求地址'] },
  { field: 'city', headers: ['所属地市', '地市'], required: true },
  { field: 'district', headers: ['所属区县', '区县'] },
  { field: 'street', headers: ['所属街道', '街道', '所属镇街'] },
  { field: 'department', headers: ['承办单位', '主办单位'] },
  { field: 'dispatchedAt', headers: ['转办时间', '派单时间'] },
  { field: 'closedAt', headers: ['办结时间'] },
  { field: 'outcome', headers: ['办理结果'] },
  { field: 'replyText', headers: ['答复市民要点', '答复内容', '回复内容'] },
  { field: 'satisfaction', headers: ['满意度', '评价结果'] },
  { field: 'dissatisfactionReason', headers: ['不满原因', '不满意原因'] },
  { field: 'callerNumber', headers: ['来电号码', '联系电话', '来电人电话'] },
  { field: 'callerName', headers: ['来电人', '来电人姓名', '联系人', '姓名'] },
];

/** Columns that are personal data: blanked in the rejects file, never stored. */
const PERSONAL: Field[] = ['callerNumber', 'callerName', 'address'];
/** Free-text columns: scrubbed in the rejects file as they are in the database. */
const FREE_TEXT: Field[] = ['requestText', 'replyText', 'dissatisfactionReason'];

/** The 12345 profile: Chinese headers, names or codes for areas, categories and departments. */
export function bind12345(header: string[], ctx: ProfileContext): BoundMapper<string[], CaseInput> {
  const { index, unknownColumns } = mapHeader(header, HOTLINE_12345_HEADERS, undefined, '12345');
  const labels = {} as FieldLabels;
  for (const spec of HOTLINE_12345_HEADERS) {
    if (spec.field !== 'address')
      labels[spec.field] = index[spec.field] >= 0 ? header[index[spec.field]].trim() : spec.headers[0];
  }
  const builder = new CaseBuilder(ctx.refs, ctx.scrubber, ctx.pseudonymizer, labels, ctx.source);
  const fields = HOTLINE_12345_HEADERS.filter((s) => index[s.field] >= 0 && s.field !== 'address');
  return {
    unknownColumns,
    warnings: builder.warnings,
    takeNewReferences: () => null,
    map: (raw) => {
      if (raw.length !== header.length) {
        return { ok: false, reason: `the row has ${raw.length} fields, the header has ${header.length}` };
      }
      const f: CaseFields = {};
      for (const spec of fields) f[spec.field as keyof CaseFields] = raw[index[spec.field]];
      return builder.build(f);
    },
    redact: (raw) => redactRow(header, raw, index, ctx.scrubber),
  };
}

function redactRow(
  header: string[],
  raw: string[],
  index: Record<Field, number>,
  scrubber: PiiScrubber,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const name = index.callerName >= 0 ? raw[index.callerName] : undefined;
  const personal = new Set(PERSONAL.map((f) => index[f]));
  const free = new Set(FREE_TEXT.map((f) => index[f]));
  header.forEach((h, i) => {
    const v = raw[i] ?? '';
    out[h] = personal.has(i) ? '' : free.has(i) ? (scrubber.scrub(v, name ? [name] : []) ?? '') : scrubPersonalData(v);
  });
  return out;
}
