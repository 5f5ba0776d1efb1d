/**
 * The devnet chain: blocks, the transaction pool, block production, history for queries at older blocks,
 * and notifications for subscriptions. Finality is instant (every block is final when built).
 */
import { EventEmitter } from 'node:events';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import type { Logger } from 'pino';
import { Writer } from './scale/codec.js';
import { RUNTIME_VERSION } from './metadata/spec.js';
import { DispatchError, INVALID, invalidTx, RpcError } from './runtime/errors.js';
import {
  decodeExtrinsic,
  eraBirth,
  type Extrinsic,
  signingMessage,
  verifyMessage,
} from './runtime/extrinsic.js';
import type { Verifier } from './runtime/verifier.js';
import { registerAdminUtils } from './runtime/admin.js';
import { registerBasicPallets } from './runtime/basic.js';
import { Runtime, type AccountInfo, type RuntimeOptions } from './runtime/runtime.js';
import type { Layer } from './runtime/storage.js';
import { registerSubtensor, type Subtensor } from './runtime/subtensor.js';
import { type Drand, registerDrand } from './runtime/drand.js';
import { type Commitments, registerCommitments } from './runtime/commitments.js';

export interface HeaderJson {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

export interface BlockRecord {
  number: number;
  hash: string;
  header: HeaderJson;
  /** Extrinsic bytes; dropped for old blocks to bound memory (see KEEP_BODIES). */
  extrinsics: Uint8Array[] | null;
}

/** Status updates of a watched extrinsic, in author_extrinsicUpdate's shape. */
export type TxStatus =
  | 'ready'
  | 'future'
  | { inBlock: string }
  | { finalized: string }
  | 'invalid'
  | 'dropped';

interface PoolTx {
  x: Extrinsic;
  sender: string;
  seq: number;
  watch?: (s: TxStatus) => void;
}

/** Blocks whose bodies are kept in memory (headers are kept for all blocks). */
const KEEP_BODIES = 256;
/** Blocks whose state diffs are kept (queries at older blocks fall back to the current state). */
const KEEP_JOURNALS = 512;
/** Block length budget for normal extrinsics (subtensor: 75% of 5 MiB). */
const MAX_BLOCK_BYTES = Math.floor(5 * 1024 * 1024 * 0.75);
const ZERO_HASH = new Uint8Array(32);
/** Delay of the `finalized` status after `inBlock` for watched extrinsics (one fast-runtime block). */
const FINALIZED_DELAY_MS = 250;

/** Fee-free calls in subtensor (Pays::No). */
const PAYS_NO = new Set([
  'SubtensorModule.set_weights',
  'SubtensorModule.set_mechanism_weights',
  'SubtensorModule.commit_weights',
  'SubtensorModule.commit_mechanism_weights',
  'SubtensorModule.reveal_weights',
  'SubtensorModule.reveal_mechanism_weights',
  'SubtensorModule.commit_timelocked_weights',
  'SubtensorModule.commit_timelocked_mechanism_weights',
  'SubtensorModule.commit_crv3_mechanism_weights',
  'SubtensorModule.serve_axon',
  'SubtensorModule.serve_prometheus',
  'Commitments.set_commitment',
  'Sudo.sudo',
  'Sudo.sudo_unchecked_weight',
  'Sudo.sudo_as',
]);

/** Weight calls whose pool check is check_weights_min_stake (Custom error 1 = StakeAmountTooLow). */
const WEIGHT_CALLS = new Set([
  'set_weights',
  'set_mechanism_weights',
  'commit_weights',
  'commit_mechanism_weights',
  'reveal_weights',
  'reveal_mechanism_weights',
  'commit_timelocked_weights',
  'commit_timelocked_mechanism_weights',
  'commit_crv3_mechanism_weights',
]);

/** subtensor's CustomTransactionError codes for the serving checks (protocol facts 2.0); others are 255. */
const SERVE_CUSTOM_ERRORS: Record<string, number> = {
  HotKeyNotRegisteredInNetwork: 10,
  InvalidIpAddress: 11,
  ServingRateLimitExceeded: 12,
  InvalidPort: 13,
};

export interface Submitted {
  hash: string;
  status: 'ready' | 'future';
}

export interface ChainEvents {
  block: [BlockRecord, Layer];
  /** A transaction entered the pool. */
  tx: [];
}

export class Chain extends EventEmitter<ChainEvents> {
  readonly rt: Runtime;
  readonly sub: Subtensor;
  readonly drand: Drand;
  readonly commitments: Commitments;
  genesisHash = '';
  private readonly blocks: BlockRecord[] = [];
  private readonly byHash = new Map<string, number>();
  private readonly journals = new Map<number, Layer>();
  private pool: PoolTx[] = [];
  private readonly poolHashes = new Set<string>();
  /** Nonces in the pool per sender (hex account id). */
  private readonly poolNonces = new Map<string, Set<number>>();
  private seq = 0;
  private lastTimestamp = 0n;
  private stateRoot: Uint8Array = new Uint8Array(32);
  /** Signature checks off the main thread for submitAsync (set by startDevnet). */
  verifier: Verifier | null = null;

