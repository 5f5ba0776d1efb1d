/**
 * Devnet at subnet scale: a 4096-neuron subnet (64 staked validators) and full-width set_weights extrinsics
 * (4096 uids each, about 16 KiB).
 *
 * `devnet.set_weights_per_s` is the production path: the devnet runs in this process with instant blocks
 * (a block as soon as transactions are ready), and a separate client process (bench/set-weights-client.ts)
 * signs the extrinsics before the timed part, then submits them over WebSocket JSON-RPC with
 * author_submitAndWatchExtrinsic, timed until every one is in a block. `devnet.memory_mb_4096` is this
 * process's heap after that load. A second devnet then measures the same work in process (pool
 * validation through `submitAsync`, blocks built by the benchmark) for the block build time.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { type DevnetGenesis, type GenesisNeuron, startDevnet } from '@subnetkit/devnet';
import type { Figure } from './harness.js';
import {
  fullWeights,
  hotkeyHex,
  runSetWeightsClient,
  type Signer,
  signedSetWeights,
  validatorSigners,
} from './set-weights-tx.js';

const N = 4096;

/** A full GC (exposed at run time), so memory figures and timings are not skewed by earlier garbage. */
function gc(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * GC until the heap stops shrinking: the runner runs every bench file in one process, and what earlier
 * files left behind (sockets closing, pending timers) is freed over a few turns of the event loop, which
 * would otherwise be subtracted from the devnet's own memory (a quiet full run once gave -30 MB).
 */
async function settledHeapMb(): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    gc();
    const now = heapMb();
    if (last - now < 0.5) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return heapMb();
}

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
}
const VALIDATORS = 64;

/** Extrinsics per validator in each phase (64 x 24 = 1536 full-width set_weights). */
const PER_VALIDATOR = 24;
/** 0 = no rate limit, so each validator can set weights in every block (subtensor's WeightsSetRateLimit). */
const WEIGHTS_RATE_LIMIT = 0;

function genesisOf(validators: Signer[]): DevnetGenesis {
  const neurons: GenesisNeuron[] = [];
  for (let uid = 0; uid < N; uid++) {
    const hotkey =
      uid < VALIDATORS
        ? hotkeyHex(validators[uid]!)
        : u8aToHex(blake2AsU8a(new Uint8Array([uid & 0xff, uid >> 8, 0x4d]), 256));
    neurons.push({ hotkey, coldkey: 'alice', stake: uid < VALIDATORS ? 1000 : undefined });
  }
  return {
    subnets: [
      {
        netuid: 1,
        owner: 'alice',
        hyperparameters: {
          maxAllowedUids: N,
          maxAllowedValidators: VALIDATORS,
          weightsRateLimit: WEIGHTS_RATE_LIMIT,
          tempo: 360,
        },
        neurons,
      },
    ],
  };
}

