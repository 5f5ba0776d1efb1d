/**
 * Inference throughput with and without dynamic micro-batching: a 64-256-256-10 MLP on the wasm
 * backend, driven by N closed-loop clients (each sends a request, awaits the answer, repeats).
 * "Unbatched" runs predict once per request; "batched" sends the same requests through a
 * MicroBatcher, so requests that arrive while a batch runs share the next predict call.
 */
import { MicroBatcher, selectBackend, type Tf, tensorBatchRunner } from '@subnetkit/inference';
import { buildModel as visionModel, PIXELS } from '@subnetkit/subnet-vision';
import { pino } from 'pino';
import type { Figure } from './harness.js';

const CONCURRENCY = [1, 8, 64, 256] as const;
// Unbatched and batched slices alternate, and each side reports its median slice, so a burst of
// load from other processes on the machine hits both sides alike instead of skewing the ratio.
const ROUNDS = 5;
const SLICE_MS = 300;
const BATCHER = { maxBatchSize: 256, maxWaitMs: 0, maxQueue: 10_000 } as const;

function mlp(tf: Tf) {
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [64], units: 256, activation: 'relu', kernelInitializer: seeded(1) }),
      tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: seeded(2) }),
      tf.layers.dense({ units: 10, kernelInitializer: seeded(3) }),
    ],
  });
}

function randomRow(seed: number): Float32Array {
  return Float32Array.from({ length: 64 }, (_, i) => Math.sin(seed * 131 + i));
}

