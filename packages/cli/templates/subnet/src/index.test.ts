import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MinerResponse, seededRandom } from '@subnetkit/core';
import { type PreparedPluginMiner, setupPluginMiner } from '@subnetkit/inference';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import subnet, { type ClassifyResponse, labelOf, type ServedModel, synapses } from './index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

describe('the task', () => {
  it('labels points by ring', () => {
    expect([labelOf([0, 0]), labelOf([0.6, 0]), labelOf([0.9, 0.9])]).toEqual([0, 1, 2]);
  });

  it('refuses malformed requests by schema', () => {
    const request = TypeCompiler.Compile(synapses.Classify.request);
    expect(request.Check({ points: [[0.1, -0.5]] })).toBe(true);
    expect(request.Check({ points: [[0.1]] })).toBe(false);
    expect(request.Check({ points: [[2, 0]] })).toBe(false);
    expect(request.Check({ points: [] })).toBe(false);
    expect(request.Check({ points: [[0, 0]], extra: 1 })).toBe(false);
  });
});

describe('a trained miner', () => {
  let dataDir: string;
  let prepared: PreparedPluginMiner<ServedModel> | undefined;
  let epochs: number[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), '{{name}}-test-'));
    // What `subnetkit train` and the miner do: train (here a short run), save, load back, setup.
    prepared = await setupPluginMiner(subnet, {
      dataDir,
      log: silent,
      trainIfMissing: true,
      trainOptions: { subset: 2_000, epochs: 12 },
      onProgress: (p) => {
        epochs = [...epochs, p.epoch];
      },
    });
  }, 120_000);

  afterAll(async () => {
    prepared?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports progress every epoch', () => {
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('answers a batch like single requests', async () => {
    const model = prepared!.pluginModel;
    const reqs = [
      { points: [[0.1, 0.1]] },
      {
        points: [
          [0.95, -0.9],
          [0.6, 0],
        ],
      },
    ];
    const batched = await subnet.miner.forwardBatch!.Classify!(reqs, {
      model,
      signal,
      log: silent,
      callers: [],
    });
    const single = await subnet.miner.forward.Classify(reqs[1]!, {
      model,
      signal,
      log: silent,
      caller: { hotkey: 'v' },
    });
    expect(batched).toHaveLength(2);
    expect(batched[1]).toEqual(single);
  });

  it('is rewarded above the baselines, which rank in their declared order', async () => {
    const answer = {
      trained: (points: number[][]) =>
        subnet.miner.forward.Classify(
          { points },
          { model: prepared!.pluginModel, signal, log: silent, caller: { hotkey: 'v' } },
        ),
      ...Object.fromEntries(
        Object.entries(subnet.miner.baselines!).map(([name, b]) => [
          name,
          (points: number[][]) =>
            b.forward.Classify({ points }, { model: null, signal, log: silent, caller: { hotkey: 'v' } }),
        ]),
      ),
    };
    const names = Object.keys(answer) as (keyof typeof answer)[];
    const mean = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const challenge = (await subnet.validator.challenge({
        round,
        random: seededRandom(round),
        log: silent,
      }))!;
      const responses: MinerResponse<ClassifyResponse>[] = [];
      for (const [uid, name] of names.entries()) {
        const response = await answer[name]!(challenge.request.points);
        responses.push({ uid, hotkey: name, outcome: 'ok', response, latencyMs: 5 });
      }
      const scores = await subnet.validator.reward({ ...challenge, responses }, { round, log: silent });
      names.forEach((n, i) => {
        mean[n]! += scores[i]! / rounds;
      });
    }
    expect(names).toEqual(['trained', 'majority', 'random']);
    expect(mean.trained).toBeGreaterThan(0.9);
    expect(mean.trained).toBeGreaterThan(mean.majority! + 0.2);
    expect(mean.majority).toBeGreaterThan(mean.random! + 0.05);
  });
});
