/**
 * One federated round with 8 miners, timed by part: each miner commits its update's sha256 on a devnet
 * (real chain client over WebSocket, `Commitments.set_commitment`, 8 hotkeys at once), the validator
 * reads the round's commitments and fetches the 8 updates over HTTP from one server per miner on
 * 127.0.0.1 (streamed through core's `ArtifactReceiver`, the chunked form of `checkArtifact`: size cap and
 * committed hash), scores them on its held-out digits (`scoreUpdates`: commitment rules, format, shape,
 * loss decrease of the merged model) and aggregates the next subnet model (`aggregateUpdates`).
 *
 * The updates are trained once before timing (local training is the miners' work between rounds, not
 * the round's); every timed round repeats the same round (same base, same 8 updates, fresh commitments).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect } from '@subnetkit/chain';
import { ArtifactReceiver } from '@subnetkit/core';
import { startDevnet } from '@subnetkit/devnet';
import { selectBackend } from '@subnetkit/inference';
import {
  MAX_UPDATE_BYTES,
  aggregateUpdates,
  buildMlp,
  decodeWeights,
  encodeWeights,
  heldOutParts,
  minerShards,
  scoreUpdates,
  scoresToWeights,
  trainLocal,
  updateHash,
  weightsOf,
} from '@subnetkit/subnet-federated';
import { loadDigits } from '@subnetkit/subnet-vision';
import { pino } from 'pino';
import type { Figure } from '../../../bench/harness.js';

const MINERS = 8;
const NETUID = 1;
const ROUNDS = 10;
const SHARD = 400;

/** One HTTP server per miner on 127.0.0.1 answering GET /update with its update bytes. */
async function serveUpdate(bytes: Uint8Array): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/update') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/update` };
}

