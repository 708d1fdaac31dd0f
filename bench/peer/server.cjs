// The peer the benchmark compares the gateway with: PostGraphile 4 with @graphile/pg-aggregates over
// DATABASE_URL's public schema, one process, read-only, configured as PostGraphile's documentation
// recommends for production (no query log, no GraphiQL, no watch mode), with a pool as large as the
// gateway's (20). Prints `port <n>` once its schema is built and it listens.
'use strict';
const http = require('node:http');
const { Pool } = require('pg');
const { postgraphile } = require('postgraphile');
const PgAggregatesPlugin = require('@graphile/pg-aggregates').default;

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const middleware = postgraphile(pool, 'public', {
  appendPlugins: [PgAggregatesPlugin],
  disableQueryLog: true,
  graphiql: false,
  watchPg: false,
  disableDefaultMutations: true,
  setofFunctionsContainNulls: false,
  retryOnInitFail: false,
  extendedErrors: [],
  // case_record is partitioned by month: expose the partitioned table, not each partition.
  graphileBuildOptions: { pgUsePartitionedParent: true },
});
const server = http.createServer(middleware);
// Build the schema before reporting the port, so that no measured request waits for introspection.
middleware
  .getGraphQLSchema()
  .then(() => server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`)))
  .catch((err) => {
    process.stderr.write(`peer: ${err.stack || err}\n`);
    process.exit(1);
  });
const stop = () => server.close(() => pool.end().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
