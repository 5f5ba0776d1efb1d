/**
 * Metagraph sync over WebSocket against the devnet: subnets of 256 and 4096 neurons created at genesis
 * (much faster than 4096 registrations by extrinsic), timed with the same client code used for a real node.
 * The devnet runs in a child process, as a node would, so its CPU is not charged to the client's event loop.
 *
 * Before timing, the subnets hold what a live subnet holds: 64 staked validators each set full-width
 * weights (set_weights over WebSocket from a separate client process, bench/set-weights-client.ts), then
 * blocks are built until Yuma epochs have run twice on each subnet (the first one grants validator
 * permits, the second one bonds the permitted validators' weights), so Weights and Bonds rows are full.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@subnetkit/chain';
import { epochRunsAt } from '@subnetkit/core';
import { type Figure, measure } from './harness.js';
import { hotkeyHex, runSetWeightsClient, validatorSigners } from './set-weights-tx.js';

const hex = () => `0x${randomBytes(32).toString('hex')}`;

const VALIDATORS = 64;
/** Short tempo so a few dozen blocks run two epochs; blocks are only built on demand (no epoch while timing). */
const TEMPO = 20;
const validatorHotkeys = validatorSigners(VALIDATORS).map(hotkeyHex);
const validatorColdkey = hex();

/** A subnet whose first 64 uids are the bench validators (most stake, so they get the permits). */
function subnet(netuid: number, n: number) {
  const coldkeys = Array.from({ length: 16 }, hex);
  return {
    netuid,
    owner: '//Alice',
    hyperparameters: {
      tempo: TEMPO,
      maxAllowedUids: n,
      maxAllowedValidators: VALIDATORS,
      weightsRateLimit: 0,
      commitRevealWeightsEnabled: false,
    },
    neurons: Array.from({ length: n }, (_, i) => ({
      hotkey: i < VALIDATORS ? validatorHotkeys[i]! : hex(),
      coldkey: i < VALIDATORS ? validatorColdkey : coldkeys[i % coldkeys.length]!,
      stake: i < VALIDATORS ? 10_000 : 1 + (i % 100),
      ...(i % 4 === 0
        ? { axon: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8091 } }
        : {}),
    })),
  };
}

/** Starts the devnet in a child process; resolves with its URL once it listens. */
async function spawnDevnet(genesisPath: string): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const { startDevnet } = await import('@subnetkit/devnet');
    const d = await startDevnet({ port: 0, blockTime: 'instant', genesis: ${JSON.stringify(genesisPath)} });
    process.stdout.write(d.url + '\\n');
    process.on('SIGTERM', async () => { await d.stop(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('ws://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`devnet process exited with code ${code} before listening`)),
    );
  });
  return { url, child };
}

const SUBNETS = [
  [1, 256, 30],
  [2, 4096, 10],
] as const;

export default async function chainBench(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'subnetkit-chain-bench-'));
  const genesisPath = join(dir, 'genesis.json');
  await writeFile(genesisPath, JSON.stringify({ subnets: SUBNETS.map(([u, n]) => subnet(u, n)) }));
  const { url, child } = await spawnDevnet(genesisPath);
  const client = await connect(url, { connectTimeoutMs: 30_000 });
  try {
    // Set-up (untimed): every validator sets full-width weights on both subnets, from another process.
    const genesisHash = client.api.genesisHash.toHex();
    let nonce = 0;
    for (const [netuid, n] of SUBNETS) {
      await runSetWeightsClient({
        url,
        genesisHash,
        netuid,
        n,
        validators: VALIDATORS,
        perValidator: 1,
        firstNonce: nonce++,
      });
    }
    // Two epochs on each subnet after the weights (dev_newBlock builds blocks on demand).
    const epochs = new Map<number, number>(SUBNETS.map(([u]) => [u, 0]));
    let best = (await client.block()).number;
    while ([...epochs.values()].some((c) => c < 2)) {
      await client.storage.send('dev_newBlock', [{ count: 1 }]);
      best++;
      for (const [u] of SUBNETS) if (epochRunsAt(best, u, TEMPO)) epochs.set(u, epochs.get(u)! + 1);
    }

    const figures: Figure[] = [];
    const cores = availableParallelism();
    for (const [netuid, n, iterations] of SUBNETS) {
      const first = await client.syncMetagraph(netuid, { weights: true, bonds: true });
      if (first.n !== n) throw new Error(`expected ${n} neurons on netuid ${netuid}, synced ${first.n}`);
      const fullW = first.weights!.filter((r) => r.length === n).length;
      const bondRows = first.bonds!.filter((r) => r.length > 0);
      const bondEntries = bondRows.reduce((a, r) => a + r.length, 0);
      if (fullW < VALIDATORS)
        throw new Error(`netuid ${netuid}: ${fullW} full weight rows, expected ${VALIDATORS}`);
      if (bondRows.length < VALIDATORS)
        throw new Error(
          `netuid ${netuid}: ${bondRows.length} bond rows after two epochs, expected ${VALIDATORS}`,
        );
      const rows = `${fullW} full weight rows (${fullW * n} entries) and ${bondRows.length} bond rows (${bondEntries} entries) after two Yuma epochs`;
      const where = `devnet in a child process, client in the bench process, ${cores} cores shared, load average ${loadavg()[0]!.toFixed(1)}`;
      const full = await measure(() => client.syncMetagraph(netuid, { weights: true, bonds: true }), {
        iterations,
        warmup: 2,
      });
      const withWeights = await measure(() => client.syncMetagraph(netuid, { weights: true }), {
        iterations: Math.max(3, Math.round(iterations / 3)),
        warmup: 1,
      });
      const bare = await measure(() => client.syncMetagraph(netuid), {
        iterations: Math.max(3, Math.round(iterations / 3)),
        warmup: 1,
      });
      figures.push({
        name: `chain.metagraph_sync_ms_${n}`,
        value: full.p50Us / 1000,
        unit: 'ms',
        note: `median of ${iterations} syncMetagraph(netuid, { weights: true, bonds: true }) over ws with ${rows}; p90 ${(full.p90Us / 1000).toFixed(1)} ms; target ${n === 256 ? 100 : 1000} ms; ${where}`,
      });
      figures.push({
        name: `chain.metagraph_sync_weights_ms_${n}`,
        value: withWeights.p50Us / 1000,
        unit: 'ms',
        note: `median of ${withWeights.iterations} syncs with { weights: true } only (${fullW} full weight rows); ${where}`,
      });
      figures.push({
        name: `chain.metagraph_sync_neurons_ms_${n}`,
        value: bare.p50Us / 1000,
        unit: 'ms',
        note: `median of ${bare.iterations} syncs without weight or bond rows (per-uid vectors, hotkeys, coldkeys, axons, stake); ${where}`,
      });
    }
    return figures;
  } finally {
    await client.close();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
