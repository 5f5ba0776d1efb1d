import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tsc also emits compiled tests into dist/; run only the sources.
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
