/** Viewer server tests: unit tests of the pure parts, HTTP tests against the real server and a real SAM2 service. */
module.exports = {
  displayName: 'viewer',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  globalSetup: '<rootDir>/test/globalSetup.ts',
};
