#!/usr/bin/env node
// The hotline-gateway command line (CONTRACT.md). Builds on first use, then runs dist/.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
try {
  execFileSync(process.execPath, [join(here, '..', 'scripts', 'ensure-built.cjs')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} catch {
  process.exit(1);
}
const { runCli } = await import('../dist/src/cli/cli.js');
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hotline-gateway: ${String((err && err.message) || err).split('\n')[0]}\n`);
    process.exit(1);
  },
);
