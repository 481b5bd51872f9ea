/**
 * `npm run test:examples`: runs each client example (relay, apollo, urql) against a Rapport server
 * started for it. Not part of `npm test`: the examples have their own dependencies, installed
 * from their own lockfiles (`npm ci --prefix examples/<name>`).
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  roots: ['<rootDir>/examples'],
  testMatch: ['<rootDir>/examples/clients.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/examples/[^/]+/node_modules'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 180000,
};
