/**
 * The federated subnet end to end (issue 17): `startLocalnet` with the federated plugin — a devnet over
 * WebSocket, real Redis, miners' axons over HTTP behind btauth/1 — with four honest miners, a poisoning,
 * a lazy and a copying miner. Over three rounds the subnet model, rebuilt from chain state and the
 * committed updates, gets better, beats every honest miner trained alone, the adversaries get (near) no
 * incentive, and every miner that rebuilt a round's model got the same bytes as the independent rebuild.
 * Then, on the same localnet, two more validators (fresh plugin instances with empty stores, each on its
 * own chain client and peer fetcher signed by its own registered hotkey) run the real challenge in a
 * round's score phase and rebuild identical bytes: the model the miners started that round from.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { connect, type SubtensorClient, subnetChainView } from '@subnetkit/chain';
import { type FederatedReport, type Localnet, startLocalnet, watchFederatedRounds } from '@subnetkit/cli';
import type { PeerArtifactRequest } from '@subnetkit/core';
import { selectBackend } from '@subnetkit/inference';
import federated, {
  type FederatedMiner,
  type FederatedTruth,
  federatedSubnet,
  genesisModel,
  roundPhase,
  scheduleFor,
  updateHash,
} from '@subnetkit/subnet-federated';
import { btauthSigner, type PeerArtifactsClient, peerArtifacts } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const quiet = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('subnetkit localnet --subnet federated', () => {
  let net: Localnet | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
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

  it('two validators, each with an empty store and its own hotkey, rebuild identical bytes in the challenge', async () => {
    if (!net) throw new Error('the localnet of the first test did not start');
    const localnet = net;
    const { tf } = await selectBackend({ backend: 'wasm', logger: quiet });
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    // The localnet validator's hotkey, and a second hotkey registered now with burned_register.
    const first = keyring.addFromUri('//Alice//validator');
    expect(first.address).toBe(localnet.validatorHotkey);
    const second = keyring.addFromUri('//Federated//validator-2');
    await localnet.client.burnedRegister(keyring.addFromUri('//Ferdie'), localnet.netuid, second.address);
    // Miners admit a registered hotkey once their metagraph (refreshed every 2 s here) lists it.
    const seenBy = Date.now() + 10_000;
    while (!localnet.miners.every((m) => m.metagraph.lookup(second.address))) {
      if (Date.now() > seenBy) throw new Error('the miners never saw the second validator registered');
      await sleep(100);
    }

    const validators = await Promise.all(
      [first, second].map(async (key) => {
        const client: SubtensorClient = await connect(localnet.devnet.url);
        const dir = mkdtempSync(join(tmpdir(), 'subnetkit-federated-validator-'));
        const plugin = federatedSubnet({ validatorDataDir: dir });
        const inner: PeerArtifactsClient = peerArtifacts({
          plugin,
          sign: btauthSigner(key),
          metagraph: () => client.syncMetagraph(localnet.netuid),
        });
        cleanups.push(async () => {
          await inner.close();
          await client.close();
          rmSync(dir, { recursive: true, force: true });
        });
        const fetched: string[] = [];
        const peers = {
          async fetch(req: PeerArtifactRequest) {
            const bytes = await inner.fetch(req);
            fetched.push(req.hash);
            return bytes;
          },
        };
        return { plugin, dir, fetched, chain: subnetChainView(client, localnet.netuid), peers };
      }),
    );
    // Nothing held before: whatever either rebuilds, it fetched itself.
    for (const v of validators) expect(readdirSync(v.dir)).toEqual([]);

    // Wait for a score phase (the commit window of the current round closed), then challenge at once.
    const schedule = scheduleFor(localnet.netuid, await validators[0]!.chain.tempo());
    const scoreBy = Date.now() + 20_000;
    while (roundPhase(schedule, await validators[0]!.chain.block()).phase !== 'score') {
      if (Date.now() > scoreBy) throw new Error('no score phase within 20 s');
      await sleep(100);
    }
    const challenges = await Promise.all(
      validators.map((v, i) =>
        v.plugin.validator.challenge({
          round: 1,
          random: () => 0.5,
          log: quiet.child({ validator: i }),
          chain: v.chain,
          peers: v.peers,
        }),
      ),
    );
    const [a, b] = challenges.map((c) => {
      if (!c) throw new Error('a validator had nothing to challenge in the score phase');
      return c.truth as FederatedTruth;
    });
    expect(b!.round).toBe(a!.round);
    const baseA = Buffer.from(a!.base, 'base64');
    const baseB = Buffer.from(b!.base, 'base64');
    expect(baseA.length).toBeGreaterThan(0);
    expect(baseB.equals(baseA)).toBe(true);
    const hash = updateHash(baseA);
    // Not the initial model: the rounds before aggregated updates the validators had to fetch.
    expect(hash).not.toBe(updateHash(await genesisModel(tf)));
    // The same bytes every honest miner rebuilt for that round from its own store and fetches.
    const minerBases = localnet.miners
      .map((m) => (m.model as FederatedMiner).store.baseOf(a!.round))
      .filter((h): h is string => h !== undefined);
    expect(minerBases.length).toBeGreaterThanOrEqual(4);
    expect(new Set(minerBases)).toEqual(new Set([hash]));
    // Each validator fetched the updates itself, over its own signed peer fetcher, and kept them.
    const [fa, fb] = validators.map((v) => [...new Set(v.fetched)].sort());
    expect(fa!.length).toBeGreaterThan(0);
    expect(fb).toEqual(fa);
    for (const v of validators) expect(readdirSync(v.dir)).toContain(`${hash}.bin`);
  }, 60_000);
});
