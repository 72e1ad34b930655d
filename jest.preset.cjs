// Shared Jest settings: TypeScript through SWC (transpile only; `tsc -b` does the type checking),
// and workspace libs resolved to their sources so unit tests need no build.
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@watchkeeper/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    // A package's subpath exports ("./cli" → dist/cli.js) are named after their source files.
    '^@watchkeeper/([a-z0-9-]+)/([a-z0-9-]+)$': path.join(__dirname, 'libs/$1/src/$2.ts'),
  },
  testTimeout: 30000,
  // Suites run by hand reach the test stack (.run/test), never `npm start`'s servers.
  setupFiles: [path.join(__dirname, 'tools/jest-test-env.cjs')],
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.cjs')],
  // Integration suites share one Kafka/Mongo/Prosody: run test files one at a time.
  maxWorkers: 1,
  // A handle a suite forgot to close must not hang CI for its whole time limit; jest still prints
  // the warning, so the leak stays visible.
  forceExit: true,
};
