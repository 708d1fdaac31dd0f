import type { Channel, Kind, Outcome, Satisfaction } from '../../records/records.constants.js';

/** One case, mapped, validated and scrubbed, ready to store. Times are epoch milliseconds. */
export interface CaseInput {
  source: string;
  caseNumber: string;
  receivedAt: number;
  dispatchedAt: number | null;
  closedAt: number | null;
  channel: Channel;
  kind: Kind;
  categoryL1: string;
  categoryL2: string | null;
  categoryL3: string | null;
  provinceCode: string;
  cityCode: string;
  districtCode: string | null;
  streetCode: string | null;
  departmentCode: string | null;
  outcome: Outcome | null;
  satisfaction: Satisfaction;
  dissatisfactionReason: string | null;
  requestText: string | null;
  replyText: string | null;
  replyFingerprint: string | null;
  callerPseudonym: string | null;
}

/** One hour of call traffic for one city. */
export interface TrafficInput {
  source: string;
  cityCode: string;
  hourStart: number;
  callsOffered: number;
  callsAnswered: number;
  callsAbandoned: number;
}

/** Reference rows a source introduces on the fly (NYC agencies, complaint types, community boards). */
export interface NewReferenceRows {
  areas: { code: string; level: string; parentCode: string | null; nameZh: string; nameEn: string }[];
  categories: { code: string; level: number; parentCode: string | null; nameZh: string; nameEn: string }[];
  departments: { code: string; nameZh: string; nameEn: string; areaCode: string | null }[];
}

export type MapResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A raw input row: its line number and its fields (CSV: by header position; JSONL: the object). */
export interface RawRow<R> {
  line: number;
  raw: R;
}

/**
 * A profile bound to one file's header: maps raw rows to inputs, and blanks the personal
 * fields of a raw row for the rejects file.
 */
export interface BoundMapper<R, T> {
  map(raw: R): MapResult<T>;
  redact(raw: R): Record<string, unknown>;
  /** Reference rows created while mapping, taken (and cleared) before each batch is written. */
  takeNewReferences(): NewReferenceRows | null;
  /** Columns of the header the profile does not use (reported, not fatal). */
  unknownColumns: string[];
  /** Counters of accepted-with-warning situations (e.g. unknown department). */
  warnings: Record<string, number>;
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
