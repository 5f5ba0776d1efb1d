/**
 * One federated round with 8 miners on the production path, timed by part:
 *
 * - commit: each miner commits its update's sha256 as its plugin does (`minerChainAccess(...).commit`,
 *   i.e. `Commitments.set_commitment` through the chain client over WebSocket, one client per miner, the
 *   8 at once, until in block) on a devnet with instant blocks;
 * - fetch: the validator reads the subnet's commitments (`subnetChainView(...).commitments`, what
 *   `roundCommitments` reads) and asks the 8 miners for their `Update` as its round does: one dendrite
 *   query with `synapseQueryOptions` for the synapse and the committed hashes, signed with btauth/1 by a
 *   registered validator hotkey; each miner is what `startMiner` runs (axon, btauth/1 verification,
 *   `access: 'registered'` against its metagraph, the federated plugin's `Update` forward serving from its
 *   update store), the answer read under the 512 KiB cap and accepted only with the committed sha256;
 * - evaluate: `scoreUpdates` on the validator's held-out digits (commitment rules, format, shape, loss
 *   decrease of each merged model);
 * - aggregate: the next subnet model as `aggregateRound` makes it (accepted updates, `aggregateUpdates`
 *   into canonical bytes, stored with its hash), weighted by this validator's normalised scores standing
 *   in for the chain's incentive (no Yuma epoch in the timed round).
 *
 * The miners' updates are trained before timing (local training is the miners' work between rounds) and
 * handed to each miner's plugin setup instead of its round loop; every timed round repeats the same round
 * (same base, same 8 updates, fresh commitments, a new round number in the request).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, minerChainAccess, subnetChainView } from '@subnetkit/chain';
import { startDevnet } from '@subnetkit/devnet';
import { selectBackend } from '@subnetkit/inference';
import { type RunningMiner, startMiner, subtensorMinerChain } from '@subnetkit/miner';
import {
  aggregateUpdates,
  type FederatedMiner,
  federatedSubnet,
  genesisModel,
  heldOutPart,
  judgeCommitments,
  MAX_UPDATE_BYTES,
  MemoryUpdateStore,
  shardOf,
  scoresToWeights,
  scoreUpdates,
  trainLocal,
  decodeWeights,
  encodeWeights,
  updateHash,
} from '@subnetkit/subnet-federated';
import { btauthSigner, Dendrite, synapseQueryOptions } from '@subnetkit/validator';
import { pino } from 'pino';
import type { Figure } from '../../../bench/harness.js';

const MINERS = 8;
const NETUID = 1;
const ROUNDS = 10;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export default async function federatedRoundBench(): Promise<Figure[]> {
  const load0 = loadavg()[0]!;
  await cryptoWaitReady();
  const silent = pino({ level: 'silent' });
  const { tf } = await selectBackend({ backend: 'wasm', logger: silent });
  const plugin = federatedSubnet();
  const validatorDigits = heldOutPart(0);
  const baseBytes = await genesisModel(tf);
  const base = decodeWeights(baseBytes);
  const updates: Uint8Array[] = [];
  // Miner i is uid i + 1 (the validator is uid 0): its shard and seed as the plugin's miner takes them.
  for (let i = 0; i < MINERS; i++)
    updates.push(encodeWeights(await trainLocal(tf, base, shardOf(i + 1), { seed: i + 1 })));

  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const minerKeys = updates.map((_, i) => kr.addFromUri(`//Fed//bench${i}`));
  const validatorKey = kr.addFromUri('//Fed//bench-validator');
  const devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    verifyThreads: 0,
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: '//Alice',
          hyperparameters: { tempo: 360 },
          neurons: [
            { hotkey: validatorKey.address, coldkey: '//Alice', stake: 1000 },
            ...minerKeys.map((m) => ({ hotkey: m.address, coldkey: '//Bob' })),
          ],
        },
      ],
    },
  });
  const scratch = mkdtempSync(join(tmpdir(), 'subnetkit-federated-bench-'));
  const clients = await Promise.all(minerKeys.map(() => connect(devnet.url, { waitFor: 'inBlock' })));
  const validatorClient = await connect(devnet.url);
  const miners: RunningMiner[] = [];
  const dendrite = new Dendrite({ sign: btauthSigner(validatorKey) });
  const parts = {
    commit: [] as number[],
    fetch: [] as number[],
    evaluate: [] as number[],
    aggregate: [] as number[],
  };
  let modelHash = '';
  let cappedBytes = 0;
  try {
    // Each miner as `startMiner` runs it, its plugin's setup handing over the pre-trained update for every
    // round the bench asks (instead of the round loop that trains one per round).
    for (const [i, hotkey] of minerKeys.entries()) {
      const store = new MemoryUpdateStore();
      const hash = store.put(updates[i]!);
      const state: FederatedMiner = {
        role: 'honest',
        store,
        served: new Map(Array.from({ length: ROUNDS + 1 }, (_, r) => [r, hash])),
        done: Promise.resolve(),
      };
      miners.push(
        await startMiner({
          plugin: { ...plugin, miner: { ...plugin.miner, setup: () => state } },
          hotkey,
          netuid: NETUID,
          chain: subtensorMinerChain(clients[i]!, hotkey),
          port: 0,
          host: '127.0.0.1',
          externalIp: '127.0.0.1',
          dataDir: join(scratch, `miner-${i}`),
          metagraphRefreshMs: 60_000,
          logger: silent,
        }),
      );
    }
    const minerChains = minerKeys.map((k, i) => minerChainAccess(clients[i]!, NETUID, k));
    const view = subnetChainView(validatorClient, NETUID);
    // The validator's targets: the miners' axons from the metagraph, as its subnet state cache reads them.
    const metagraph = await validatorClient.syncMetagraph(NETUID);
    const targets = minerKeys.map((k) => {
      const uid = metagraph.hotkeys.indexOf(k.address);
      const axon = metagraph.axons[uid]!;
      if (!(axon.port > 0)) throw new Error(`miner ${k.address} has not announced its axon`);
      return { uid, hotkey: k.address, ip: axon.ip, port: axon.port };
    });

    for (let r = 0; r <= ROUNDS; r++) {
      const startBlock = (await validatorClient.block()).number + 1;
      const t0 = performance.now();
      // Commit: every miner commits its update hash (its own chain client, all at once).
      await Promise.all(minerChains.map((c, i) => c.commit(Buffer.from(updateHash(updates[i]!), 'hex'))));
      const t1 = performance.now();
      // Fetch: the round's commitments, then one dendrite query for the committed updates (btauth/1).
      const deadlineBlock = await view.block();
      const commitments = (await view.commitments({ block: deadlineBlock }))
        .filter((c) => c.data.length === 32)
        .map((c) => ({ hotkey: c.hotkey, block: c.block, hash: Buffer.from(c.data).toString('hex') }));
      if (commitments.length !== MINERS || commitments.some((c) => c.block < startBlock))
        throw new Error(`round ${r}: expected ${MINERS} commitments from block ${startBlock} on`);
      const window = { startBlock, deadlineBlock };
      const judged = judgeCommitments(commitments, window);
      const artifacts = Object.fromEntries(commitments.map((c) => [c.hotkey, c.hash]));
      const options = synapseQueryOptions(plugin, 'Update', { timeoutMs: 10_000 }, artifacts);
      cappedBytes = options.artifact?.definition.maxBytes ?? 0;
      const answers = await dendrite.query<Uint8Array>(targets, 'Update', { round: r }, options);
      const fetched = new Map<string, Uint8Array>();
      for (const a of answers) {
        if (a.outcome !== 'ok' || !(a.response instanceof Uint8Array))
          throw new Error(
            `round ${r}: ${a.hotkey} answered ${a.outcome} (${a.artifact?.rejection ?? a.kind ?? ''} ${a.error ?? ''})`,
          );
        fetched.set(a.hotkey, a.response);
      }
      const t2 = performance.now();
      // Evaluate: commitment rules, format and shape, loss decrease of each merged update.
      const scores = scoreUpdates({
        base,
        heldOut: validatorDigits,
        commitments,
        round: window,
        updates: fetched,
        maxBytes: MAX_UPDATE_BYTES,
      });
      const bad = scores.filter((s) => s.verdict !== 'improves');
      if (bad.length > 0) throw new Error(`round ${r}: honest updates not improving: ${JSON.stringify(bad)}`);
      const t3 = performance.now();
      // Aggregate: the accepted updates into the next subnet model's canonical bytes, kept by hash.
      const weights = scoresToWeights(scores);
      const accepted = commitments.filter((c) => judged.get(c.hotkey)?.status === 'accepted');
      const store = new MemoryUpdateStore();
      for (const bytes of fetched.values()) store.put(bytes);
      const next = aggregateUpdates(
        baseBytes,
        accepted.map((c) => ({
          hotkey: c.hotkey,
          weight: weights.get(c.hotkey)!,
          update: store.get(c.hash)!,
        })),
      );
      const hash = store.put(next);
      store.setBase(r + 1, hash);
      const t4 = performance.now();
      if (accepted.length !== MINERS) throw new Error(`round ${r}: ${accepted.length} of ${MINERS} accepted`);
      if (modelHash !== '' && hash !== modelHash)
        throw new Error('the same round aggregated different bytes');
      modelHash = hash;
      if (r === 0) continue; // warm-up
      parts.commit.push(t1 - t0);
      parts.fetch.push(t2 - t1);
      parts.evaluate.push(t3 - t2);
      parts.aggregate.push(t4 - t3);
    }
  } finally {
    await dendrite.close();
    for (const m of miners) await m.stop();
    await Promise.all([...clients, validatorClient].map((c) => c.close()));
    await devnet.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const totals = parts.commit.map((_, i) =>
    [parts.commit, parts.fetch, parts.evaluate, parts.aggregate].reduce((a, p) => a + p[i]!, 0),
  );
  const load = `load average ${load0.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (2 shared cores)`;
  const what = `mean of ${ROUNDS} rounds after 1 warm-up, ${MINERS} honest miners run by startMiner (the plugin's non-IID shards of uids 1-8, ${shardOf(1).count} digits each, 1 local epoch from its initial model, ${(updates[0]!.length / 1024).toFixed(0)} KiB updates, trained before timing), 1 validator scoring on ${validatorDigits.count} held-out digits; each timed round repeats the same round (same base and 8 updates, fresh commitments; no set_weights/Yuma: aggregation weights are the validator's scores); ${load}`;
  const ms = (name: string, xs: number[], note: string): Figure => ({
    name,
    value: Number(mean(xs).toFixed(1)),
    unit: 'ms',
    note: `${note}; min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}`,
  });
  return [
    ms(
      'federated.round_ms_8',
      totals,
      `commit + fetch + evaluate + aggregate; ${what}; devnet with instant blocks (a real chain adds block time to the commit)`,
    ),
    ms(
      'federated.round_commit_ms_8',
      parts.commit,
      "8 miners' minerChainAccess.commit (set_commitment of the 32-byte sha256) submitted at once, each over its own WebSocket chain client, until in block (devnet, instant blocks)",
    ),
    ms(
      'federated.round_fetch_ms_8',
      parts.fetch,
      `validator reads the subnet's commitments over WebSocket, then one Dendrite query of Update to the 8 startMiner axons on 127.0.0.1 with synapseQueryOptions (btauth/1 signed by a registered validator hotkey, miners verify it and check 'registered' access), each answer streamed under the ${(cappedBytes / 1024).toFixed(0)} KiB cap and checked against its committed sha256`,
    ),
    ms(
      'federated.round_evaluate_ms_8',
      parts.evaluate,
      `scoreUpdates: commitment rules, sha256, decode, shape, held-out loss of the base and of the 8 merged models on ${validatorDigits.count} digits (pure JS forward pass)`,
    ),
    ms(
      'federated.round_aggregate_ms_8',
      parts.aggregate,
      "accepted updates (judgeCommitments) aggregated by aggregateUpdates (weighted float64 average, weights: this validator's normalised scores standing in for the chain's incentive) into canonical bytes, stored by sha256 as the round's base",
    ),
  ];
}
