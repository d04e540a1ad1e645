import { defineConfig } from 'vitest/config';

// End-to-end tests drive the real tools of the lab (test/lab/). They run one file at a time: they share one Docker
// engine, one registry and two cores, and a build under QEMU is slow enough without competition.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    globalSetup: ['test/e2e/setup/global.ts'],
  },
});