  constructor(
    options: RuntimeOptions,
    readonly log?: Logger,
  ) {
    super();
    // Every subscription of every connection listens for blocks.
    this.setMaxListeners(0);
    this.rt = new Runtime(options);
    registerBasicPallets(this.rt);
    this.sub = registerSubtensor(this.rt);
    registerAdminUtils(this.rt, this.sub);
    this.drand = registerDrand(this.rt, this.sub);
    this.commitments = registerCommitments(this.rt, this.sub);
  }

  // ---- blocks ----------------------------------------------------------------------------------------

  get best(): BlockRecord {
    return this.blocks[this.blocks.length - 1]!;
  }

  bestNumber(): number {
    return this.best.number;
  }

  block(n: number): BlockRecord | undefined {
    return this.blocks[n];
  }

  blockByHash(hash: string): BlockRecord | undefined {
    const n = this.byHash.get(hash.toLowerCase());
    return n === undefined ? undefined : this.blocks[n];
  }

  /** Seals the genesis block over the state already written (by genesis.ts or a loaded snapshot). */
  sealGenesis(): void {
    const h = blake2AsU8a(new Uint8Array(0), 256);
    const keys = [...this.rt.kv.base.keys()].sort();
    const w = new Writer(1 << 16);
    for (const k of keys) {
      w.bytes(hexToU8a(k));
      w.bytes(this.rt.kv.base.get(k)!);
    }
    this.stateRoot = blake2AsU8a(w.finish(), 256);
    this.pushBlock(0, ZERO_HASH, [], h);
    this.genesisHash = this.best.hash;
    this.rt.state.set('System.BlockHash', 0, hexToU8a(this.genesisHash));
  }

  private pushBlock(
    number: number,
    parent: Uint8Array,
    extrinsics: Uint8Array[],
    extrinsicsRoot: Uint8Array,
  ): BlockRecord {
    const w = new Writer(128);
    w.bytes(parent);
    w.compact(number);
    w.bytes(this.stateRoot);
    w.bytes(extrinsicsRoot);
    w.compact(0);
    const hash = u8aToHex(blake2AsU8a(w.finish(), 256));
    const rec: BlockRecord = {
      number,
      hash,
      header: {
        parentHash: u8aToHex(parent),
        number: '0x' + number.toString(16),
        stateRoot: u8aToHex(this.stateRoot),
        extrinsicsRoot: u8aToHex(extrinsicsRoot),
        digest: { logs: [] },
      },
      extrinsics,
    };
    this.blocks[number] = rec;
    this.byHash.set(hash, number);
    const old = this.blocks[number - KEEP_BODIES];
    if (old) old.extrinsics = null;
    return rec;
  }

  /** Builds, imports and finalizes the next block with the ready pool transactions. */
  produceBlock(): BlockRecord {
    const rt = this.rt;
    const parent = this.best;
    const journal: Layer = new Map();
    // The whole block runs in a storage layer: a failure leaves the state of the parent block intact.
    rt.kv.begin();
    try {
      return this.buildOn(parent, journal);
    } catch (e) {
      rt.kv.rollback();
      rt.blockNumber = parent.number;
      throw e;
    }
  }

