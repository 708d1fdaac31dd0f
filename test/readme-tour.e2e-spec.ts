import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphqlCaller, markdownBlocks, MarkdownBlock, RUNNABLE } from './utils/markdown-blocks.js';
import { demoKeys, ensureBuilt, ROOT, RunningServer, startServer } from './utils/server-process.js';
import { createTestDatabase } from './utils/test-database.js';

/**
 * The README runs itself: every command block of README.md and docs/*.md, in order, against a
 * fresh demo server, as a new user would paste them (shell blocks through bash, Python through
 * python3, GraphQL blocks as one POST), so a broken example fails the build. A file's blocks share
 * one shell: a variable set by one block (an id from an answer) is there for the next. Each file
 * starts from what the README asks a user to set: `PORT`, `G` and the five demo keys.
 *
 * A block fails when it exits non-zero or its output holds a GraphQL `"errors"` list or an export's
 * `"error"` object. Blocks marked `<!-- tour: skip (why) -->` are not run; there are few, and the
 * test names them.
 */
const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const ROLES = {
  steward: 'STEWARD',
  department: 'DEPT',
  researcher: 'RESEARCHER',
  auditor: 'AUDITOR',
  journalist: 'JOURNALIST',
} as const;
const BLOCK_TIMEOUT_MS = 240_000;
/** A file's blocks together; generous, for a machine other work loads (CI alone takes a fraction). */
const FILE_TIMEOUT_MS = 900_000;
/** Blocks that must not run: starting the server the tour runs against, the suite that runs this test... */
const MAX_SKIPPED = 6;

const blocksByFile = new Map(FILES.map((f) => [f, markdownBlocks(f, readFileSync(join(ROOT, f), 'utf8'))]));

function where(b: MarkdownBlock): string {
  return `${b.file}:${b.line}`;
}

