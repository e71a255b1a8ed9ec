import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One peer at a time: each starts processes and binds ports.
    fileParallelism: false,
    setupFiles: ['test/setup/fastCheckSeed.ts'],
  },
});