  private buildOn(parent: BlockRecord, journal: Layer): BlockRecord {
    const rt = this.rt;
    const number = parent.number + 1;
    rt.blockNumber = number;
    rt.events = [];
    rt.phase = { tag: 'Initialization' };
    const s = rt.state;
    s.set('System.Number', number);
    s.set('System.ParentHash', hexToU8a(parent.hash));
    s.set('System.BlockHash', parent.number, hexToU8a(parent.hash));
    const hashCount = 4096;
    if (number > hashCount) s.remove('System.BlockHash', number - hashCount - 1);
    // Commitments (pallet 18) reveals before Drand (26) ingests this block's pulses, as in subtensor.
    this.commitments.onInitialize();
    // subtensor block_step: reveal matured timelocked commits before the epoch runs.
    this.drand.onInitialize();
    this.sub.onInitialize();

    const extrinsics: Uint8Array[] = [];
    const hashes: Uint8Array[] = [];
    // Timestamp inherent, like a real block: an unsigned Timestamp.set as extrinsic 0.
    let ts = BigInt(Date.now());
    if (ts <= this.lastTimestamp) ts = this.lastTimestamp + 1n;
    this.lastTimestamp = ts;
    const call = { tag: 'Timestamp', value: { tag: 'set', value: { now: ts } } };
    const body = new Writer(16);
    body.u8(4);
    rt.codecs.get('RuntimeCall').enc(call, body);
    const inherent = new Writer(16);
    inherent.compact(body.len);
    inherent.bytes(body.finish());
    const inherentBytes = inherent.finish();
    this.apply(0, { kind: 'none' }, call, 'Timestamp.set', 'Mandatory');
    extrinsics.push(inherentBytes);
    hashes.push(blake2AsU8a(inherentBytes, 256));

    const included: PoolTx[] = [];
    const dropped: PoolTx[] = [];
    let bytes = 0;
    for (const tx of this.orderedPool()) {
      const acc = rt.account(tx.x.signer!);
      if (tx.x.nonce < acc.nonce || !this.eraAlive(tx.x, number)) {
        dropped.push(tx);
        continue;
      }
      if (tx.x.nonce > acc.nonce) continue;
      if (bytes + tx.x.bytes.length > MAX_BLOCK_BYTES && included.length > 0) break;
      bytes += tx.x.bytes.length;
      acc.nonce += 1;
      rt.setAccount(tx.x.signer!, acc);
      const idx = extrinsics.length;
      const inner = tx.x.call.value as { tag: string };
      this.apply(
        idx,
        { kind: 'signed', who: tx.x.signer! },
        tx.x.call,
        `${tx.x.call.tag}.${inner.tag}`,
        'Normal',
      );
      extrinsics.push(tx.x.bytes);
      hashes.push(hexToU8a(tx.x.hash));
      included.push(tx);
    }
    rt.phase = { tag: 'Finalization' };
    s.set('System.Events', rt.events);
    s.set('System.EventCount', rt.events.length);
    rt.kv.journal = journal;
    rt.kv.commit();
    rt.kv.journal = null;

    // State root: chained over the block's changes (a stand-in for the trie root; it changes with the state).
    const w = new Writer(1 << 12);
    w.bytes(this.stateRoot);
    for (const k of [...journal.keys()].sort()) {
      w.bytes(hexToU8a(k));
      const v = rt.kv.base.get(k);
      if (v) w.bytes(blake2AsU8a(v, 256));
    }
    this.stateRoot = blake2AsU8a(w.finish(), 256);
    const xw = new Writer(32 * hashes.length + 8);
    for (const h of hashes) xw.bytes(h);
    const rec = this.pushBlock(number, hexToU8a(parent.hash), extrinsics, blake2AsU8a(xw.finish(), 256));
    this.journals.set(number, journal);
    this.journals.delete(number - KEEP_JOURNALS);

    const gone = new Set([...included, ...dropped]);
    this.pool = this.pool.filter((t) => !gone.has(t));
    for (const t of gone) {
      this.poolHashes.delete(t.x.hash);
      const set = this.poolNonces.get(t.sender);
      set?.delete(t.x.nonce);
      if (set?.size === 0) this.poolNonces.delete(t.sender);
    }
    for (const t of dropped) t.watch?.('invalid');
    for (const t of included) t.watch?.({ inBlock: rec.hash });
    // Finality is instant, but the notification waits a moment: clients process `inBlock` asynchronously
    // (@polkadot/api fetches the block and events) and drop it when `finalized` arrives first.
    const fin = included.filter((t) => t.watch);
    if (fin.length)
      setTimeout(() => {
        for (const t of fin) t.watch?.({ finalized: rec.hash });
      }, FINALIZED_DELAY_MS).unref();
    this.emit('block', rec, journal);
    return rec;
  }

