/**
 * `miner.vision_http_speedup_64`: btauth/1-signed HTTP requests per second to a vision miner's axon
 * at 64 concurrent callers, with the miner's default micro-batching divided by the same with
 * batching off (`maxBatchSize: 1`), measured in alternating slices of the same run.
 *
 * The miner is what `startMiner` serves: the vision plugin, its model loaded from a data directory
 * by `prepareMinerModel` (backend selection, load, setup, warm-up), `createAxon` with the miner's
 * default policy (32 running, 256 waiting), the inference metrics registered. The model has
 * untrained weights (same shapes and cost as a trained one: this is a timing bench). Each request
 * carries one validator challenge (16 distorted digits, ~75 KB of JSON), signed before the timed
 * loop; the client runs in a worker thread.
 *
 * `npx tsx bench/vision-http.ts` also sweeps several batch settings (requests/s and latency), the
 * measurement behind the default `--max-batch` / `--max-wait-ms` (docs/inference.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { MemoryReplayStore, type RequestSigner, seededRandom, signRequest } from '@subnetkit/core';
import { registerInferenceMetrics, saveModel, selectBackend } from '@subnetkit/inference';
import {
  type BatchOptions,
  createAxon,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_WAIT_MS,
  prepareMinerModel,
  staticMetagraph,
} from '@subnetkit/miner';
import vision, { buildModel, makeChallenge } from '@subnetkit/subnet-vision';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Figure } from './harness.js';
import {
  type ClientResult,
  fastSigner,
  runClient,
  threadCpuSeconds,
  type WireRequest,
} from './http-client.js';

const CALLERS = 64;
/** Rounds and requests per slice of the bench figures. */
const ROUNDS = 7;
const PER_SLICE = 150;
const BODIES = 32;
const silent = pino({ level: 'silent' });

/** One batch setting measured. */
export interface SettingResult {
  label: string;
  batch: Required<Pick<BatchOptions, 'maxBatchSize' | 'maxWaitMs'>>;
  ok: number;
  seconds: number;
  perS: number;
  p50Ms: number;
  p99Ms: number;
  meanBatch: number;
  /** Requests/s of each round's slice, in round order (for per-round ratios). */
  roundPerS: number[];
  /** Requests per CPU second of the miner thread, per round (immune to preemption by other processes). */
  roundPerCpuS: number[];
}

/**
 * Measures each setting over `rounds` alternating slices of `perSlice` requests (after a warm-up
 * slice each), so load changes on the machine hit every setting alike.
 */
