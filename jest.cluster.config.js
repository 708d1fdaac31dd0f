// The cluster suite: a streaming standby, Redis and two gateway processes, set up by .ci/cluster.sh
// (`npm run test:cluster`). Not part of `npm test`: it needs root and the machine's PostgreSQL 15.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  maxWorkers: 1,
  testTimeout: 120_000,
};
