/**
 * The federated subnet end to end (issue 17): `startLocalnet` with the federated plugin — a devnet over
 * WebSocket, real Redis, miners' axons over HTTP behind btauth/1 — with four honest miners, a poisoning,
 * a lazy and a copying miner. Over three rounds the subnet model, rebuilt from chain state and the
 * committed updates, gets better, beats every honest miner trained alone, the adversaries get (near) no
 * incentive, and every miner that rebuilt a round's model got the same bytes as the independent rebuild.
 */
import { type FederatedReport, type Localnet, startLocalnet, watchFederatedRounds } from '@subnetkit/cli';
import { selectBackend } from '@subnetkit/inference';
import federated, { type FederatedMiner } from '@subnetkit/subnet-federated';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const quiet = pino({ level: 'silent' });

describe('subnetkit localnet --subnet federated', () => {
  let net: Localnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('learns together across rounds, beats local-only training, and gives the adversaries nothing', async () => {
    const { tf } = await selectBackend({ backend: 'wasm', logger: quiet });
    net = await startLocalnet({ plugin: federated, port: 0, logger: quiet });
    const report: FederatedReport = await watchFederatedRounds(net, tf, { rounds: 3, timeoutMs: 150_000 });
    const roles = (await net.snapshot()).neurons.map((n) => n.role);
    expect(roles).toEqual([
      'validator',
      ...Array.from({ length: 4 }, () => 'miner (honest)'),
      'miner (poison)',
      'miner (lazy)',
      'miner (copy)',
    ]);

    const acc = report.rounds.map((r) => r.accuracy);
    // Rises across rounds (from the initial model, and from the first round to the last).
    expect(acc[0]!).toBeGreaterThan(report.initialAccuracy + 0.1);
    expect(acc[2]!).toBeGreaterThan(acc[0]!);
    // Better than the best honest miner training alone on its shard for the same rounds.
    expect(acc[2]!).toBeGreaterThan(report.bestLocalOnly);
    for (const row of report.rounds) {
      // The copier's commitment is the same hash as an honest one, in a later block: not accepted.
      expect(row.accepted).toBeLessThan(row.committed.length);
      for (const [name, share] of Object.entries(row.incentive))
        if (!name.startsWith('honest')) expect(share, `${name} in round ${row.round}`).toBeLessThan(0.02);
    }
    expect(
      Object.keys(report.adversaries)
        .map((n) => n.split(' ')[0])
        .sort(),
    ).toEqual(['copy', 'lazy', 'poison']);

    // Every node that rebuilt a round's model (each miner, from its own store and its own fetches) holds
    // exactly the bytes the independent rebuild made; at least the four honest miners did for rounds 1-2.
    for (const row of report.rounds.slice(0, 2)) {
      const hashes = net.miners
        .map((m) => (m.model as FederatedMiner).store.baseOf(row.round + 1))
        .filter((h): h is string => h !== undefined);
      expect(hashes.length).toBeGreaterThanOrEqual(4);
      expect(new Set(hashes)).toEqual(new Set([row.modelHash]));
    }
  }, 240_000);
});
