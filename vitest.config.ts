import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['shared/runtime/polyfills.ts'],
    // Finds moto_server once per run for the aws-profile suites (skips them, or fails in CI, without it).
    globalSetup: ['test/support/motoGlobalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: two workers keep the embedded databases from starving each other.
    maxWorkers: 2,
  },
});
