import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings. Tests are TypeScript files under src/ (compiled copies in dist/ are
 * never run); each package's vitest.config.ts extends this.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
