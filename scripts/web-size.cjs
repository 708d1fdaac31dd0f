#!/usr/bin/env node
// Prints the compressed (gzip -9) size of the script the portal's first load fetches (the files
// index.html names), and of the chunks pages load on demand. The target is under 300 kB for the
// first load. Run after a build: `npm run size:web`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const web = path.resolve(__dirname, '..', 'dist', 'web');
if (!fs.existsSync(path.join(web, 'index.html'))) {
  process.stderr.write('dist/web is not built: run npm ci or npm run build:web\n');
  process.exit(1);
}
const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(web, file)), { level: 9 }).length;
const first = [
  ...fs.readFileSync(path.join(web, 'index.html'), 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g),
].map((m) => m[1]);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
let total = 0;
console.log('first load (index.html):');
for (const f of first) {
  const size = gz(f);
  total += size;
  console.log(`  ${f.padEnd(48)} ${kb(size).padStart(10)}`);
}
console.log(`  ${'total'.padEnd(48)} ${kb(total).padStart(10)}  (target < 300 kB)`);
console.log('on demand (largest):');
const lazy = fs
  .readdirSync(path.join(web, 'assets'))
  .filter((f) => f.endsWith('.js') && !first.includes(`assets/${f}`))
  .map((f) => [f, gz(`assets/${f}`)])
  .sort((a, b) => b[1] - a[1])
  .slice(0, 6);
for (const [f, size] of lazy) console.log(`  assets/${f.padEnd(41)} ${kb(size).padStart(10)}`);
if (total >= 300_000) process.exit(1);
