// Jest in ESM mode (NestJS 12 ships ES modules): `node --experimental-vm-modules`.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'] },
    {
      // The web portal's pure modules (query state, pivot, chart shape), under its own tsconfig.
      ...common,
      displayName: 'web',
      testMatch: ['<rootDir>/web/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'web/tsconfig.json' }] },
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
  ],
  maxWorkers: 2,
  // e2e files boot PostgreSQL-backed apps and real processes on a shared 2-core machine, which
  // other work may load heavily: limits leave room for that (a hung test still fails).
  testTimeout: 300_000,
  // A worker is given 10 s (not 500 ms) to exit once its files are done: after a heavy file (the
  // 24,000-case analytics suite, its jieba dictionary) a worker starved of CPU took longer than
  // 500 ms with only its stdio and IPC pipes open, and was reported as "failed to exit gracefully".
  // A handle left open (a socket, an interval that is not unref'd) still keeps it alive past this.
  workerGracefulExitTimeout: 10_000,
};
