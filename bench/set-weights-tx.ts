/**
 * Full-width set_weights extrinsics for the devnet and chain benchmarks: validator keys from fixed seeds,
 * extrinsics built and sr25519-signed like a wallet does (v4, immortal era), and a WebSocket submitter
 * that sends them with `author_submitAndWatchExtrinsic` (what @polkadot/api's `signAndSend` sends) and
 * resolves once each is in a block.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sr25519_keypair_from_seed, sr25519_sign } from '@polkadot-labs/schnorrkel-wasm';
import { WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { RUNTIME_VERSION } from '@subnetkit/devnet';

/** An sr25519 key pair (schnorrkel-wasm layout: 64-byte secret, 32-byte public key). */
export interface Signer {
  publicKey: Uint8Array;
  secret: Uint8Array;
}

/** `count` validator keys from fixed seeds (`<label> <i>`), so a child process derives the same keys. */
export function validatorSigners(count: number, label = 'bench validator'): Signer[] {
  return Array.from({ length: count }, (_, i) => {
    const kp = sr25519_keypair_from_seed(blake2AsU8a(`${label} ${i}`, 256));
    return { secret: kp.slice(0, 64), publicKey: kp.slice(64, 96) };
  });
}

/** 0x-hex public key, as a genesis hotkey. */
export const hotkeyHex = (s: Signer): string => u8aToHex(s.publicKey);

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

/** A signed v4 SubtensorModule.set_weights extrinsic (immortal era, version key 0), as 0x-hex. */
export function signedSetWeights(
  pair: Signer,
  nonce: number,
  genesisHash: string,
  netuid: number,
  uids: number[],
  weights: number[],
): string {
  const genesis = Buffer.from(genesisHash.slice(2), 'hex');
  const call = new Uint8Array([
    7,
    0,
    netuid & 0xff,
    netuid >> 8,
    ...u16s(uids),
    ...u16s(weights),
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
  return `0x${Buffer.from(new Uint8Array([...compact(body.length), ...body])).toString('hex')}`;
}

/** Full-width weights over `n` uids, varied by `round` so successive extrinsics differ. */
export function fullWeights(n: number, round: number): { uids: number[]; weights: number[] } {
  const uids = Array.from({ length: n }, (_, i) => i);
  return { uids, weights: uids.map((u) => ((u * 7 + round * 13) % 65535) + 1) };
}

/**
 * Sends `txs` over one WebSocket connection with `author_submitAndWatchExtrinsic`, at most `window` awaiting
 * inclusion at a time, and resolves once every one reported `inBlock` (rejects on `invalid`, `dropped`, an
 * RPC error or `timeoutMs`). Returns the blocks the extrinsics were included in.
 */
export async function submitAndWatchAll(
  url: string,
  txs: readonly string[],
  { window = 256, timeoutMs = 120_000 } = {},
): Promise<{ blocks: Set<string> }> {
  const provider = new WsProvider(url, false);
  await provider.connect();
  await provider.isReady;
  const blocks = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `submitAndWatchAll: ${txs.length - done} of ${txs.length} not in a block after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        clearTimeout(timer);
        reject(e);
      };
      const send = () => {
        if (failed || next >= txs.length) return;
        const i = next++;
        let included = false;
        const subId = provider.subscribe(
          'author_extrinsicUpdate',
          'author_submitAndWatchExtrinsic',
          [txs[i]],
          (err: Error | null, status: unknown) => {
            if (included || failed) return;
            if (err) return fail(new Error(`extrinsic ${i}: ${err.message}`));
            if (status === 'invalid' || status === 'dropped')
              return fail(new Error(`extrinsic ${i} was ${status}`));
            if (typeof status === 'object' && status !== null && 'inBlock' in status) {
              included = true;
              blocks.add(String((status as { inBlock: string }).inBlock));
              void subId
                .then((id) => provider.unsubscribe('author_extrinsicUpdate', 'author_unwatchExtrinsic', id))
                .catch(() => {});
              if (++done === txs.length) {
                clearTimeout(timer);
                resolve();
              } else send();
            }
          },
        );
        subId.catch((e: Error) => fail(new Error(`extrinsic ${i} rejected: ${e.message}`)));
      };
      for (let k = 0; k < Math.min(window, txs.length); k++) send();
    });
  } finally {
    await provider.disconnect();
  }
  return { blocks };
}

/** What the parent asks of bench/set-weights-client.ts. */
export interface ClientJob {
  url: string;
  genesisHash: string;
  netuid: number;
  /** Width of each weight vector (the subnet's n). */
  n: number;
  /** Validators (keys `bench validator <i>`, i < validators). */
  validators: number;
  /** Extrinsics per validator, nonces firstNonce.. */
  perValidator: number;
  firstNonce?: number;
  /** Submissions awaiting inclusion at once. */
  window?: number;
}

/** What the client process prints. */
export interface ClientReport {
  count: number;
  signMs: number;
  submitMs: number;
  blocks: number;
  /** The client process's CPU time (user + system, all its threads) during the timed submission, ms. */
  submitCpuMs: number;
}

/**
 * Runs bench/set-weights-client.ts in a child process (its own V8, event loop and CPU time, like a validator
 * on another machine) and resolves with its report.
 */
export async function runSetWeightsClient(job: ClientJob): Promise<ClientReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'set-weights-client.ts'), JSON.stringify(job)],
    { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line)
    throw new Error(`set-weights client exited with code ${code}: ${err.trim().slice(-2000) || out.trim()}`);
  return JSON.parse(line) as ClientReport;
}