  /** Applies one extrinsic's call: dispatch plus ExtrinsicSuccess / ExtrinsicFailed. */
  private apply(
    index: number,
    origin: Parameters<Runtime['dispatch']>[0],
    call: Parameters<Runtime['dispatch']>[1],
    name: string,
    cls: string,
  ): void {
    const rt = this.rt;
    rt.phase = { tag: 'ApplyExtrinsic', value: index };
    const info = {
      weight: { ref_time: 10_000_000n, proof_size: 0n },
      class: { tag: cls },
      pays_fee: { tag: PAYS_NO.has(name) || cls !== 'Normal' ? 'No' : 'Yes' },
    };
    try {
      rt.dispatch(origin, call);
      rt.deposit('System', 'ExtrinsicSuccess', info);
    } catch (e) {
      let err = e;
      if (!(e instanceof DispatchError)) {
        this.log?.error({ err: e, call: name }, 'devnet: dispatch failed with an internal error');
        err = new DispatchError({ tag: 'Other' }, String(e));
      }
      rt.deposit('System', 'ExtrinsicFailed', (err as DispatchError).value, info);
    }
  }

  private eraAlive(x: Extrinsic, current: number): boolean {
    if (x.era.immortal) return true;
    const birth = eraBirth(x.era, current);
    return current < birth + x.era.period;
  }

  /** Pool transactions grouped by sender in nonce order, senders by arrival. */
  private orderedPool(): PoolTx[] {
    const bySender = new Map<string, PoolTx[]>();
    for (const t of this.pool) {
      let l = bySender.get(t.sender);
      if (!l) {
        l = [];
        bySender.set(t.sender, l);
      }
      l.push(t);
    }
    const out: PoolTx[] = [];
    for (const l of bySender.values()) out.push(...l.sort((a, b) => a.x.nonce - b.x.nonce || a.seq - b.seq));
    return out;
  }

  // ---- transaction pool -----------------------------------------------------------------------------

  /**
   * Validates an extrinsic (0x-hex or its bytes) like a node's pool and queues it; returns its hash. Throws RpcError.
   * The signature is checked on this thread; {@link submitAsync} checks it on a worker when one is set.
   */
  submit(hex: string | Uint8Array, watch?: (s: TxStatus) => void): Submitted {
    const p = this.prepare(hex);
    if (!verifyMessage(p.x, p.msg)) throw invalidTx(INVALID.badProof);
    return this.admit(p.x, watch);
  }

  /** Like {@link submit}, with the signature check on the verifier's worker threads when available. */
  async submitAsync(hex: string | Uint8Array, watch?: (s: TxStatus) => void): Promise<Submitted> {
    const p = this.prepare(hex);
    const ok = this.verifier ? await this.verifier.verify(p.x, p.msg) : verifyMessage(p.x, p.msg);
    if (!ok) throw invalidTx(INVALID.badProof);
    return this.admit(p.x, watch);
  }

  /**
   * Checks a transaction like the TaggedTransactionQueue_validate_transaction runtime API: the checks of
   * {@link submit} against the state of the next block, without the pool's duplicate checks and without
   * queueing it. Returns the checked extrinsic; throws RpcError (1010 carries Substrate's reason text).
   */
  async validateTransaction(hex: string | Uint8Array): Promise<Extrinsic> {
    const p = this.prepare(hex, false);
    const ok = this.verifier ? await this.verifier.verify(p.x, p.msg) : verifyMessage(p.x, p.msg);
    if (!ok) throw invalidTx(INVALID.badProof);
    return p.x;
  }

