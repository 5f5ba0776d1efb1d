/**
 * Devnet at subnet scale: a 4096-neuron subnet (64 staked validators), then full-width set_weights
 * extrinsics (4096 uids each, about 16 KiB) pushed through the pool (decode, sr25519 signature check) and
 * block production (dispatch with subtensor's checks, storage writes, events).
 */
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sr25519_keypair_from_seed, sr25519_sign } from '@polkadot-labs/schnorrkel-wasm';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { type DevnetGenesis, type GenesisNeuron, RUNTIME_VERSION, startDevnet } from '@subnetkit/devnet';
import type { Figure } from './harness.js';

const N = 4096;

/** A full GC (exposed at run time), so memory figures and timings are not skewed by earlier garbage. */
function gc(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

function heapMb(): number {
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
}
const VALIDATORS = 64;

/** Compact SCALE length prefix. */
function compact(n: number): number[] {
  if (n < 64) return [n << 2];
  if (n < 16384) return [((n << 2) | 1) & 0xff, (n << 2) >> 8];
  const v = n * 4 + 2;
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

function u16s(xs: number[]): number[] {
  const out = compact(xs.length);
  for (const x of xs) out.push(x & 0xff, x >> 8);
  return out;
}

interface Signer {
  publicKey: Uint8Array;
  secret: Uint8Array;
}

/** A signed v4 set_weights extrinsic (immortal era), built and signed like a wallet would. */
function signedSetWeights(
  pair: Signer,
  nonce: number,
  genesis: Uint8Array,
  netuid: number,
  uids: number[],
  w: number[],
) {
  const call = new Uint8Array([
    7,
    0,
    netuid & 0xff,
    netuid >> 8,
    ...u16s(uids),
    ...u16s(w),
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const extra = new Uint8Array([0, ...compact(nonce), 0, 0]);
  const implicit = new Uint8Array(73);
  const dv = new DataView(implicit.buffer);
  dv.setUint32(0, RUNTIME_VERSION.specVersion, true);
  dv.setUint32(4, RUNTIME_VERSION.transactionVersion, true);
  implicit.set(genesis, 8);
  implicit.set(genesis, 40);
  const payload = new Uint8Array([...call, ...extra, ...implicit]);
  const sig = sr25519_sign(
    pair.publicKey,
    pair.secret,
    payload.length > 256 ? blake2AsU8a(payload, 256) : payload,
  );
  const body = new Uint8Array([0x84, 0, ...pair.publicKey, 1, ...sig, ...extra, ...call]);
  // Flat hex text, like the params of a parsed JSON-RPC request.
  return '0x' + Buffer.from(new Uint8Array([...compact(body.length), ...body])).toString('hex');
}

export default async function devnetBench(): Promise<Figure[]> {
  await cryptoWaitReady();
  // Validator keys from fixed seeds (schnorrkel-wasm signs much faster than the JS fallback).
  const validators: Signer[] = Array.from({ length: VALIDATORS }, (_, i) => {
    const kp = sr25519_keypair_from_seed(blake2AsU8a(`bench validator ${i}`, 256));
    return { secret: kp.slice(0, 64), publicKey: kp.slice(64, 96) };
  });
  const neurons: GenesisNeuron[] = [];
  for (let uid = 0; uid < N; uid++) {
    const hotkey =
      uid < VALIDATORS
        ? u8aToHex(validators[uid]!.publicKey)
        : u8aToHex(blake2AsU8a(new Uint8Array([uid & 0xff, uid >> 8, 0x4d]), 256));
    neurons.push({ hotkey, coldkey: 'alice', stake: uid < VALIDATORS ? 1000 : undefined });
  }
  const genesis: DevnetGenesis = {
    subnets: [
      {
        netuid: 1,
        owner: 'alice',
        hyperparameters: {
          maxAllowedUids: N,
          maxAllowedValidators: VALIDATORS,
          weightsRateLimit: 0,
          tempo: 360,
        },
        neurons,
      },
    ],
  };

  gc();
  const mem0 = heapMb();
  const t0 = performance.now();
  // Blocks are built by this benchmark only (the interval never fires), so the two phases are measured apart.
  const dn = await startDevnet({ port: 0, blockTime: 3_600_000, genesis });
  const genesisMs = performance.now() - t0;
  try {
    gc();
    const genesisMb = heapMb() - mem0;
    const chain = dn.chain;
    // Empty-block build time at this size (epoch bookkeeping, events, state root).
    const emptyStart = performance.now();
    const EMPTY = 20;
    for (let i = 0; i < EMPTY; i++) chain.produceBlock();
    const emptyMs = (performance.now() - emptyStart) / EMPTY;

    // Pre-sign full-width set_weights (untimed): every validator, several nonces.
    const uids = Array.from({ length: N }, (_, i) => i);
    const genesisHash = Uint8Array.from(Buffer.from(dn.genesisHash.slice(2), 'hex'));
    const PER_VALIDATOR = 24;
    const txs: string[] = [];
    for (let k = 0; k < PER_VALIDATOR; k++)
      for (const v of validators) {
        const w = uids.map((u) => ((u * 7 + k * 13) % 65535) + 1);
        txs.push(signedSetWeights(v, k, genesisHash, 1, uids, w));
      }

    // Timed: submit through the pool (decode on this thread, sr25519 split between it and the verifier's
    // worker threads, as author_submitExtrinsic does) and build blocks until the pool is empty.
    gc();
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
    txs.splice(0);
    gc();
    const afterMb = heapMb() - mem0;
    return [
      {
        name: 'devnet.set_weights_per_s',
        value: Math.round(perSec),
        unit: 'extrinsics/s',
        note: `${count} signed set_weights of ${N} uids each (16 KiB) on a ${N}-neuron subnet: pool validation (decode, blake2, sr25519 on ${1 + (chain.verifier ? 1 : 0)}+ threads) ${((submitS * 1e6) / count).toFixed(0)} us/tx + dispatch in ${blocks} blocks (${(((elapsed - submitS) * 1e6) / count).toFixed(0)} us/tx); load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; target >= 1000`,
      },
      {
        name: 'devnet.block_build_ms_4096',
        value: Number(blockMs[Math.floor(blockMs.length / 2)]!.toFixed(1)),
        unit: 'ms',
        note: `median block with ~${Math.round(count / blocks)} full-width set_weights (3.75 MiB); empty block ${emptyMs.toFixed(2)} ms`,
      },
      {
        name: 'devnet.genesis_ms_4096',
        value: Math.round(genesisMs),
        unit: 'ms',
        note: `startDevnet with a ${N}-neuron genesis subnet (${VALIDATORS} staked validators)`,
      },
      {
        name: 'devnet.memory_mb_4096',
        value: Math.round(genesisMb),
        unit: 'MB',
        note: `heap + external after GC for the ${N}-neuron subnet at genesis; ${afterMb.toFixed(0)} MB after ${count} full-width set_weights (${VALIDATORS} weight rows, recent block bodies and state diffs kept)`,
      },
    ];
  } finally {
    await dn.stop();
  }
}
