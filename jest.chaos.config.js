// `npm run test:chaos`: the long reliability cases (test/chaos/), on the same setup as `npm test`
// (jest.config.js: swc transform, one DynamoDB Local per run), ending with the reliability summary line.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/chaos'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Tells test/chaos/ files they run in the chaos suite (they skip themselves under `npm test`).
  globals: { __RELIABILITY_SUITE__: 'chaos' },
  reporters: ['default', ['<rootDir>/test/helpers/reliability/summary-reporter.ts', { suite: 'chaos' }]],
  testTimeout: 300_000,
};
