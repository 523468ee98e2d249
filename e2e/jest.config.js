/**
 * Browser end-to-end tests: the stock OHIF viewer with our bundles, served by the real viewer server,
 * talking to the real SAM2 service, driven in headless Debian Chromium by playwright-core.
 * `npm test` runs them after the other projects and in band (one browser at a time).
 */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  globalSetup: '<rootDir>/globalSetup.ts',
  globalTeardown: '<rootDir>/globalTeardown.ts',
  // Long per-test time limits (testTimeout itself is global-only in a multi-project config).
  setupFilesAfterEnv: ['<rootDir>/setupTimeouts.ts'],
  slowTestThreshold: 60,
};