function failureIn(output: string): string | undefined {
  return /"errors"\s*:\s*\[[\s\S]{0,600}/.exec(output)?.[0] ?? /"error"\s*:\s*\{[\s\S]{0,300}/.exec(output)?.[0];
}

/** What the Python blocks import: the client's pandas, requests, and cryptography for checkpoints. */
const PYTHON_MODULES = ['pandas', 'requests', 'cryptography'];

/** `HGW_TOUR_PYTHON`, else the first python3 that has the modules (a pyenv shim may lack Debian's packages). */
function pickPython(): string {
  const candidates = process.env.HGW_TOUR_PYTHON ? [process.env.HGW_TOUR_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error(
    `no python3 here (${candidates.join(', ')}) can import ${PYTHON_MODULES.join(', ')}, which the Python blocks ` +
      'need: apt-get install python3-pandas python3-requests python3-cryptography (CI installs them first)',
  );
}

describe('the README tour, run literally', () => {
  let server: RunningServer;
  let drop: () => Promise<void>;
  let work: string;
  let baseEnv: Record<string, string>;
  let python: string;

  beforeAll(async () => {
    ensureBuilt();
    python = pickPython();
    // A checkout of its own: the repository's files, linked, and a fresh `data/` (DATA_DIR's
    // default), so what the blocks write (exports, generated files) stays out of the repository.
    work = mkdtempSync(join(tmpdir(), 'hgw-tour-'));
    chmodSync(work, 0o755);
    for (const entry of readdirSync(ROOT)) {
      if (entry === 'data' || entry === '.git') continue;
      symlinkSync(join(ROOT, entry), join(work, entry));
    }
    mkdirSync(join(work, 'data'));
    // `npx hotline-gateway` without npm's own start-up (seconds on a busy machine, a dozen times
    // over): the same program, found the way npx finds it, through package.json's "bin".
    const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
    mkdirSync(join(work, '.tour-bin'));
    writeFileSync(
      join(work, '.tour-bin', 'npx'),
      `#!/usr/bin/env bash\nif [ "$1" = hotline-gateway ]; then shift; exec "${process.execPath}" "${join(ROOT, bin['hotline-gateway'])}" "$@"; fi\n` +
        `echo "the README tour runs only npx hotline-gateway, not npx $1" >&2; exit 127\n`,
      { mode: 0o755 },
    );
    const db = await createTestDatabase();
    drop = db.drop;
    server = await startServer({
      DATABASE_URL: db.url,
      DATA_DIR: join(work, 'data'),
      SEED_DEMO: 'true',
      DEMO_CASES: process.env.HGW_TOUR_DEMO_CASES ?? '6000',
    });
    const port = new URL(server.url).port;
    const keys = demoKeys(server.output());
    baseEnv = {
      PATH: `${join(work, '.tour-bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: process.env.HOME ?? work,
      LANG: 'C.UTF-8',
      DATABASE_URL: db.url,
      PYTHONPATH: join(ROOT, 'clients', 'python', 'src'),
      PYTHONDONTWRITEBYTECODE: '1',
      npm_config_update_notifier: 'false',
      PORT: port,
      G: `http://127.0.0.1:${port}/graphql`,
    };
    for (const [role, name] of Object.entries(ROLES)) {
      if (!keys[role]) throw new Error(`the server printed no demo ${role} key: ${server.output()}`);
      baseEnv[name] = keys[role];
    }
  });

  afterAll(async () => {
    await server?.stop();
    await drop?.();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('marks every block it does not run, with a reason, and keeps those few', () => {
    const all = [...blocksByFile.values()].flat();
    const unlabelled = all.filter((b) => b.lang === '' && !b.skip).map(where);
    // A fence without a language could be a command nobody runs: name it (`sh`, `text`, ...).
    expect(unlabelled).toEqual([]);
    const skipped = all.filter((b) => b.skip);
    expect(skipped.length).toBeLessThanOrEqual(MAX_SKIPPED);
    const runnable = all.filter((b) => b.lang in RUNNABLE && !b.skip);
    expect(runnable.length).toBeGreaterThan(30);
  });

  it.each(FILES)(
    '%s: every command block works, in order',
    async (file) => {
      const state = join(work, `.tour-state-${file.replace(/\W/g, '_')}.sh`);
      const ran: string[] = [];
      for (const block of blocksByFile.get(file)!) {
        if (block.skip || !(block.lang in RUNNABLE)) continue;
        const runner = RUNNABLE[block.lang as keyof typeof RUNNABLE];
        const started = Date.now();
        const output = await run(runner, block, state);
        ran.push(`${where(block)} ${runner} ${Date.now() - started} ms`);
        if (output.status !== 0 || failureIn(output.stdout)) {
          throw new Error(
            `${where(block)} (${block.lang}) failed` +
              (output.status === null
                ? ` (stopped after ${BLOCK_TIMEOUT_MS / 1000} s)`
                : output.status !== 0
                  ? ` with exit status ${output.status}`
                  : `: ${failureIn(output.stdout)}`) +
              `\n--- block\n${block.code}\n--- stdout\n${output.stdout.slice(-3000)}\n--- stderr\n${output.stderr.slice(-3000)}` +
              `\n--- ran before it\n${ran.join('\n')}`,
          );
        }
      }
      process.stderr.write(`readme tour, ${file}:\n  ${ran.join('\n  ')}\n`);
    },
    FILE_TIMEOUT_MS,
  );

  function run(
    runner: 'bash' | 'python3' | 'graphql',
    block: MarkdownBlock,
    state: string,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    // Every variable a block sets is exported (set -a) and saved for the next block of the file.
    const prologue = `set -a; [ -f "$TOUR_STATE" ] && . "$TOUR_STATE"; set -eo pipefail\n`;
    const script = {
      bash: `${prologue}${block.code}\nunset TOUR_CODE TOUR_KEY; export -p > "$TOUR_STATE"\n`,
      python3: `${prologue}set +a; exec "$TOUR_PYTHON" -c "$TOUR_CODE"\n`,
      graphql:
        `${prologue}set +a; jq -n --arg q "$TOUR_CODE" '{query: $q}' | ` +
        `curl -sS "$G" -H 'content-type: application/json' \${TOUR_KEY:+-H "Authorization: Bearer $TOUR_KEY"} -d @-\n`,
    }[runner];
    const caller = runner === 'graphql' ? graphqlCaller(block.code) : undefined;
    const env = {
      ...baseEnv,
      TOUR_STATE: state,
      TOUR_CODE: block.code,
      TOUR_PYTHON: python,
      ...(caller ? { TOUR_KEY: baseEnv[caller] } : {}),
    };
    return new Promise((resolve) => {
      // Not spawnSync: the server's output must keep flowing while a block runs.
      const child = spawn('bash', ['-c', script], { cwd: work, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_TIMEOUT_MS);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }
});
