import { defineConfig } from 'vitest/config';

/**
 * The reliability suites (`npm run test:load`, `test:soak`, `test:chaos`, `test:fuzz`): kept out of `npm test`
 * (test/vitest.config.ts excludes this folder) because they hold ports, processes and CPU for
 * minutes. Short by default (CI); `SUBNETKIT_LONG=1` runs the longer local variants. Files run one at
 * a time; each writes its rows to results/<suite>.json for docs/reliability.md.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts'],
    fileParallelism: false,
    // Memory bounds are measured after a forced GC (globalThis.gc).
    execArgv: ['--expose-gc'],
    testTimeout: 15 * 60_000,
    hookTimeout: 180_000,
  },
});
