/** Service tests: unit tests in-process, integration tests against the built server (dist/). */
module.exports = {
  displayName: 'sam2-service',
  testEnvironment: '<rootDir>/test/nodeRealmEnvironment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  globalSetup: '<rootDir>/test/globalSetup.ts',
};
