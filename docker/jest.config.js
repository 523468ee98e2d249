/** Deployment tests: compose, Dockerfiles, nginx, Orthanc and Prometheus rules, checked with the real tools. */
module.exports = {
  displayName: 'deploy',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};
