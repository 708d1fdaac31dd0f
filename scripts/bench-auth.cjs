#!/usr/bin/env node
// Cost of authentication per request, measured side by side in one run on one app:
// public (no header), API key (checksum + one primary-key lookup), and a key rejected by its
// checksum (no database). Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db>
// node scripts/bench-auth.cjs [requests per case, default 300]. Needs a build (npm run build).
'use strict';
const { Buffer } = require('node:buffer');
const http = require('node:http');

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to a scratch database (it is migrated and written to)');
  const n = Number(process.argv[2] ?? 300);
  const { loadConfig } = await import('../dist/src/config/app-config.js');
  const { createDataSource } = await import('../dist/src/bootstrap/data-source.js');
  const { migrate } = await import('../dist/src/bootstrap/open-database.js');
  const { createApp } = await import('../dist/src/bootstrap/create-app.js');
  const { BootstrapService } = await import('../dist/src/principals/bootstrap.service.js');
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', SEED_DEMO: 'false', PORT: '0' });
  const ds = createDataSource(url, { poolSize: 10 });
  await ds.initialize();
  await migrate(ds);
  const app = await createApp(config, ds);
  await app.listen(0, '127.0.0.1');
  const port = app.getHttpServer().address().port;
  // Refuses (and so stops the bench) when the scratch database already has a steward.
  const key = (await app.get(BootstrapService).bootstrap('bench steward')).apiKey;
  const bad = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ query: '{ datasets { slug } }' });
  const once = (token) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (token) headers.authorization = `Bearer ${token}`;
      const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
      });
      req.on('error', reject);
      req.end(body);
    });
  const cases = { public: undefined, apiKey: key, wrongChecksum: bad };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < 30; i++) for (const t of Object.values(cases)) await once(t);
  // Interleaved, so that machine load affects every case alike.
  for (let i = 0; i < n; i++) for (const [name, t] of Object.entries(cases)) times[name].push(await once(t));
  const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = median(times.public);
  for (const [name, a] of Object.entries(times)) {
    const m = median(a);
    console.log(`${name.padEnd(14)} median ${m.toFixed(2)} ms  (x${(m / base).toFixed(2)} of public)  n=${a.length}`);
  }
  agent.destroy();
  await app.close();
  if (ds.isInitialized) await ds.destroy();
}

main().catch((err) => {
  console.error(`bench-auth: ${err.message}`);
  process.exit(1);
});
