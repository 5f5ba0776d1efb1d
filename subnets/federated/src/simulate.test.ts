import { type InferenceBackend, selectBackend } from '@subnetkit/inference';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SimulationReport, simulateRounds } from './simulate.js';

let backend: InferenceBackend;
let run: SimulationReport;

beforeAll(async () => {
  backend = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
  run = await simulateRounds(backend.tf, {
    roles: ['honest', 'honest', 'honest', 'honest', 'poison', 'random', 'lazy', 'copy'],
    rounds: 4,
    shard: { size: 400, skew: 0.85, seed: 5 },
  });
}, 300_000);

describe('a federated run with poisoning, random, lazy and copying miners', () => {
  const adversaries = () => run.hotkeys.filter((_, i) => run.roles[i] !== 'honest');
  const honest = () => run.hotkeys.filter((_, i) => run.roles[i] === 'honest');

  it("raises the subnet model's held-out accuracy above every honest miner's local-only model", () => {
    const acc = run.rounds.map((r) => r.accuracy);
    expect(acc[0]!).toBeGreaterThan(run.initialAccuracy + 0.3);
    expect(acc.at(-1)!).toBeGreaterThan(acc[0]!);
    const bestLocal = Math.max(...Object.values(run.localOnly));
    expect(Object.keys(run.localOnly)).toHaveLength(4);
    expect(acc.at(-1)!).toBeGreaterThan(bestLocal + 0.02);
  });

  it('gives the adversaries (near-)zero weight every round, and the honest miners the rest', () => {
    for (const r of run.rounds) {
      for (const hk of adversaries()) expect(r.weights[hk], `${hk} round ${r.round}`).toBeLessThan(0.01);
      expect(honest().reduce((s, hk) => s + r.weights[hk]!, 0)).toBeGreaterThan(0.97);
    }
  });

  it('says why each adversary earned nothing', () => {
    const v = run.rounds[0]!.verdicts;
    expect(v['04-poison']).toBe('no_improvement');
    expect(v['05-random']).toBe('no_improvement');
    expect(v['06-lazy']).toBe('no_improvement');
    expect(v['07-copy']).toBe('copy');
    for (const hk of honest()) expect(v[hk]).toBe('improves');
  });
});
