import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests start real servers (devnet, miners, validators, private redis-servers), so
 * files run one at a time to keep ports, CPU and Redis load predictable on a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
