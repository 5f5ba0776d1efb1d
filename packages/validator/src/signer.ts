/**
 * btauth/1 signing for the dendrite: every attempt gets a fresh nanosecond nonce and a new signature
 * by the validator hotkey (core's `signRequest`).
 *
 * A validator signs one request per miner per round (256 per round on a full subnet), so signing
 * speed matters: @polkadot/keyring's sr25519 `sign` is pure JS (about 5 ms per signature on this
 * project's machines), while schnorrkel compiled to WASM signs the same message in about 0.2 ms.
 * {@link btauthSigner} therefore signs sr25519 hotkeys through WASM when the pair's secret is
 * available, and falls back to the pair's own `sign` otherwise. {@link ThreadedSr25519Signer} moves
 * that work to a worker thread, so signing overlaps with sending.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { KeyringPair } from '@polkadot/keyring/types';
import { sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { type RequestSigner, signRequest } from '@subnetkit/core';
import type { DendriteSigner } from './dendrite.js';

// @polkadot/util-crypto's PKCS8 layout: 16-byte header, 64-byte secret key, 5-byte divider, 32-byte public key.
const PKCS8_SECRET = [16, 80] as const;
const PKCS8_LENGTH = 117;

/** The pair's 64-byte sr25519 secret (@polkadot form), if it is an unlocked sr25519 pair WASM signs correctly. */
function sr25519Secret(pair: KeyringPair): Uint8Array | undefined {
  if (pair.type !== 'sr25519') return undefined;
  let secret: Uint8Array;
  try {
    const pkcs8 = pair.encodePkcs8();
    if (pkcs8.length !== PKCS8_LENGTH) return undefined;
    secret = pkcs8.slice(...PKCS8_SECRET);
  } catch {
    return undefined; // locked pair
  }
  try {
    const probe = new TextEncoder().encode('subnetkit signer self-test');
    if (!sr25519_verify(pair.publicKey, probe, sr25519_sign(pair.publicKey, secret, probe))) return undefined;
  } catch {
    return undefined;
  }
  return secret;
}

/**
 * A `RequestSigner` that signs sr25519 with schnorrkel WASM on the calling thread. Returns undefined
 * (use the pair itself) when the pair is not sr25519, is locked, or a self-test signature does not verify.
 */
export function wasmSr25519Signer(pair: KeyringPair): RequestSigner | undefined {
  const secret = sr25519Secret(pair);
  if (!secret) return undefined;
  const publicKey = pair.publicKey;
  return {
    address: pair.address,
    type: 'sr25519',
    sign: (message) => sr25519_sign(publicKey, secret, message),
  };
}

// The signing thread: signs each batch with schnorrkel (WASM) and posts the signatures back. Inline
// (eval) so it works from the sources and from dist alike; the module path is resolved here.
const SIGN_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sr25519_sign } = require(workerData.module);
parentPort.on('message', (batch) => {
  const signatures = batch.messages.map((m) => sr25519_sign(workerData.publicKey, workerData.secret, m));
  parentPort.postMessage({ ids: batch.ids, signatures });
});
`;

const schnorrkelPath = () => createRequire(import.meta.url).resolve('@polkadot-labs/schnorrkel-wasm');

/**
 * Signs sr25519 on a worker thread, in batches: the messages signed within one microtask burst go to
 * the thread together, and the main thread keeps sending requests while they are signed. Create with
 * {@link threadedSr25519Signer}; `close()` stops the thread (it never keeps the process alive).
 */
export class ThreadedSr25519Signer implements RequestSigner {
  readonly type = 'sr25519';
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (s: Uint8Array) => void; reject: (e: Error) => void }
  >();
  private batch: { ids: number[]; messages: Uint8Array[] } = { ids: [], messages: [] };
  private nextId = 0;
  private flushScheduled = false;

  constructor(
    readonly address: string,
    publicKey: Uint8Array,
    secret: Uint8Array,
  ) {
    this.worker = new Worker(SIGN_WORKER_SOURCE, {
      eval: true,
      workerData: { module: schnorrkelPath(), publicKey, secret },
    });
    this.worker.unref();
    this.worker.on('message', ({ ids, signatures }: { ids: number[]; signatures: Uint8Array[] }) => {
      ids.forEach((id, i) => {
        this.waiting.get(id)?.resolve(signatures[i]!);
        this.waiting.delete(id);
      });
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => this.failAll(new Error('the signing thread exited')));
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    const id = this.nextId++;
    const out = new Promise<Uint8Array>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.batch.ids.push(id);
    this.batch.messages.push(message);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return out;
  }

  /** Stop the signing thread; pending signatures fail. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    this.batch = { ids: [], messages: [] };
    if (batch.ids.length > 0) this.worker.postMessage(batch);
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/** A {@link ThreadedSr25519Signer} for `pair`, or undefined when the pair cannot be signed with WASM. */
export function threadedSr25519Signer(pair: KeyringPair): ThreadedSr25519Signer | undefined {
  const secret = sr25519Secret(pair);
  return secret ? new ThreadedSr25519Signer(pair.address, pair.publicKey, secret) : undefined;
}

/** Options of {@link btauthSigner}. */
export interface BtauthSignerOptions {
  /** Sign on a worker thread (sr25519 pairs only). Default false. */
  thread?: boolean;
}

/** A dendrite signer for `hotkey` (a keyring pair, e.g. loaded from a btcli wallet, or any core `RequestSigner`). */
export function btauthSigner(
  hotkey: RequestSigner | KeyringPair,
  options: BtauthSignerOptions = {},
): DendriteSigner {
  const pair = 'encodePkcs8' in hotkey ? hotkey : undefined;
  const signer =
    (pair && options.thread ? threadedSr25519Signer(pair) : undefined) ??
    (pair ? wasmSr25519Signer(pair) : undefined) ??
    hotkey;
  const sign = ({ method, target, body, receiver }: Parameters<DendriteSigner>[0]) =>
    signRequest({ signer, method, target, body, receiver });
  // The same key signs legacy v10 requests (the dendrite reads it from here).
  return Object.assign(sign, { hotkey: signer });
}
