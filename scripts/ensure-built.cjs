#!/usr/bin/env node
// Builds dist/ with tsc, and the web portal into dist/web with Vite, when any of their sources is
// newer than the last build. `npm ci` runs it (the prepare script), so a fresh checkout is built
// once at install, and `npm start`, the benches and `npx hotline-gateway` run it again so they
// always run current code without a separate step.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const webStamp = path.join(root, 'dist', 'web', '.build-stamp');

function newest(dir, matches = (name) => name.endsWith('.ts')) {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full, matches));
    else if (matches(entry.name)) latest = Math.max(latest, fs.statSync(full).mtimeMs);
  }
  return latest;
}

function webNeedsBuild() {
  if (!fs.existsSync(path.join(root, 'web'))) return false;
  if (!fs.existsSync(webStamp)) return true;
  const built = fs.statSync(webStamp).mtimeMs;
  const sources = Math.max(
    newest(path.join(root, 'web'), () => true),
    fs.statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  return sources > built;
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

// The web portal (web/ -> dist/web), built by Vite; the gateway serves it at /.
let vite;
try {
  vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  vite = undefined;
}
if (webNeedsBuild()) {
  if (vite === undefined) {
    // `npm ci --omit=dev`: a deployment ships dist/web built elsewhere; the API works without it.
    process.stderr.write('hotline-gateway: vite is not installed; the web portal is not rebuilt\n');
  } else {
    process.stderr.write('hotline-gateway: building the web portal (vite)...\n');
    try {
      execFileSync(
        process.execPath,
        [vite, 'build', '--config', path.join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'],
        {
          stdio: 'inherit',
          cwd: root,
          // A production build whoever calls (Jest sets NODE_ENV=test, which would bundle React's
          // development build: 150 kB of first-load script instead of 88).
          env: { ...process.env, NODE_ENV: 'production' },
        },
      );
    } catch {
      process.stderr.write('hotline-gateway: the web portal build failed; see the errors above\n');
      process.exit(1);
    }
    fs.writeFileSync(webStamp, new Date().toISOString() + '\n');
  }
}
