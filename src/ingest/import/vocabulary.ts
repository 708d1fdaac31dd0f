import { hash } from 'node:crypto';
import {
  CHANNELS,
  KINDS,
  OUTCOMES,
  SATISFACTIONS,
  type Channel,
  type Kind,
  type Outcome,
  type Satisfaction,
} from '../../records/records.constants.js';

/** Values seen in 12345 exports, mapped to the model's codes (codes themselves are accepted too). */
const CHANNEL_VALUES: Record<string, Channel> = {
  电话: 'phone',
  热线: 'phone',
  热线电话: 'phone',
  '12345热线': 'phone',
  '12345': 'phone',
  来电: 'phone',
  网站: 'web',
  网络: 'web',
  门户网站: 'web',
  政府网站: 'web',
  互联网: 'web',
  app: 'app',
  手机app: 'app',
  客户端: 'app',
  微信: 'wechat',
  微信公众号: 'wechat',
  小程序: 'wechat',
  微信小程序: 'wechat',
  其他: 'other',
  其它: 'other',
  来信: 'other',
  信件: 'other',
  来访: 'other',
  邮件: 'other',
  短信: 'other',
};
const KIND_VALUES: Record<string, Kind> = {
  咨询: 'consultation',
  求助: 'help',
  投诉: 'complaint',
  举报: 'report',
  建议: 'suggestion',
  意见建议: 'suggestion',
  表扬: 'praise',
  感谢: 'praise',
  表扬感谢: 'praise',
};
const OUTCOME_VALUES: Record<string, Outcome> = {
  解决: 'solved',
  已解决: 'solved',
  部分解决: 'partly',
  未解决: 'unsolved',
  退单: 'returned',
  已退单: 'returned',
};
const SATISFACTION_VALUES: Record<string, Satisfaction> = {
  满意: 'satisfied',
  非常满意: 'satisfied',
  基本满意: 'basically',
  不满意: 'dissatisfied',
  未评价: 'unrated',
  未回访: 'unrated',
  '': 'unrated',
};

function lookup<T extends string>(codes: readonly T[], table: Record<string, T>, raw: string): T | undefined {
  const v = raw.trim();
  const lower = v.toLowerCase();
  if ((codes as readonly string[]).includes(lower)) return lower as T;
  return table[v] ?? table[lower];
}

export const channelOf = (raw: string) => lookup(CHANNELS, CHANNEL_VALUES, raw);
export const kindOf = (raw: string) => lookup(KINDS, KIND_VALUES, raw);
export const outcomeOf = (raw: string) => lookup(OUTCOMES, OUTCOME_VALUES, raw);
export const satisfactionOf = (raw: string) => lookup(SATISFACTIONS, SATISFACTION_VALUES, raw);

/**
 * Fingerprint of a reply for template detection: NFKC, lower case, scrubbed placeholders
 * ([姓名], [电话] ...), digits, whitespace and punctuation dropped, then SHA-256 (first 128 bits,
 * hex). Replies that differ only in dates, numbers, personal data or punctuation share a
 * fingerprint (src/ingest/text-analytics/template-replies.ts counts them).
 */
export function replyFingerprint(text: string | null): string | null {
  if (!text) return null;
  // Template replies recur word for word: remember the latest fingerprints.
  const hit = fingerprintCache.get(text);
  if (hit !== undefined) return hit;
  const value = computeFingerprint(text);
  if (fingerprintCache.size >= 5_000) fingerprintCache.clear();
  fingerprintCache.set(text, value);
  return value;
}

const fingerprintCache = new Map<string, string | null>();

function computeFingerprint(text: string): string | null {
  const normalized = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\d+/g, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '');
  if (normalized === '') return null;
  // One-shot: the same digest as createHash(…).update(…).digest(), without a Hash object per reply.
  return hash('sha256', normalized, 'hex').slice(0, 32);
}
