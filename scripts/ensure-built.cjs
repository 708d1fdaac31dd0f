#!/usr/bin/env node
// Builds dist/ with tsc when any source is newer than the last build, so `npm start`
// and `npx hotline-gateway` always run current code without a separate build step.
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

if (needsBuild()) {
  process.stderr.write('hotline-gateway: building (tsc)...\n');
  const tsc = require.resolve('typescript/bin/tsc');
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
