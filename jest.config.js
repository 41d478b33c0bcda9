/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/log-scan.ts'],
  moduleNameMapper: { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|aedes|@seamapi/(http|webhook|url-search-params-serializer)|svix|@apidevtools/json-schema-ref-parser)/)'],
  testTimeout: 30000,
  // `npm test` runs with --coverage; a single file (`npx jest test/unit/x.test.ts`) is not held to the thresholds.
  coverageProvider: 'v8',
  collectCoverageFrom: ['lib/**/*.ts', 'functions/**/*.ts', 'edge/**/*.ts', '!**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  // Measured 2026-12-04 on the whole suite (bash .ci/run on a fresh clone: 95.27 / 87.63 / 95.14 / 95.27 %), about a point under. Raise it, never lower it.
  coverageThreshold: { global: { statements: 94, branches: 86, functions: 94, lines: 94 } },
};
