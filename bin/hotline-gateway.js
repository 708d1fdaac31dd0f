#!/usr/bin/env node
// The hotline-gateway command line. Builds on first use, then runs dist/.
import { createRequire } from 'node:module';

// In this process, not a child: a second Node start-up would double the time `--help` takes.
// It exits with status 1 itself when a build fails.
createRequire(import.meta.url)('../scripts/ensure-built.cjs');
const { runCli } = await import('../dist/src/cli/cli.js');
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hotline-gateway: ${String((err && err.message) || err).split('\n')[0]}\n`);
    process.exit(1);
  },
);
