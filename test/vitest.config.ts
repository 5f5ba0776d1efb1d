import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests start real servers (devnet, miners, validators, private redis-servers), so
 * files run one at a time to keep ports, CPU and Redis load predictable on a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // The reliability suites have their own config and scripts (npm run test:load|soak|chaos|fuzz).
    exclude: ['**/node_modules/**', '**/dist/**', 'reliability/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