export async function measureVisionHttp(
  settings: { label: string; maxBatchSize: number; maxWaitMs: number }[],
  options: { rounds?: number; perSlice?: number; images?: number } = {},
): Promise<{ results: SettingResult[]; backend: string }> {
  const rounds = options.rounds ?? 3;
  const perSlice = options.perSlice ?? 300;
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const minerKey = keyring.addFromUri('//Bob');
  const validators = ['//Alice', '//Charlie', '//Dave', '//Eve'].map((u) => keyring.addFromUri(u));
  const backend = await selectBackend({ logger: silent });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-vision-http-'));
  const untrained = buildModel(backend.tf, 1);
  await saveModel(untrained, path.join(dataDir, 'model'));
  untrained.dispose();
  const prepared = await prepareMinerModel(
    vision,
    { dataDir, log: silent, signal: new AbortController().signal },
    { selected: backend, warmUpRows: 64 * 16 },
  );
  const metagraph = staticMetagraph({
    hotkeys: [minerKey.address, ...validators.map((v) => v.address)],
    stake: [0, 1000, 500, 250, 125],
    validatorPermit: [false, true, true, true, true],
  });
  const bodies = Array.from({ length: BODIES }, (_, i) =>
    JSON.stringify(makeChallenge(seededRandom(100 + i), options.images).request),
  );
  const signers: RequestSigner[] = validators.map(fastSigner);
  const sign = async (count: number): Promise<WireRequest[]> => {
    const out: WireRequest[] = [];
    for (let i = 0; i < count; i++) {
      const body = i % BODIES;
      const headers = await signRequest({
        signer: signers[i % signers.length]!,
        method: 'POST',
        target: '/Classify',
        body: bodies[body]!,
        receiver: minerKey.address,
      });
      out.push({ path: '/Classify', headers: { ...headers, 'content-type': 'application/json' }, body });
    }
    return out;
  };
  const axons = [];
  try {
    for (const s of settings) {
      const registry = new Registry();
      const app = createAxon({
        plugin: vision,
        model: prepared.model,
        hotkey: minerKey,
        netuid: 1,
        metagraph,
        replayStore: new MemoryReplayStore(),
        maxAgeMs: 600_000, // signed before the timed loop
        batch: { maxBatchSize: s.maxBatchSize, maxWaitMs: s.maxWaitMs },
        registry,
        inferenceMetrics: registerInferenceMetrics(registry, { backend: prepared.inference!.backend }),
        logger: silent,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      axons.push({ setting: s, app, port: (app.server.address() as { port: number }).port, registry });
    }
    const client = { concurrency: CALLERS, sockets: CALLERS };
    for (const a of axons) await runClient(a.port, await sign(Math.min(perSlice, 200)), bodies, client);
    const totals = axons.map(() => ({
      ok: 0,
      ms: 0,
      p50: [] as number[],
      p99: [] as number[],
      statuses: {} as Record<string, number>,
    }));
    const roundPerS = axons.map(() => [] as number[]);
    const roundPerCpuS = axons.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      // Reverse the order every other round, so a drift in machine load favours no setting.
      const order = [...axons.entries()];
      if (round % 2 === 1) order.reverse();
      for (const [i, a] of order) {
        const requests = await sign(perSlice);
        const cpu0 = threadCpuSeconds();
        const r: ClientResult = await runClient(a.port, requests, bodies, client);
        const cpu1 = threadCpuSeconds();
        const answered = r.statuses['200'] ?? 0;
        roundPerS[i]!.push(answered / (r.ms / 1000));
        const cpu = cpu0 !== undefined && cpu1 !== undefined && cpu1 > cpu0 ? cpu1 - cpu0 : r.ms / 1000;
        roundPerCpuS[i]!.push(answered / cpu);
        const t = totals[i]!;
        t.ok += r.statuses['200'] ?? 0;
        t.ms += r.ms;
        t.p50.push(r.p50Ms);
        t.p99.push(r.p99Ms);
        for (const [code, n] of Object.entries(r.statuses)) t.statuses[code] = (t.statuses[code] ?? 0) + n;
      }
    }
    const results: SettingResult[] = [];
    for (const [i, a] of axons.entries()) {
      const t = totals[i]!;
      if (t.ok !== rounds * perSlice) {
        throw new Error(
          `${a.setting.label}: expected ${rounds * perSlice} answers with 200, got ${JSON.stringify(t.statuses)}`,
        );
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const metrics = await a.registry.getSingleMetric('subnetkit_inference_batch_size')!.get();
      const sum =
        metrics.values.find(
          (v) => (v as { metricName?: string }).metricName === 'subnetkit_inference_batch_size_sum',
        )?.value ?? 0;
      const count =
        metrics.values.find(
          (v) => (v as { metricName?: string }).metricName === 'subnetkit_inference_batch_size_count',
        )?.value ?? 1;
      results.push({
        label: a.setting.label,
        batch: { maxBatchSize: a.setting.maxBatchSize, maxWaitMs: a.setting.maxWaitMs },
        ok: t.ok,
        seconds: t.ms / 1000,
        perS: t.ok / (t.ms / 1000),
        p50Ms: median(t.p50),
        p99Ms: median(t.p99),
        meanBatch: sum / count,
        roundPerS: roundPerS[i]!,
        roundPerCpuS: roundPerCpuS[i]!,
      });
    }
    return { results, backend: `${backend.backend}/${backend.device}` };
  } finally {
    await Promise.all(axons.map((a) => a.app.close()));
    prepared.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const fmt = (r: SettingResult) =>
  `${r.label}: ${r.perS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, mean batch ${r.meanBatch.toFixed(1)} requests`;

/**
 * The bench figures: default batching over batching off, at 64 concurrent callers, for requests of
 * one validator challenge (16 images, `miner.vision_http_speedup_64`) and of one image
 * (`miner.vision_http_speedup_64_single`, where the predict is most of a request's cost).
 */
export async function visionHttpSpeedup(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [name, images] of [
    ['miner.vision_http_speedup_64', 16],
    ['miner.vision_http_speedup_64_single', 1],
  ] as const) {
    const load = loadavg()[0]!.toFixed(1);
    const { results, backend } = await measureVisionHttp(
      [
        {
          label: `default (max batch ${DEFAULT_MAX_BATCH}, max wait ${DEFAULT_MAX_WAIT_MS} ms)`,
          maxBatchSize: DEFAULT_MAX_BATCH,
          maxWaitMs: DEFAULT_MAX_WAIT_MS,
        },
        { label: 'batching off (max batch 1)', maxBatchSize: 1, maxWaitMs: 0 },
      ],
      { images, rounds: ROUNDS, perSlice: PER_SLICE },
    );
    const [on, off] = results as [SettingResult, SettingResult];
    const medianRatio = (a: number[], b: number[]) => {
      const ratios = a.map((x, r) => x / b[r]!).sort((x, y) => x - y);
      return { ratios, median: ratios[Math.floor(ratios.length / 2)]! };
    };
    const cpu = medianRatio(on.roundPerCpuS, off.roundPerCpuS);
    const wall = medianRatio(on.roundPerS, off.roundPerS);
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    figures.push({
      name,
      value: Math.round(cpu.median * 100) / 100,
      unit: 'ratio',
      note: `btauth/1-signed Classify requests of ${images === 1 ? 'one distorted digit' : `${images} distorted digits (one validator challenge, ~75 KB JSON)`} over keep-alive HTTP to a vision miner axon (createAxon + prepareMinerModel: untrained 784-256-128-10 MLP, ${backend}), ${CALLERS} concurrent callers in a worker thread, default policy (32 running); figure = median over ${ROUNDS} rounds (adjacent ${PER_SLICE}-request slices, order alternating) of the ratio of requests per CPU second of the miner thread (/proc; what an unshared core would serve: ${sum(on.roundPerCpuS).toFixed(0)} vs ${sum(off.roundPerCpuS).toFixed(0)} req/s on average; per-round ratios ${cpu.ratios.map((x) => x.toFixed(2)).join(', ')}); over wall time on this shared machine the median ratio was ${wall.median.toFixed(2)} (${wall.ratios.map((x) => x.toFixed(2)).join(', ')}), totals ${fmt(on)} / ${fmt(off)}; target >= 3; 1-min load average ${load} at start on 2 shared cores`,
    });
  }
  return figures;
}

// npx tsx bench/vision-http.ts [images per request] [maxBatch/maxWaitMs ...], e.g. `16 1/0 32/2 32/5`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [images = '16', ...rest] = process.argv.slice(2);
  const pairs = rest.length > 0 ? rest : ['1/0', '8/0', '16/2', '32/0', '32/2', '32/5', '64/2'];
  const settings = pairs.map((p) => {
    const [maxBatchSize, maxWaitMs] = p.split('/').map(Number) as [number, number];
    return { label: `max batch ${maxBatchSize}, max wait ${maxWaitMs} ms`, maxBatchSize, maxWaitMs };
  });
  const loads = () =>
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`;
  console.log(loads());
  const { results, backend } = await measureVisionHttp(settings, {
    rounds: 3,
    perSlice: 200,
    images: Number(images),
  });
  console.log(`backend ${backend}; ${images} images per request; ${CALLERS} callers`);
  for (const r of results) console.log(fmt(r));
  console.log(loads());
  process.exit(0);
}
