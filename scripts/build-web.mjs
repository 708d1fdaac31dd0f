#!/usr/bin/env node
// Builds the web portal (web/ -> dist/web) with Vite when a file under web/ or package-lock.json is
// newer than the last build. The TypeScript side of dist/ is `tsc --build tsconfig.build.json`
// (incremental: it skips an up-to-date build itself); Vite has no such check, and a full portal
// build takes seconds, so this script keeps only that check. `npm ci` (prepare), `npm start`, the
// benches and the tests that serve the portal run it after tsc.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const stamp = join(root, 'dist', 'web', '.build-stamp');

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest(join(root, 'web')), statSync(join(root, 'package-lock.json')).mtimeMs);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  process.stderr.write('hotline-gateway: building the web portal (vite)...\n');
  // Output to stderr: stdout may carry a caller's JSON. A production build whoever calls (Jest sets
  // NODE_ENV=test, which would bundle React's development build: 150 kB of first-load script, not 88).
  try {
    execFileSync(
      process.execPath,
      [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'],
      {
        stdio: ['inherit', 2, 'inherit'],
        cwd: root,
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
  } catch {
    process.stderr.write('hotline-gateway: the web portal build failed; see the errors above\n');
    process.exit(1);
  }
  writeFileSync(stamp, new Date().toISOString() + '\n');
}