/** Requests per second achieved by `clients` closed-loop clients over `ms` milliseconds. */
async function closedLoop(
  clients: number,
  ms: number,
  call: (row: Float32Array) => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const row = randomRow(c);
      while (performance.now() < end) {
        await call(row);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Run = (rows: Float32Array[]) => Promise<Float32Array[]>;

/** One measurement slice through a fresh MicroBatcher; also returns its mean batch size. */
async function batchedSlice(run: Run, clients: number, ms: number, maxWaitMs: number) {
  const batcher = new MicroBatcher({ ...BATCHER, maxWaitMs, run });
  const rps = await closedLoop(clients, ms, (row) => batcher.submit(row));
  await batcher.close();
  return { rps, meanBatch: batcher.stats().meanBatchSize };
}

/** Median requests/s of unbatched and batched slices, interleaved. */
async function compare(run: Run, clients: number, maxWaitMs: number = BATCHER.maxWaitMs) {
  const unbatched: number[] = [];
  const batched: number[] = [];
  const batchSizes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    unbatched.push(await closedLoop(clients, SLICE_MS, (row) => run([row])));
    const slice = await batchedSlice(run, clients, SLICE_MS, maxWaitMs);
    batched.push(slice.rps);
    batchSizes.push(slice.meanBatch);
  }
  return { unbatched: median(unbatched), batched: median(batched), meanBatch: median(batchSizes) };
}

/**
 * `inference.batcher_efficiency_64`: requests/s through the MicroBatcher at 64 closed-loop callers on
 * the vision subnet's model (784-256-128-10 MLP, one digit per request), divided by the bound
 * 64 / (time of one 64-row predict through the same runner, back to back). Each round measures a
 * batcher slice between two predict slices and takes the ratio; the figure is the
 * median ratio, so load from other processes shifts both sides of a round alike. Both sides are
 * means over their slice (GC and scheduling included on each side).
 */
const EFFICIENCY_ROUNDS = 31;
const EFFICIENCY_SLICE_MS = 100;

async function batcherEfficiency(tf: Tf): Promise<Figure> {
  const model = visionModel(tf);
  const run = tensorBatchRunner(model, { tf });
  const rows = Array.from({ length: 64 }, (_, r) =>
    Float32Array.from({ length: PIXELS }, (_, i) => (Math.sin(r * 31 + i) + 1) / 2),
  );
  for (let i = 0; i < 20; i++) await run(rows);
  const ratios: number[] = [];
  const predictMs: number[] = [];
  const throughput: number[] = [];
  const batches: number[] = [];
  /** Mean time of one 64-row predict, back to back, over one slice. */
  const predictSlice = async () => {
    let predicts = 0;
    const begin = performance.now();
    while (performance.now() < begin + EFFICIENCY_SLICE_MS) {
      await run(rows);
      predicts++;
    }
    return (performance.now() - begin) / predicts;
  };
  for (let round = 0; round < EFFICIENCY_ROUNDS; round++) {
    const before = await predictSlice();
    const batcher = new MicroBatcher({ maxBatchSize: 64, maxWaitMs: 0, maxQueue: 1_000, run });
    let done = 0;
    const start = performance.now();
    const stop = start + EFFICIENCY_SLICE_MS;
    await Promise.all(
      rows.map(async (row) => {
        while (performance.now() < stop) {
          await batcher.submit(row);
          done++;
        }
      }),
    );
    const rps = done / ((performance.now() - start) / 1000);
    await batcher.close();
    // Predict slices before and after the batcher slice, so a load change within the round cancels.
    const t64 = (before + (await predictSlice())) / 2;
    predictMs.push(t64);
    throughput.push(rps);
    batches.push(batcher.stats().meanBatchSize);
    ratios.push(rps / (64 / (t64 / 1000)));
  }
  model.dispose();
  const t64 = median(predictMs);
  return {
    name: 'inference.batcher_efficiency_64',
    value: Number(median(ratios).toFixed(3)),
    unit: 'ratio',
    note:
      `median over ${EFFICIENCY_ROUNDS} rounds of (req/s through MicroBatcher(maxBatchSize 64, maxWaitMs 0) at 64 closed-loop callers) / ` +
      `(64 / mean 64-row predict time), the predict time the mean of two ${EFFICIENCY_SLICE_MS} ms slices around the ${EFFICIENCY_SLICE_MS} ms batcher slice of the same round; medians: ` +
      `${Math.round(median(throughput))} req/s, mean batch ${median(batches).toFixed(1)}, predict ${t64.toFixed(2)} ms ` +
      `(bound ${Math.round(64 / (t64 / 1000))} req/s); vision 784-256-128-10 MLP; target >= 0.9`,
  };
}

export default async function inferenceBench(): Promise<Figure[]> {
  const selected = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
  const { tf } = selected;
  const model = mlp(tf);
  const run = tensorBatchRunner(model, { tf });
  const backendNote = `${selected.backend} backend (${selected.device}), 64-256-256-10 MLP`;

  // Warm both paths (kernel set-up, weight upload, JIT) before timing anything.
  for (const size of [1, 8, 64, 256]) {
    await run(Array.from({ length: size }, (_, i) => randomRow(i)));
  }
  await compare(run, 64);
  const tensorsBefore = tf.memory().numTensors;

  const figures: Figure[] = [];
  const method = `median of ${ROUNDS} interleaved ${SLICE_MS} ms slices`;
  const results = new Map<number, Awaited<ReturnType<typeof compare>>>();
  for (const clients of CONCURRENCY) results.set(clients, await compare(run, clients));
  for (const clients of CONCURRENCY) {
    figures.push({
      name: `inference.throughput_unbatched_${clients}`,
      value: Math.round(results.get(clients)!.unbatched),
      unit: 'requests/s',
      note: `${clients} concurrent clients, one predict per request; ${method}; ${backendNote}`,
    });
  }
  for (const clients of CONCURRENCY) {
    const r = results.get(clients)!;
    figures.push({
      name: `inference.throughput_batched_${clients}`,
      value: Math.round(r.batched),
      unit: 'requests/s',
      note:
        `${clients} concurrent clients through MicroBatcher(maxBatchSize ${BATCHER.maxBatchSize}, ` +
        `maxWaitMs ${BATCHER.maxWaitMs}); mean batch ${r.meanBatch.toFixed(1)}; ${method}; ${backendNote}`,
    });
  }

  const { unbatched: u64, batched: b64 } = results.get(64)!;
  figures.push({
    name: 'inference.batching_speedup_64',
    value: Number((b64 / u64).toFixed(2)),
    unit: 'x',
    note:
      `inference.throughput_batched_64 (${Math.round(b64)} req/s) / inference.throughput_unbatched_64 ` +
      `(${Math.round(u64)} req/s), same run, ${method}; target >= 10`,
  });

  // The cost of holding a batch open: with maxWaitMs > 0 every non-full batch waits the full
  // delay, which closed-loop clients feel directly.
  const held: number[] = [];
  for (let round = 0; round < ROUNDS; round++) held.push((await batchedSlice(run, 64, SLICE_MS, 2)).rps);
  figures.push({
    name: 'inference.throughput_batched_64_maxwait2ms',
    value: Math.round(median(held)),
    unit: 'requests/s',
    note: `as inference.throughput_batched_64 but maxWaitMs 2 (every batch of 64 < 256 waits 2 ms); ${method}`,
  });

  figures.push(await batcherEfficiency(tf));

  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`inference bench leaked ${leaked} tensors`);
  model.dispose();
  return figures;
}

// Run directly (`npx tsx bench/inference.bench.ts`) to print the figures.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await inferenceBench()) {
    console.log(`${f.name} = ${f.value} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
  }
}
