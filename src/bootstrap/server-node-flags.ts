/**
 * Node flags the gateway server runs with (`npm start`; the benchmarks start it the same way).
 *
 * `--max-semi-space-size=64`: V8's young generation grows to 64 MB semi-spaces (default 16 MB).
 * Every request allocates short-lived objects (request, plan lookups, result rows, JSON text); with
 * larger semi-spaces fewer of them survive into the old generation and scavenges run less often.
 * Measured with `npm run bench:query -- --small`, four runs alternating with and without it: the
 * aggregate mix +9% throughput (median 1,182 against 1,086 requests/s). 128 MB was worse (three
 * alternating pairs: lower throughput, p95 up by 8 ms: longer scavenges). It costs up to ~200 MB
 * more heap at peak.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
