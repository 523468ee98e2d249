/** Extension unit tests: pure logic and a real local HTTP server, no browser. */
module.exports = {
  displayName: 'extension',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};
