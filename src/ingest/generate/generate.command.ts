import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { extname } from 'node:path';
import type { CliContext } from '../../database/cli-context.js';
import { CliFailure } from '../../database/cli-context.js';
import { DEFAULT_PERIOD, generateCases } from './case-generator.js';
import { CASE_CSV_HEADER, TRAFFIC_CSV_HEADER, caseToCsv, caseToJsonl, trafficToCsv } from './output-formats.js';
import { generateTraffic } from './traffic-generator.js';

interface GenerateFlags {
  cases?: string;
  from: string;
  to: string;
  seed: string;
  out: string;
  traffic?: boolean;
  json?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `hotline-gateway generate --cases N [--from DATE --to DATE] [--seed S] --out FILE` writes
 * synthetic 12345 cases (CSV with the Chinese headers of a real export, or JSON Lines, by
 * extension); `--traffic` writes the hourly call traffic per city instead (CSV, import with
 * `--profile traffic`).
 */
export function registerGenerateCommand(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description('write synthetic 12345 records calibrated to the Jiangsu figures (or hourly call traffic)')
    .option('--cases <n>', 'number of cases')
    .option('--from <date>', 'first day, YYYY-MM-DD', DEFAULT_PERIOD.from)
    .option('--to <date>', 'last day, YYYY-MM-DD', DEFAULT_PERIOD.to)
    .option('--seed <seed>', 'the same seed gives the same file', '12345')
    .option('--traffic', 'write hourly call traffic per city instead of cases (CSV)')
    .requiredOption('--out <file>', 'output file: .csv or .jsonl')
    .option('--json', 'print one JSON object')
    .action(async (flags: GenerateFlags) => {
      const started = Date.now();
      const { from, to } = checkPeriod(flags.from, flags.to);
      const ext = extname(flags.out).toLowerCase();
      if (ext !== '.csv' && ext !== '.jsonl')
        throw new CliFailure('--out: the file name must end in .csv or .jsonl', 2);
      let lines: Iterable<string>;
      if (flags.traffic) {
        if (ext !== '.csv') throw new CliFailure('--out: call traffic is written as .csv', 2);
        lines = withHeader(TRAFFIC_CSV_HEADER, map(generateTraffic({ from, to, seed: flags.seed }), trafficToCsv));
      } else {
        const n = Number(flags.cases);
        if (flags.cases === undefined || !Number.isInteger(n) || n < 0 || n > 100_000_000) {
          throw new CliFailure('--cases: expected a whole number from 0 to 100000000', 2);
        }
        const cases = generateCases({ cases: n, from, to, seed: flags.seed });
        lines = ext === '.csv' ? withHeader(CASE_CSV_HEADER, map(cases, caseToCsv)) : map(cases, caseToJsonl);
      }
      const rows = await writeLines(flags.out, lines);
      const dataRows = ext === '.csv' ? rows - 1 : rows;
      const result = {
        out: flags.out,
        rows: dataRows,
        kind: flags.traffic ? 'traffic' : 'cases',
        seed: flags.seed,
        from,
        to,
      };
      ctx.progress(`generate: wrote ${dataRows} ${result.kind} rows in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      ctx.out(flags.json ? result : `wrote ${dataRows} ${result.kind} rows to ${flags.out}`);
    });
}

function checkPeriod(from: string, to: string): { from: string; to: string } {
  for (const [name, v] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (
      !DATE.test(v) ||
      Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ||
      new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v
    ) {
      throw new CliFailure(`${name}: expected a date YYYY-MM-DD, got "${v}"`, 2);
    }
  }
  if (from > to) throw new CliFailure('--from must not be after --to', 2);
  return { from, to };
}

function* map<T>(items: Iterable<T>, fn: (t: T) => string): Generator<string> {
  for (const item of items) yield fn(item);
}

function* withHeader(header: string[], lines: Iterable<string>): Generator<string> {
  yield header.join(',');
  yield* lines;
}

/** Writes lines with backpressure, in chunks; returns the number of lines. */
export async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  const failed = once(out, 'error').then(([e]) => {
    throw new CliFailure(`cannot write ${file}: ${(e as Error).message}`);
  });
  failed.catch(() => undefined);
  let count = 0;
  let chunk: string[] = [];
  const flush = async () => {
    if (!out.write(chunk.join('\n') + '\n')) await Promise.race([once(out, 'drain'), failed]);
    chunk = [];
  };
  for (const line of lines) {
    chunk.push(line);
    count++;
    if (chunk.length >= 2000) await flush();
  }
  if (chunk.length) await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return count;
}
