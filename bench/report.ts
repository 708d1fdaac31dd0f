/**
 * Medians and spread over repeated rounds. On a shared machine one phase can swing by 2x from the
 * next, so every figure is the median of its rounds with the range beside it, and every ratio is
 * taken within a round (its two phases ran seconds apart) before the median is taken.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoragePart } from './bench-data.js';
import { PhaseResult, quantile } from './http-load.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

export const fmt = (x: number, digits = 1) =>
  Number.isFinite(x) ? x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';

/** "1,234 (1,100–1,300)": the median and, with more than one round, the range. */
export function fmtSpread(xs: number[], digits = 1): string {
  const s = spread(xs);
  return xs.length > 1
    ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
    : fmt(s.median, digits);
}

/** Each round's a / b. */
export const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);

/** Rounds of each phase, in the order phases were first recorded. */
export class Rounds {
  readonly phases = new Map<string, PhaseResult[]>();

  add(result: PhaseResult): PhaseResult {
    const list = this.phases.get(result.name) ?? [];
    list.push(result);
    this.phases.set(result.name, list);
    return result;
  }

  get(name: string): PhaseResult[] {
    return this.phases.get(name) ?? [];
  }

  rps = (name: string) => this.get(name).map((r) => r.rps);
  p95 = (name: string) => this.get(name).map((r) => r.p95);

  /** One line per phase: medians over the rounds, ranges in brackets. */
  table(): string[] {
    const lines = [
      '| phase | rounds | errors | throughput (req/s) | p50 (ms) | p95 (ms) |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const [name, runs] of this.phases) {
      const errors = runs.reduce((s, r) => s + r.errors, 0);
      lines.push(
        `| ${name} | ${runs.length} | ${errors} | ${fmtSpread(runs.map((r) => r.rps))} | ${fmtSpread(
          runs.map((r) => r.p50),
          2,
        )} | ${fmtSpread(
          runs.map((r) => r.p95),
          2,
        )} |`,
      );
    }
    for (const [name, runs] of this.phases) {
      const failed = runs.find((r) => r.firstError);
      if (failed) lines.push(`first error in "${name}": ${failed.firstError}`);
    }
    return lines;
  }

  toJSON(): Record<string, PhaseResult[]> {
    return Object.fromEntries(this.phases);
  }
}

/** The phases of bench:query, by the name each is printed under. */
export const QUERY_PHASE = {
  typename: '{ __typename }',
  mix: 'realistic mix',
  mixOff: 'realistic mix, result cache off',
  mixFloor: 'realistic mix, same SQL straight through pg',
  fixed: 'fixed replay (20 bodies, cache warm)',
  fixedInterpreted: 'fixed replay, graphql-js executor',
  fixedOff: 'fixed replay, result cache off',
  fixedFloor: 'fixed replay, same SQL straight through pg',
} as const;

/** What one bench:query run measured. */
export interface QueryRun {
  cases: number;
  concurrency: number;
  seconds: number;
  rounds: Rounds;
  /** 1-minute load average before and after the phases. */
  load: [number, number];
  cores: number;
  /** Each fixed query's first (cold-cache) latency, ms. */
  firstRun: number[];
  hitRatios: number[];
  storage: { parts: StoragePart[]; rollupSeconds: string | null };
  perQuery: { query: number; bytes: number; rps: number; p50: number }[];
}

type Medians = Record<string, Pick<PhaseResult, 'rps' | 'p95'>>;

function queryMedians(rounds: Rounds): Medians {
  return Object.fromEntries(
    [...rounds.phases.keys()].map((name) => [
      name,
      { rps: spread(rounds.rps(name)).median, p95: spread(rounds.p95(name)).median },
    ]),
  );
}

/** The disk table of a run: records, keywords, rollups and the rest, tables and indexes apart, per case. */
export function storageReport(storage: QueryRun['storage'], cases: number): string[] {
  const mb = (b: number) => (b / 1e6).toFixed(0);
  const perCase = (b: number) => (b / cases).toFixed(0);
  const total = storage.parts.reduce((sum, p) => sum + p.tableBytes + p.indexBytes, 0);
  return [
    `rollup build (all cubes, one year): ${storage.rollupSeconds ?? '-'} s (when they were last built; --rebuild-rollups to time it)`,
    '',
    '| storage | table MB | index MB | table bytes/case | index bytes/case |',
    '|---|---:|---:|---:|---:|',
    ...storage.parts.map(
      (p) =>
        `| ${p.part} | ${mb(p.tableBytes)} | ${mb(p.indexBytes)} | ${perCase(p.tableBytes)} | ${perCase(p.indexBytes)} |`,
    ),
    `| **all** | ${mb(total)} MB | | **${perCase(total)} bytes/case** (target <= 1,000 at 30M) | |`,
  ];
}

