/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  randomize: true,
  testTimeout: 30000,
  collectCoverageFrom: ['lib/**/*.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
