import { mkdirSync } from 'node:fs';

// jest writes its --json results here (read by .ci/run); it does not create the folder itself.
mkdirSync('.local', { recursive: true });

/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The long reliability cases run in `npm run test:chaos` (jest.chaos.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  // One DynamoDB Local for the whole run; each test file makes its own table.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Prints the reliability summary line (scenarios, faults, fuzzed requests, items lost/duplicated).
  reporters: ['default', ['<rootDir>/test/helpers/reliability/summary-reporter.ts', { suite: 'npm test' }]],
  testTimeout: 30_000,
  maxWorkers: 2,
};