/** CPU time of this process's main thread in ms (Linux /proc; clock ticks of 10 ms), or null elsewhere. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, USER_HZ 100
  } catch {
    return null;
  }
}

const cores = availableParallelism();
const load = () => loadavg()[0]!.toFixed(1);

export default async function devnetBench(): Promise<Figure[]> {
  await cryptoWaitReady();
  // Validator keys from fixed seeds (schnorrkel-wasm); the client process derives the same ones.
  const validators = validatorSigners(VALIDATORS);
  const genesis = genesisOf(validators);

  // Phase 1: the production path, over WebSocket from a separate client process.
  const mem0 = await settledHeapMb();
  const t0 = performance.now();
  const dn = await startDevnet({ port: 0, blockTime: 'instant', genesis });
  const genesisMs = performance.now() - t0;
  const verifyThreads = dn.chain.verifier ? 'sr25519 on worker threads' : 'sr25519 on the main thread';
  let genesisMb: number;
  let afterMb: number;
  let ws: Awaited<ReturnType<typeof runSetWeightsClient>>;
  // CPU time of this (the devnet's) process, all threads, while the client ran (it is idle while the client signs).
  let devnetCpuMs: number;
  let devnetMainMs: number | null;
  const wsLoad = load();
  try {
    gc();
    genesisMb = heapMb() - mem0;
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    ws = await runSetWeightsClient({
      url: dn.url,
      genesisHash: dn.genesisHash,
      netuid: 1,
      n: N,
      validators: VALIDATORS,
      perValidator: PER_VALIDATOR,
      window: 256,
    });
    const cpu = process.cpuUsage(cpu0);
    devnetCpuMs = (cpu.user + cpu.system) / 1000;
    const main1 = mainThreadCpuMs();
    devnetMainMs = main0 === null || main1 === null ? null : main1 - main0;
    // Every validator's last extrinsic was dispatched: a full-width weight row each.
    for (let uid = 0; uid < VALIDATORS; uid++) {
      const row = dn.chain.rt.state.get<[number, number][]>('SubtensorModule.Weights', 1, uid);
      if (row.length !== N)
        throw new Error(`validator uid ${uid} has a weight row of ${row.length} entries, expected ${N}`);
    }
    gc();
    afterMb = heapMb() - mem0;
  } finally {
    await dn.stop();
  }
  const wsPerSec = ws.count / (ws.submitMs / 1000);
  // CPU per extrinsic on each side, and what 2 cores could do at most if both sides had them to themselves.
  const clientMsPerTx = ws.submitCpuMs / ws.count;
  const devnetMsPerTx = devnetCpuMs / ws.count;
  const mainMsPerTx = devnetMainMs === null ? null : devnetMainMs / ws.count;
  // Bounds: both sides' CPU on the cores, and the devnet's main thread (one core at most).
  const cpuBound = (cores * 1000) / (clientMsPerTx + devnetMsPerTx);
  const mainBound = mainMsPerTx ? 1000 / mainMsPerTx : null;
  const clientShare = (100 * ws.submitCpuMs) / (ws.submitCpuMs + devnetCpuMs);

  // Phase 2: the same work in process on a fresh devnet whose blocks only this benchmark builds.
  gc();
  const dn2 = await startDevnet({ port: 0, blockTime: 3_600_000, genesis });
  try {
    const chain = dn2.chain;
    // Empty-block build time at this size (epoch bookkeeping, events, state root).
    const emptyStart = performance.now();
    const EMPTY = 20;
    for (let i = 0; i < EMPTY; i++) chain.produceBlock();
    const emptyMs = (performance.now() - emptyStart) / EMPTY;

    // Pre-sign (untimed): every validator, PER_VALIDATOR nonces.
    const txs: string[] = [];
    for (let k = 0; k < PER_VALIDATOR; k++) {
      const { uids, weights } = fullWeights(N, k);
      for (const v of validators) txs.push(signedSetWeights(v, k, dn2.genesisHash, 1, uids, weights));
    }

    // Timed: submit through the pool (decode on this thread, sr25519 split between it and the verifier's
    // worker threads, as author_submitExtrinsic does) and build blocks until the pool is empty.
    gc();
    const inLoad = load();
    const start = performance.now();
    const BATCH = 128;
    for (let i = 0; i < txs.length; i += BATCH)
      await Promise.all(txs.slice(i, i + BATCH).map((tx) => chain.submitAsync(tx)));
    const submitS = (performance.now() - start) / 1000;
    let blocks = 0;
    const blockMs: number[] = [];
    while (chain.poolSize() > 0) {
      const b0 = performance.now();
      chain.produceBlock();
      blockMs.push(performance.now() - b0);
      blocks++;
    }
    const elapsed = (performance.now() - start) / 1000;
    const events = chain.rt.state.get<unknown[]>('System.Events');
    if (events.length < 2) throw new Error('the last block has no events');
    const perSec = txs.length / elapsed;
    blockMs.sort((a, b) => a - b);
    const count = txs.length;
    const where = `${cores} cores shared`;
    return [
      {
        name: 'devnet.set_weights_per_s',
        value: Math.round(wsPerSec),
        unit: 'extrinsics/s',
        note: `${ws.count} set_weights of ${N} uids each (16 KiB, ${VALIDATORS} validators x ${PER_VALIDATOR}, WeightsSetRateLimit ${WEIGHTS_RATE_LIMIT}) on a ${N}-neuron subnet, signed in a separate client process before timing (${(ws.signMs / ws.count).toFixed(1)} ms each), then sent over WebSocket JSON-RPC with author_submitAndWatchExtrinsic (256 awaiting inclusion at a time), timed until all were inBlock (${ws.blocks} blocks); devnet in the bench process (instant blocks, ${verifyThreads}), client in a child process, ws with bufferutil on both sides, ${where}, load average ${wsLoad}; CPU per extrinsic: client ${clientMsPerTx.toFixed(2)} ms (@polkadot/api WsProvider: JSON, masking, ${clientShare.toFixed(0)}% of the CPU both used), devnet ${devnetMsPerTx.toFixed(2)} ms (all its threads${mainMsPerTx === null ? '' : `, ${mainMsPerTx.toFixed(2)} ms on its main thread, which decodes, answers RPC and builds blocks; worker threads verify sr25519`}); with nothing else running, ${cores} cores bound this path at ${Math.round(cpuBound)}/s${mainBound === null ? '' : ` and the devnet's main thread at ${Math.round(mainBound)}/s`}; target >= 1000`,
      },
      {
        name: 'devnet.set_weights_per_s_in_process',
        value: Math.round(perSec),
        unit: 'extrinsics/s',
        note: `the same ${count} pre-signed set_weights passed to chain.submitAsync in the devnet's process (no RPC, no WebSocket): pool validation (decode, blake2, ${verifyThreads}) ${((submitS * 1e6) / count).toFixed(0)} us/tx + dispatch in ${blocks} blocks built by the bench (${(((elapsed - submitS) * 1e6) / count).toFixed(0)} us/tx); ${where}, load average ${inLoad}`,
      },
      {
        name: 'devnet.block_build_ms_4096',
        value: Number(blockMs[Math.floor(blockMs.length / 2)]!.toFixed(1)),
        unit: 'ms',
        note: `median block with ~${Math.round(count / blocks)} full-width set_weights (3.75 MiB), in process; empty block ${emptyMs.toFixed(2)} ms; ${where}, load average ${inLoad}`,
      },
      {
        name: 'devnet.genesis_ms_4096',
        value: Math.round(genesisMs),
        unit: 'ms',
        note: `startDevnet with a ${N}-neuron genesis subnet (${VALIDATORS} staked validators), in process; ${where}, load average ${wsLoad}`,
      },
      {
        name: 'devnet.memory_mb_4096',
        value: Math.round(afterMb),
        unit: 'MB',
        note: `heap + external of the devnet's process after GC, after the ${ws.count} full-width set_weights of devnet.set_weights_per_s over WebSocket (${VALIDATORS} full weight rows, recent block bodies and state diffs kept; the verifier threads' own heaps not counted); ${Math.round(genesisMb)} MB at genesis; ${where}`,
      },
      {
        name: 'devnet.memory_mb_4096_genesis',
        value: Math.round(genesisMb),
        unit: 'MB',
        note: `heap + external after GC for the ${N}-neuron subnet at genesis, before any extrinsic; ${where}`,
      },
    ];
  } finally {
    await dn2.stop();
  }
}