/** The p95 target of the realistic mix at a size: issue 21's at 3M, issue 23's at 30M. */
const p95Target = (cases: number) =>
  cases >= 30_000_000 ? 'target <= 100 ms at 30M' : cases >= 3_000_000 ? 'target < 50 ms at 3M' : 'no target below 3M';

/** bench:query's printed report: the phase table, the ratios against their targets, storage, per query. */
export function queryReport(run: QueryRun, smallerRuns: { cases: number; medians: Medians }[]): string[] {
  const P = QUERY_PHASE;
  const { rounds } = run;
  const rps = rounds.rps;
  const p95 = rounds.p95;
  const sortedFirst = [...run.firstRun].sort((a, b) => a - b);
  const lines = [
    `cases: ${run.cases.toLocaleString('en')}, concurrency ${run.concurrency}, ${run.seconds} s per phase, ${rounds.get(P.typename).length} rounds, node ${process.version}`,
    `machine: ${run.cores} cores, 1-min load average ${run.load[0].toFixed(1)} before the phases, ${run.load[1].toFixed(1)} after`,
    `medians over the rounds, (min–max) beside them; ratios are taken within each round`,
    '',
    ...rounds.table(),
    '',
    `realistic mix, cache off ÷ the same SQL straight through pg: ${fmtSpread(ratios(rps(P.mixOff), rps(P.mixFloor)), 2)} (target >= 0.7)`,
    `realistic mix ÷ __typename throughput: ${fmtSpread(ratios(rps(P.mix), rps(P.typename)), 2)}; cache off: ${fmtSpread(ratios(rps(P.mixOff), rps(P.typename)), 2)}`,
    `realistic mix p95: ${fmtSpread(p95(P.mix), 2)} ms (${p95Target(run.cases)}); cache off: ${fmtSpread(p95(P.mixOff), 2)} ms`,
    `realistic mix result-cache hit ratio: ${fmtSpread(run.hitRatios, 2)} (1 - rollup reads / aggregate requests)`,
    `fixed replay ÷ __typename throughput: ${fmtSpread(ratios(rps(P.fixed), rps(P.typename)), 2)}; graphql-js executor: ${fmtSpread(ratios(rps(P.fixedInterpreted), rps(P.typename)), 2)}; cache off ÷ its SQL through pg: ${fmtSpread(ratios(rps(P.fixedOff), rps(P.fixedFloor)), 2)}`,
    `fixed replay p95: ${fmtSpread(p95(P.fixed), 2)} ms; first run of each fixed query (cold cache, one at a time), ms: median ${fmt(quantile(sortedFirst, 0.5))}, max ${fmt(sortedFirst[sortedFirst.length - 1])}; by query: ${run.firstRun.map((x) => fmt(x, 0)).join(' ')}`,
  ];
  lines.push('', ...storageReport(run.storage, run.cases));
  const medians = queryMedians(rounds);
  for (const smaller of smallerRuns) {
    const there = smaller.medians[P.mix];
    if (!there) continue;
    lines.push(
      `realistic mix p95 at ${run.cases.toLocaleString('en')} / p95 at ${smaller.cases.toLocaleString('en')}: ${fmt(medians[P.mix].p95 / there.p95, 2)} (target <= 1.5); cache off: ${fmt(medians[P.mixOff].p95 / (smaller.medians[P.mixOff]?.p95 ?? NaN), 2)}`,
    );
  }
  if (run.perQuery.length > 0) {
    const typename = spread(rps(P.typename)).median;
    lines.push('', '| fixed query alone (cache on) | response bytes | throughput (req/s) | / __typename | p50 (ms) |');
    lines.push('|---:|---:|---:|---:|---:|');
    for (const q of run.perQuery) {
      lines.push(`| ${q.query} | ${q.bytes} | ${fmt(q.rps)} | ${fmt(q.rps / typename, 2)} | ${fmt(q.p50, 2)} |`);
    }
  }
  return lines;
}

/**
 * Keeps the run in `dir`/query-<cases>.json, and returns the smaller runs kept there (300k for 3M;
 * 300k and 3M for 30M), to be compared side by side.
 */
export function saveQueryRun(dir: string, run: QueryRun): { cases: number; medians: Medians }[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `query-${run.cases}.json`),
    JSON.stringify(
      {
        cases: run.cases,
        load: run.load,
        firstRun: run.firstRun,
        medians: queryMedians(run.rounds),
        hitRatios: run.hitRatios,
        rounds: run.rounds.toJSON(),
        storage: run.storage,
      },
      null,
      2,
    ),
  );
  const smaller: { cases: number; medians: Medians }[] = [];
  for (const cases of [300_000, 3_000_000].filter((n) => n < run.cases)) {
    const file = join(dir, `query-${cases}.json`);
    if (!existsSync(file)) continue;
    const other = JSON.parse(readFileSync(file, 'utf8')) as { medians?: Medians };
    if (other.medians) smaller.push({ cases, medians: other.medians });
  }
  return smaller;
}
