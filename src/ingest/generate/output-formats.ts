import { CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS, SATISFACTION_LABELS } from '../../records/records.constants.js';
import { categoryRows } from '../reference/categories.js';
import { jiangsuDepartmentRows } from '../reference/departments.js';
import { jiangsuAreaRows } from '../reference/jiangsu-areas.js';
import type { GeneratedCase } from './case-generator.js';
import type { GeneratedTraffic } from './traffic-generator.js';

/** The columns of a real 12345 export, Chinese headers (docs/ingest.md), personal columns included. */
export const CASE_CSV_HEADER = [
  '工单编号',
  '受理时间',
  '受理渠道',
  '诉求类型',
  '一级分类',
  '二级分类',
  '三级分类',
  '诉求内容',
  '诉求地址',
  '所属地市',
  '所属区县',
  '所属街道',
  '承办单位',
  '转办时间',
  '办结时间',
  '办理结果',
  '答复市民要点',
  '满意度',
  '不满原因',
  '来电号码',
  '来电人',
];
export const TRAFFIC_CSV_HEADER = ['所属地市', '统计时段', '呼入量', '接通量', '放弃量'];

const names = new Map<string, string>();
for (const a of jiangsuAreaRows()) names.set(a.code, a.nameZh);
for (const c of categoryRows()) names.set(c.code, c.nameZh);
for (const d of jiangsuDepartmentRows()) names.set(d.code, d.nameZh);

/** Local time as exports print it: `2021-03-15 14:23:05`. */
function local(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 19).replace('T', ' ');
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function caseToCsv(c: GeneratedCase): string {
  return [
    c.caseNumber,
    local(c.receivedAt),
    CHANNEL_LABELS[c.channel][0],
    KIND_LABELS[c.kind][0],
    names.get(c.categoryL1) ?? c.categoryL1,
    names.get(c.categoryL2) ?? c.categoryL2,
    names.get(c.categoryL3) ?? c.categoryL3,
    c.requestText,
    c.address,
    names.get(c.cityCode) ?? c.cityCode,
    names.get(c.districtCode) ?? c.districtCode,
    names.get(c.streetCode) ?? c.streetCode,
    names.get(c.departmentCode) ?? c.departmentCode,
    local(c.dispatchedAt),
    local(c.closedAt),
    OUTCOME_LABELS[c.outcome][0],
    c.replyText,
    SATISFACTION_LABELS[c.satisfaction][0],
    c.dissatisfactionReason ?? '',
    c.callerNumber,
    c.callerName,
  ]
    .map(csvField)
    .join(',');
}

export function caseToJsonl(c: GeneratedCase): string {
  return JSON.stringify(c);
}

export function trafficToCsv(t: GeneratedTraffic): string {
  return [t.cityCode, t.hourStart, t.callsOffered, t.callsAnswered, t.callsAbandoned].join(',');
}