/** Streams a response through the artifact check; the bytes, or the refusal's message. */
async function fetchArtifact(url: string, hash: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const receiver = new ArtifactReceiver({ maxBytes: MAX_UPDATE_BYTES }, hash);
  for await (const chunk of res.body) {
    if (!receiver.push(chunk)) {
      await res.body.cancel();
      break;
    }
  }
  const check = receiver.finish();
  if (!check.ok) throw new Error(`update from ${url} refused: ${check.message}`);
  return check.bytes;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export default async function federatedRoundBench(): Promise<Figure[]> {
  const load0 = loadavg()[0]!;
  await cryptoWaitReady();
  const { tf } = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
  const { train, heldOut } = loadDigits();
  const shards = minerShards(train, MINERS, { size: SHARD });
  const validatorDigits = heldOutParts(heldOut, 2)[0]!;
  const initial = buildMlp(tf);
  const baseBytes = encodeWeights(weightsOf(initial));
  initial.dispose();
  const base = decodeWeights(baseBytes);
  const updates: Uint8Array[] = [];
  for (let i = 0; i < MINERS; i++)
    updates.push(encodeWeights(await trainLocal(tf, base, shards[i]!, { seed: i })));

  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const miners = updates.map((_, i) => kr.addFromUri(`//Fed//bench${i}`));
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
          neurons: miners.map((m) => ({ hotkey: m.address, coldkey: '//Bob' })),
        },
      ],
    },
  });
  const axons = await Promise.all(updates.map(serveUpdate));
  const urlOf = new Map(miners.map((m, i) => [m.address, axons[i]!.url]));
  const minerClients = await Promise.all(miners.map(() => connect(devnet.url, { waitFor: 'inBlock' })));
  const validator = await connect(devnet.url);
  const parts = {
    commit: [] as number[],
    fetch: [] as number[],
    evaluate: [] as number[],
    aggregate: [] as number[],
  };
  let modelHash = '';
  try {
    for (let r = 0; r <= ROUNDS; r++) {
      const startBlock = (await validator.block()).number + 1;
      const t0 = performance.now();
      // Commit: every miner commits its update hash (one client per miner, all at once).
      await Promise.all(
        miners.map((m, i) =>
          minerClients[i]!.setCommitment(m, NETUID, Buffer.from(updateHash(updates[i]!), 'hex')),
        ),
      );
      const t1 = performance.now();
      // Fetch: the validator reads the round's commitments and fetches each committed update.
      const head = await validator.block();
      const commitments = (await validator.commitments(NETUID, { block: head.number })).map((c) => ({
        hotkey: c.hotkey,
        hash: Buffer.from(c.data).toString('hex'),
        block: c.block,
      }));
      if (commitments.length !== MINERS || commitments.some((c) => c.block < startBlock))
        throw new Error(`round ${r}: expected ${MINERS} commitments from block ${startBlock} on`);
      const fetched = await Promise.all(commitments.map((c) => fetchArtifact(urlOf.get(c.hotkey)!, c.hash)));
      const byHotkey = new Map(commitments.map((c, i) => [c.hotkey, fetched[i]!]));
      const t2 = performance.now();
      // Evaluate: commitment rules, format and shape, loss decrease of each merged update.
      const scores = scoreUpdates({
        base,
        heldOut: validatorDigits,
        commitments,
        round: { startBlock, deadlineBlock: head.number },
        updates: byHotkey,
        maxBytes: MAX_UPDATE_BYTES,
      });
      const bad = scores.filter((s) => s.verdict !== 'improves');
      if (bad.length > 0) throw new Error(`round ${r}: honest updates not improving: ${JSON.stringify(bad)}`);
      const t3 = performance.now();
      // Aggregate: the next subnet model, weighted by this validator's weights.
      const weights = scoresToWeights(scores);
      const next = aggregateUpdates(
        baseBytes,
        commitments.map((c) => ({
          hotkey: c.hotkey,
          weight: weights.get(c.hotkey)!,
          update: byHotkey.get(c.hotkey)!,
        })),
      );
      const t4 = performance.now();
      const hash = updateHash(next);
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
    await Promise.all([...minerClients, validator].map((c) => c.close()));
    await Promise.all(axons.map(({ server }) => new Promise((resolve) => server.close(resolve))));
    await devnet.stop();
  }
  const totals = parts.commit.map((_, i) =>
    [parts.commit, parts.fetch, parts.evaluate, parts.aggregate].reduce((a, p) => a + p[i]!, 0),
  );
  const load = `load average ${load0.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (2 shared cores)`;
  const what = `mean of ${ROUNDS} rounds after 1 warm-up, ${MINERS} honest miners (${SHARD}-digit non-IID shards, 1 local epoch, ${(updates[0]!.length / 1024).toFixed(0)} KiB updates), 1 validator scoring on ${validatorDigits.count} held-out digits; each timed round repeats the same round (same base and 8 updates, fresh commitments; local training not timed; no set_weights/Yuma: aggregation weights are the validator's scores); ${load}`;
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
      '8 set_commitment (32-byte sha256) signed and submitted at once, each over its own WebSocket chain client, until in block (devnet, instant blocks)',
    ),
    ms(
      'federated.round_fetch_ms_8',
      parts.fetch,
      "validator reads the subnet's commitments over WebSocket, then GETs the 8 updates at once from 8 HTTP servers on 127.0.0.1 (no btauth), streamed through core's ArtifactReceiver (512 KiB cap, sha256 against the commitment)",
    ),
    ms(
      'federated.round_evaluate_ms_8',
      parts.evaluate,
      `scoreUpdates: commitment rules, sha256, decode, shape, held-out loss of the base and of the 8 merged models on ${validatorDigits.count} digits (pure JS forward pass)`,
    ),
    ms(
      'federated.round_aggregate_ms_8',
      parts.aggregate,
      "aggregateUpdates: weighted float64 average of the 8 updates (weights: this validator's normalised scores, standing in for the chain's consensus), canonical bytes",
    ),
  ];
}