  /** Decodes and runs the cheap pool checks; returns the message the signature must cover. */
  private prepare(hex: string | Uint8Array, inPool = true): { x: Extrinsic; msg: Uint8Array } {
    const raw =
      hex instanceof Uint8Array
        ? hex
        : typeof hex === 'string' && hex.startsWith('0x') && hex.length % 2 === 0
          ? fromHex(hex)
          : null;
    if (!raw) throw new RpcError(-32602, 'Invalid params', 'the extrinsic must be 0x-prefixed hex');
    const x = decodeExtrinsic(raw, this.rt.codecs);
    if (!x.signed) {
      // Only inherents are unsigned here, and they are never accepted from outside.
      throw invalidTx(INVALID.mandatory);
    }
    if (inPool && this.poolHashes.has(x.hash)) throw new RpcError(1013, 'Transaction Already Imported');
    const current = this.bestNumber() + 1;
    let birthHash = hexToU8a(this.genesisHash);
    if (!x.era.immortal) {
      const birth = eraBirth(x.era, current);
      const b = this.block(birth);
      if (birth > this.bestNumber() || !b || current >= birth + x.era.period)
        throw invalidTx(INVALID.ancientBirth);
      birthHash = hexToU8a(b.hash);
    }
    this.checkAccount(x);
    this.poolValidate(x);
    const msg = signingMessage(x, {
      specVersion: RUNTIME_VERSION.specVersion,
      transactionVersion: RUNTIME_VERSION.transactionVersion,
      genesisHash: hexToU8a(this.genesisHash),
      birthHash,
    });
    return { x, msg };
  }

  /**
   * The pool-level checks of subtensor's SubtensorTransactionExtension: serving calls run their full
   * validation, weight calls the minimum-stake check. Failures are `1010 Invalid Transaction: Custom error: N`.
   */
  private poolValidate(x: Extrinsic): void {
    if (x.call.tag !== 'SubtensorModule') return;
    const inner = x.call.value as { tag: string; value?: Record<string, unknown> };
    const args = inner.value ?? {};
    if (WEIGHT_CALLS.has(inner.tag)) {
      if (!this.sub.meetsStakeThreshold(x.signer!, args.netuid as number)) throw invalidTx('Custom error: 1');
      return;
    }
    if (inner.tag !== 'serve_axon' && inner.tag !== 'serve_prometheus') return;
    // Run the real checks against the state of the next block, then throw everything away.
    const rt = this.rt;
    const events = rt.events;
    const block = rt.blockNumber;
    rt.events = [];
    rt.blockNumber = this.bestNumber() + 1;
    rt.kv.begin();
    try {
      rt.dispatch({ kind: 'signed', who: x.signer! }, x.call);
    } catch (e) {
      if (e instanceof DispatchError) {
        const name = e.message.split('.').pop() ?? '';
        throw invalidTx(`Custom error: ${SERVE_CUSTOM_ERRORS[name] ?? 255}`);
      }
      throw e;
    } finally {
      rt.kv.rollback();
      rt.events = events;
      rt.blockNumber = block;
    }
  }

  private checkAccount(x: Extrinsic): AccountInfo {
    const acc = this.rt.account(x.signer!);
    // subtensor's own CheckNonce lets accounts without a balance (hotkeys) send fee-free calls.
    const inner = x.call.value as { tag: string };
    if (acc.providers === 0 && !PAYS_NO.has(`${x.call.tag}.${inner.tag}`)) throw invalidTx(INVALID.payment);
    if (x.nonce < acc.nonce) throw invalidTx(INVALID.stale);
    return acc;
  }

  /** Queues a verified extrinsic (re-checking what may have changed while it was verified). */
  private admit(x: Extrinsic, watch?: (s: TxStatus) => void): Submitted {
    if (this.poolHashes.has(x.hash)) throw new RpcError(1013, 'Transaction Already Imported');
    const acc = this.checkAccount(x);
    const sender = u8aToHex(x.signer!);
    let pending = this.poolNonces.get(sender);
    if (pending?.has(x.nonce))
      throw new RpcError(
        1014,
        'Priority is too low: (0 vs 0)',
        'The transaction has too low priority to replace another transaction already in the pool.',
      );
    if (!pending) {
      pending = new Set();
      this.poolNonces.set(sender, pending);
    }
    pending.add(x.nonce);
    this.pool.push({ x, sender, seq: this.seq++, watch });
    this.poolHashes.add(x.hash);
    let expected = acc.nonce;
    while (pending.has(expected)) expected++;
    this.emit('tx');
    return { hash: x.hash, status: x.nonce <= expected ? 'ready' : 'future' };
  }

