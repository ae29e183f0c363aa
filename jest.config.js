/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest transpiles only (isolatedModules); `npm test` type-checks separately with `tsc --noEmit`.
  // @middy/* and aedes (the tests' MQTT broker) are ESM-only: transpile them to CommonJS too (jest on Node 20 cannot require ESM).
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/|aedes/)'],
  randomize: true,
  testTimeout: 30000,
  collectCoverageFrom: ['lib/**/*.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
