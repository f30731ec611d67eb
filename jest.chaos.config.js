import { mkdirSync } from 'node:fs';

// `npm run test:chaos`: the long reliability cases (test/chaos/), on the same DynamoDB Local setup as
// `npm test`, ending with the reliability summary line. jest writes --json results into .local/.
mkdirSync('.local', { recursive: true });

const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/test/chaos'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Tells test/chaos/ files they run in the chaos suite (they skip themselves under `npm test`).
  globals: { __RELIABILITY_SUITE__: 'chaos' },
  reporters: ['default', ['<rootDir>/test/helpers/reliability/summary-reporter.ts', { suite: 'chaos' }]],
  testTimeout: 300_000,
  maxWorkers: 2,
};
