import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MinerResponse, seededRandom, type TrainProgress } from '@subnetkit/core';
import {
  type InferenceBackend,
  type PreparedPluginMiner,
  selectBackend,
  setupPluginMiner,
} from '@subnetkit/inference';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import vision, {
  accuracyOn,
  type ClassifyResponse,
  lookupAnswers,
  loadDigits,
  randomAnswers,
  type VisionModel,
} from './index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

let backend: InferenceBackend;
let dataDir: string;
let served: VisionModel;
let prepared: PreparedPluginMiner<VisionModel> | undefined;
const progress: TrainProgress[] = [];
let trainedMetrics: Record<string, number>;

beforeAll(async () => {
  backend = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
  dataDir = await mkdtemp(path.join(tmpdir(), 'subnetkit-vision-'));
  // First start of a miner: no model yet, so it is trained (on a subset, in seconds), saved,
  // loaded back from disk, shape-checked, and handed to setup.
  prepared = await setupPluginMiner(vision, {
    dataDir,
    tf: backend.tf,
    log: silent,
    trainIfMissing: true,
    trainOptions: { subset: 4_000, epochs: 8 },
    onProgress: (p) => progress.push(p),
  });
  served = prepared.pluginModel;
  trainedMetrics = prepared.trained!.result.metrics;
}, 240_000);

afterAll(async () => {
  prepared?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

/** Mean reward of each named miner over `rounds` validator challenges. */
async function meanRewards(
  miners: Record<string, (images: number[][]) => number[] | Promise<number[]>>,
  rounds: number,
): Promise<Record<string, number>> {
  const names = Object.keys(miners);
  const sums = Object.fromEntries(names.map((n) => [n, 0]));
  for (let round = 0; round < rounds; round++) {
    const challenge = (await vision.validator.challenge({
      round,
      random: seededRandom(1000 + round),
      log: silent,
    }))!;
    const responses: MinerResponse<ClassifyResponse>[] = [];
    for (const [uid, name] of names.entries()) {
      const digits = await miners[name]!(challenge.request.images);
      responses.push({ uid, hotkey: name, outcome: 'ok', response: { digits }, latencyMs: 20 });
    }
    const scores = await vision.validator.reward({ ...challenge, responses }, { round, log: silent });
    names.forEach((n, i) => {
      sums[n]! += scores[i]!;
    });
  }
  return Object.fromEntries(names.map((n) => [n, sums[n]! / rounds]));
}

describe('vision subnet', () => {
  it('trains with per-epoch progress and saves a model that classifies held-out digits', () => {
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p.epochs === 8 && Number.isFinite(p.loss) && p.accuracy! > 0)).toBe(true);
    expect(progress[7]!.loss).toBeLessThan(progress[0]!.loss);
    expect(progress[7]!.etaMs).toBe(0);
    expect(trainedMetrics.accuracy).toBeGreaterThan(0.92);
    expect(trainedMetrics.distorted_accuracy).toBeGreaterThan(0.85);
    expect(accuracyOn(backend.tf, served.model, loadDigits().heldOut)).toBe(trainedMetrics.accuracy);
  });

  it('answers batched requests through one predict, in order, like single requests', async () => {
    const challenge = (await vision.validator.challenge({ round: 0, random: seededRandom(5), log: silent }))!;
    const reqs = [
      { images: challenge.request.images.slice(0, 3) },
      { images: challenge.request.images.slice(3, 4) },
      { images: challenge.request.images.slice(4) },
    ];
    const ctx = { model: served, signal, log: silent };
    const batched = await vision.miner.forwardBatch!.Classify!(reqs, { ...ctx, callers: [] });
    const single = await Promise.all(
      reqs.map((r) => vision.miner.forward.Classify(r, { ...ctx, caller: { hotkey: 'v' } })),
    );
    expect(batched).toEqual(single);
    expect(batched.map((r) => r.digits.length)).toEqual([3, 1, 12]);
  });

  it('ranks a trained model above a miner that looks images up in the mnist package, and that above random', async () => {
    const model = async (images: number[][]) =>
      (
        await vision.miner.forward.Classify(
          { images },
          { model: served, signal, log: silent, caller: { hotkey: 'v' } },
        )
      ).digits;
    const random = seededRandom(9);
    const rewards = await meanRewards(
      {
        trained: model,
        lookup: (images) => lookupAnswers(backend.tf, images),
        random: (images) => randomAnswers(images, random),
      },
      12,
    );
    console.log(`mean rewards over 12 challenges: ${JSON.stringify(rewards)}`);
    expect(rewards.trained).toBeGreaterThan(rewards.lookup! + 0.03);
    expect(rewards.lookup).toBeGreaterThan(rewards.random! + 0.3);
    // The lookup cheat is exact on undistorted held-out digits: the distortion is what beats it.
    const { heldOut } = loadDigits();
    const plain = Array.from({ length: 20 }, (_, i) =>
      Array.from(heldOut.images.subarray(i * 784, (i + 1) * 784)),
    );
    expect(lookupAnswers(backend.tf, plain)).toEqual(Array.from(heldOut.labels.subarray(0, 20)));
  }, 120_000);
});
