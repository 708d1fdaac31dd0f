#!/usr/bin/env node
// `npm ci` runs this (the `prepare` script): it builds dist/ (`npm run build`) when the build tools are
// installed. An install without dev dependencies (`npm ci --omit=dev`, for an image that ships a
// dist/ built earlier) has no TypeScript compiler: say so and leave dist/ as it is. A failing build
// fails the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('typescript/package.json');
} catch {
  process.stderr.write('hotline-gateway: dev dependencies not installed; not building (ship a dist/ built earlier)\n');
  process.exit(0);
}
const npm = process.env.npm_execpath;
const run = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(run.status ?? 1);
