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
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forecast, {
  type ForecastModel,
  type ForecastResponse,
  fillGaps,
  generateSeries,
  HISTORY,
  HORIZON,
  type Series,
  scoreForecast,
  seasonalNaive,
  synapses,
} from './index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;

describe('series generator and scoring', () => {
  it('generates reproducible series with gaps in the history and a full future', () => {
    const a = generateSeries(seededRandom(3));
    expect(generateSeries(seededRandom(3))).toEqual(a);
    expect(a.history).toHaveLength(HISTORY);
    expect(a.future).toHaveLength(HORIZON);
    const random = seededRandom(4);
    const many = Array.from({ length: 200 }, () => generateSeries(random));
    const missing = many.flatMap((s) => s.history).filter((v) => v === null).length / (200 * HISTORY);
    expect(missing).toBeGreaterThan(0.03);
    expect(missing).toBeLessThan(0.07);
    expect(many.every((s) => s.future.every(Number.isFinite))).toBe(true);
  });

  it('fills gaps by linear interpolation and repeats the last season', () => {
    expect(fillGaps([null, 1, null, null, 4, null])).toEqual([1, 1, 2, 3, 4, 4]);
    expect(() => fillGaps([null, null])).toThrow(/no known point/);
    const history = Array.from(
      { length: HISTORY },
      (_, t) => (t % 12) + (t === HISTORY - 3 ? Number.NaN : 0),
    );
    history[HISTORY - 3] = null as never;
    expect(seasonalNaive(history)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('scores seasonal naive 0.5, perfect 1, and malformed 0', () => {
    const s = generateSeries(seededRandom(8));
    expect(scoreForecast(s.history, s.future, seasonalNaive(s.history))).toBeCloseTo(0.5);
    expect(scoreForecast(s.history, s.future, s.future)).toBe(1);
    expect(scoreForecast(s.history, s.future, s.future.slice(1))).toBe(0);
    expect(scoreForecast(s.history, s.future, undefined)).toBe(0);
  });
});

describe('Forecast schema', () => {
  const check = TypeCompiler.Compile(synapses.Forecast.request);
  const ok = generateSeries(seededRandom(1)).history;
  it('accepts 96 finite-or-null points with at least one known', () => {
    expect(check.Check({ history: ok })).toBe(true);
  });
  it.each([
    ['a short history', { history: ok.slice(1) }, '/history'],
    [
      'an infinite value (JSON 1e999)',
      JSON.parse(`{"history":[1e999${',1'.repeat(HISTORY - 1)}]}`),
      '/history/0',
    ],
    ['a string value', { history: ['1', ...ok.slice(1)] }, '/history/0'],
    ['an all-null history', { history: new Array(HISTORY).fill(null) }, '/history'],
    ['an extra field', { history: ok, horizon: 3 }, '/horizon'],
  ])('rejects %s, naming the field', (_what, body, field) => {
    expect(check.Check(body)).toBe(false);
    expect(check.Errors(body).First()?.path).toBe(field);
  });
});

describe('forecast subnet', () => {
  let backend: InferenceBackend;
  let dataDir: string;
  let served: ForecastModel;
  let prepared: PreparedPluginMiner<ForecastModel> | undefined;
  const progress: TrainProgress[] = [];

  beforeAll(async () => {
    backend = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
    dataDir = await mkdtemp(path.join(tmpdir(), 'subnetkit-forecast-'));
    // First start of a miner: no model yet, so it is trained (on a subset, in seconds), saved,
    // loaded back from disk, shape-checked, and handed to setup.
    prepared = await setupPluginMiner(forecast, {
      dataDir,
      tf: backend.tf,
      log: silent,
      trainIfMissing: true,
      trainOptions: { subset: 6_000, epochs: 12 },
      onProgress: (p) => progress.push(p),
    });
    served = prepared.pluginModel;
  }, 240_000);

  afterAll(async () => {
    prepared?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports every epoch while training', () => {
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(progress[11]!.loss).toBeLessThan(progress[0]!.loss);
  });

  it('answers batched requests like single ones', async () => {
    const random = seededRandom(77);
    const reqs = [generateSeries(random), generateSeries(random)].map((s) => ({ history: s.history }));
    const batched = await forecast.miner.forwardBatch!.Forecast!(reqs, {
      model: served,
      signal,
      log: silent,
      callers: [],
    });
    const single = await forecast.miner.forward.Forecast(reqs[1]!, {
      model: served,
      signal,
      log: silent,
      caller: { hotkey: 'v' },
    });
    expect(batched).toHaveLength(2);
    expect(batched[1]!.forecast.map((v) => Math.round(v * 1e3))).toEqual(
      single.forecast.map((v) => Math.round(v * 1e3)),
    );
    expect(batched[0]!.forecast).toHaveLength(HORIZON);
  });

  it('ranks trained > seasonal naive > random on fresh series', async () => {
    const baseline = (name: string, s: Series) =>
      Promise.resolve(
        forecast.miner.baselines![name]!.forward.Forecast(
          { history: s.history },
          { model: null, signal, log: silent, caller: { hotkey: 'v' } },
        ),
      );
    const miners: Record<string, (s: Series) => number[] | Promise<number[]>> = {
      trained: async (s) =>
        (
          await forecast.miner.forward.Forecast(
            { history: s.history },
            { model: served, signal, log: silent, caller: { hotkey: 'v' } },
          )
        ).forecast,
      // The plugin's own baseline miners (what localnet runs): seasonal naive, then random.
      naive: async (s) => (await baseline('seasonal-naive', s)).forecast,
      random: async (s) => (await baseline('random', s)).forecast,
    };
    expect(Object.keys(forecast.miner.baselines ?? {})).toEqual(['seasonal-naive', 'random']);
    const names = Object.keys(miners);
    const sums = Object.fromEntries(names.map((n) => [n, 0])) as Record<string, number>;
    const rounds = 150;
    for (let round = 0; round < rounds; round++) {
      const challenge = (await forecast.validator.challenge({
        round,
        random: seededRandom(9_000 + round),
        log: silent,
      }))!;
      const responses: MinerResponse<ForecastResponse>[] = [];
      for (const [uid, name] of names.entries()) {
        responses.push({
          uid,
          hotkey: name,
          outcome: 'ok',
          response: { forecast: await miners[name]!(challenge.truth) },
          latencyMs: 5,
        });
      }
      const scores = await forecast.validator.reward({ ...challenge, responses }, { round, log: silent });
      names.forEach((n, i) => {
        sums[n]! += scores[i]! / rounds;
      });
    }
    console.log(`mean scores over ${rounds} challenges: ${JSON.stringify(sums)}`);
    expect(sums.naive).toBeCloseTo(0.5);
    expect(sums.trained).toBeGreaterThan(sums.naive! + 0.03);
    expect(sums.naive).toBeGreaterThan(sums.random! + 0.1);
  });
});
