import { defineConfig } from 'vitest/config';

// Unit tests: hermetic (no network, no daemon, no real clock) and fast.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
  },
});