  /** Pending extrinsics (hex), like author_pendingExtrinsics. */
  pending(): string[] {
    return this.pool.map((t) => toHex(t.x.bytes));
  }

  poolSize(): number {
    return this.pool.length;
  }

  /** The next nonce of an account, counting its ready transactions in the pool. */
  nextNonce(who: Uint8Array): number {
    const acc: AccountInfo = this.rt.account(who);
    const nonces = this.poolNonces.get(u8aToHex(who));
    let n = acc.nonce;
    while (nonces?.has(n)) n++;
    return n;
  }

  // ---- state queries --------------------------------------------------------------------------------

  /** Resolves an optional block hash to a block number (the best block when absent). Throws if unknown. */
  resolve(at?: string | null): number {
    if (at === undefined || at === null) return this.bestNumber();
    const b = this.blockByHash(at);
    if (!b) throw new RpcError(4003, `Client error: UnknownBlock: header not found for ${at}`);
    return b.number;
  }

  /** Value of a storage key at a block (hex or null). */
  storageAt(key: string, at: number): Uint8Array | null {
    const k = key.toLowerCase();
    for (let n = at + 1; n <= this.bestNumber(); n++) {
      const j = this.journals.get(n);
      if (j?.has(k)) return j.get(k) ?? null;
    }
    return this.rt.kv.base.get(k) ?? null;
  }

  /** Sorted keys with a prefix that exist at a block. */
  keysAt(prefix: string, at: number): string[] {
    const p = prefix.toLowerCase();
    const keys = new Set(this.rt.kv.keysWithPrefix(p));
    if (at !== this.bestNumber()) {
      for (let n = at + 1; n <= this.bestNumber(); n++)
        for (const k of this.journals.get(n)?.keys() ?? []) if (k.startsWith(p)) keys.add(k);
      for (const k of [...keys]) if (this.storageAt(k, at) === null) keys.delete(k);
    }
    return [...keys].sort();
  }

  // ---- persistence ----------------------------------------------------------------------------------

  /** A JSON-serialisable snapshot: state, headers, recent bodies. */
  snapshot(): ChainSnapshot {
    return {
      version: 1,
      genesisHash: this.genesisHash,
      stateRoot: u8aToHex(this.stateRoot),
      lastTimestamp: this.lastTimestamp.toString(),
      state: [...this.rt.kv.base].map(([k, v]) => [k, u8aToHex(v)]),
      blocks: this.blocks.map((b) => [b.hash, b.header, b.extrinsics?.map(toHex) ?? null]),
    };
  }

  restore(snap: ChainSnapshot): void {
    if (snap.version !== 1) throw new Error(`unsupported devnet state version ${snap.version}`);
    const base = this.rt.kv.base;
    base.clear();
    for (const [k, v] of snap.state) base.set(k, hexToU8a(v));
    this.blocks.length = 0;
    this.byHash.clear();
    snap.blocks.forEach(([hash, header, extrinsics], i) => {
      this.blocks[i] = {
        number: i,
        hash,
        header,
        extrinsics: extrinsics?.map((e) => fromHex(e) ?? new Uint8Array()) ?? null,
      };
      this.byHash.set(hash, i);
    });
    this.genesisHash = snap.genesisHash;
    this.stateRoot = hexToU8a(snap.stateRoot);
    this.lastTimestamp = BigInt(snap.lastTimestamp);
    this.rt.blockNumber = this.bestNumber();
    this.rt.invalidateNetuids();
  }
}

export interface ChainSnapshot {
  version: 1;
  genesisHash: string;
  stateRoot: string;
  lastTimestamp: string;
  state: [string, string][];
  blocks: [string, HeaderJson, string[] | null][];
}

/** Fast hex → bytes (Buffer); null when the text is not hex. */
export function fromHex(hex: string): Uint8Array | null {
  const body = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0) return null;
  const b = Buffer.from(body, 'hex');
  if (b.length * 2 !== body.length) return null;
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Fast bytes → 0x hex. */
export function toHex(b: Uint8Array): string {
  return '0x' + Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}
