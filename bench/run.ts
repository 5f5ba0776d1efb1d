/**
 * `npm run bench [-- <filter>]` (or `npx tsx bench/run.ts <filter>`, or BENCH_FILTER=<filter>): runs every
 * discovered `*.bench.ts` one after the other, prints a table and writes bench/results.json. Exits 1 if any
 * bench failed (the others still run) or if the filter matched nothing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverBenches, formatTable, mergeResults, readResults, runAll, writeResults } from './runner.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');
const resultsPath = join(benchDir, 'results.json');
const filter = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? process.env.BENCH_FILTER ?? '';

const benches = discoverBenches(rootDir, filter);
if (benches.length === 0) {
  console.error(
    `No benchmark matched "${filter}". Bench files live in bench/, packages/*/bench/, subnets/*/bench/.`,
  );
  process.exit(1);
}
console.log(`Running ${benches.length} benchmark file(s)${filter ? ` matching "${filter}"` : ''}...`);
const outcomes = await runAll(benches, (o) =>
  console.log(
    `  ${o.error ? 'FAIL' : 'ok  '} ${o.bench.id} (${(o.ms / 1000).toFixed(1)} s)${o.error ? `: ${o.error}` : ''}`,
  ),
);
console.log(`\n${formatTable(outcomes)}\n`);
writeResults(resultsPath, mergeResults(readResults(resultsPath), outcomes, filter !== '', new Date()));
console.log(`Wrote ${resultsPath}`);
const failed = outcomes.filter((o) => o.error !== undefined).length;
if (failed > 0) console.error(`${failed} benchmark file(s) failed.`);
// Exit explicitly: a bench that leaves a handle open must not hang the run.
process.exit(failed > 0 ? 1 : 0);
