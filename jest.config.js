/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest transpiles only (isolatedModules); `npm test` type-checks separately with `tsc --noEmit`.
  transform: { "^.+\\.ts$": "ts-jest" },
  randomize: true,
  testTimeout: 30000,
  collectCoverageFrom: ['lib/**/*.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
