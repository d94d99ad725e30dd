/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Integration tests share one Temporal dev server per file and take seconds each.
  testTimeout: 60000,
  // A handle left open by a test must never hang CI; Jest still reports that it had to force the exit.
  forceExit: true,
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts', '<rootDir>/test/support/closed-channel-calls.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
