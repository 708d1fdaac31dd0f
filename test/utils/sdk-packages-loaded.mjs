// Run by test/tracing.e2e-spec.ts in a fresh process: builds the app's modules (from dist/) as
// createApp does, without a database, and prints the OpenTelemetry SDK packages then loaded.
// (@opentelemetry/api does not count: prom-client loads it, and it is an interface, not the SDK.)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { loadConfig } = await import('../../dist/src/config/app-config.js');
const { startTracing, stopTracing } = await import('../../dist/src/tracing/tracing.js');
await import('../../dist/src/bootstrap/create-app.js');
if (loadConfig().otlpEndpoint !== undefined) await startTracing();
const names = new Set();
for (const file of Object.keys(require.cache)) {
  const name = /node_modules\/(@opentelemetry\/[^/]+)/.exec(file)?.[1];
  if (name && name !== '@opentelemetry/api') names.add(name);
}
await stopTracing();
console.log(JSON.stringify([...names].sort()));
