#!/usr/bin/env node
// The hotline-gateway command line: runs dist/, which `npm ci` (the prepare script), `npm run build`
// and `npm start` bring up to date with `tsc --build tsconfig.build.json`. Only when dist/ is missing
// altogether (say, installed with --ignore-scripts) does it build first. It does not check dist/ for
// staleness on every call: that check is TypeScript's own (`tsc --build`), and loading the compiler
// costs more than the rest of `--help`; after editing sources, run `npm run build` (or keep
// `npx tsc --build tsconfig.build.json --watch` running).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `tsc --build --force tsconfig.build.json`, through TypeScript's API in this process. */
function build() {
  let ts;
  try {
    ts = createRequire(import.meta.url)('typescript');
  } catch {
    process.stderr.write('hotline-gateway: dist/ is not built and TypeScript is not installed; run npm ci\n');
    return false;
  }
  process.stderr.write('hotline-gateway: building (tsc --build)...\n');
  const format = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  const formatHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: ts.sys.getCurrentDirectory,
    getNewLine: () => '\n',
  };
  // Compiler output to stderr: stdout carries --json.
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, (d) => process.stderr.write(format([d], formatHost)));
  // `force`: the build info may have outlived the outputs it describes.
  const builder = ts.createSolutionBuilder(host, [join(root, 'tsconfig.build.json')], { force: true });
  if (builder.build() === ts.ExitStatus.Success) {
    return true;
  }
  process.stderr.write('hotline-gateway: the build failed; see the errors above\n');
  return false;
}

const entry = join(root, 'dist', 'src', 'cli', 'cli.js');
if (!existsSync(entry) && !build()) process.exit(1);
const { runCli } = await import(pathToFileURL(entry).href);
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hotline-gateway: ${String((err && err.message) || err).split('\n')[0]}\n`);
    process.exit(1);
  },
);
