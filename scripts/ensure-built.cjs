#!/usr/bin/env node
// Builds dist/ with tsc when any source is newer than the last build. `npm ci` runs it (the
// prepare script), so a fresh checkout is built once at install, and `npm start`, the benches and
// `npx hotline-gateway` run it again so they always run current code without a separate step.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newest(dir) {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, fs.statSync(full).mtimeMs);
  }
  return latest;
}

function needsBuild() {
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const sources = Math.max(
    newest(path.join(root, 'src')),
    newest(path.join(root, 'migrations')),
    newest(path.join(root, 'bench')),
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
    fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
    fs.statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  return sources > built;
}

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (needsBuild() && tsc === undefined && process.env.npm_lifecycle_event === 'prepare') {
  // `npm ci --omit=dev`: no compiler here; a deployment ships dist/ built elsewhere.
  process.stderr.write('hotline-gateway: typescript is not installed; skipping the build\n');
} else if (needsBuild()) {
  process.stderr.write('hotline-gateway: building (tsc)...\n');
  if (tsc === undefined) {
    process.stderr.write('hotline-gateway: dist/ is missing or stale and typescript is not installed; run npm ci\n');
    process.exit(1);
  }
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], {
      stdio: 'inherit',
      cwd: root,
    });
  } catch {
    process.stderr.write('hotline-gateway: the build failed; see the errors above\n');
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
}
