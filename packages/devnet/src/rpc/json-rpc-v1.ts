/**
 * The new JSON-RPC interface (paritytech/json-rpc-interface-spec), served natively beside the legacy
 * methods: `chainHead_v1_*` (follow with its block and operation events, header, body, storage, call,
 * unpin, continue, stopOperation, unfollow), `chainSpec_v1_*`, `transaction_v1_broadcast/stop` and
 * `transactionWatch_v1_submitAndWatch/unwatch`. Every block is final when built, so each new block is
 * reported as `newBlock`, `bestBlockChanged` and `finalized` at once.
 */
import { randomBytes } from 'node:crypto';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';
import type { BlockRecord, HeaderJson, TxStatus } from '../chain.js';
import { chainHeadRuntimeSpec } from '../metadata/version.js';
import { RpcError } from '../runtime/errors.js';
import { Writer } from '../scale/codec.js';
import {
  bytesParam,
  CODE_KEY,
  hexParam,
  invalidParams,
  type RpcMethods,
  type Subscriber,
} from './methods.js';

const FOLLOW_EVENT = 'chainHead_v1_followEvent';
const WATCH_EVENT = 'transactionWatch_v1_watchEvent';
/**
 * Pinned blocks per follow subscription before it is stopped (the spec lets a server stop followers that do
 * not unpin). Below the 512 blocks of state history the devnet keeps, so a pinned block's storage is exact.
 */
const MAX_PINNED = 256;
/** Ancestors of the finalized block reported (and pinned) by the `initialized` event. */
const INITIAL_ANCESTORS = 8;
/** Storage items per `operationStorageItems` notification. */
const ITEMS_PER_NOTIFICATION = 1000;

const invalidBlock = (hash: string) =>
  new RpcError(-32801, 'Invalid block hash', `block ${hash} is not pinned by this follow subscription`);

/** SCALE of a header (digest logs are always empty on the devnet). */
export function encodeHeader(h: HeaderJson): Uint8Array {
  const w = new Writer(128);
  w.bytes(hexToU8a(h.parentHash));
  w.compact(Number.parseInt(h.number, 16));
  w.bytes(hexToU8a(h.stateRoot));
  w.bytes(hexToU8a(h.extrinsicsRoot));
  w.compact(0);
  return w.finish();
}

interface Follower {
  sub: Subscriber;
  withRuntime: boolean;
  pinned: Set<string>;
  /** Operations started and not finished or stopped. */
  ops: Set<string>;
}

type StorageQueryType =
  | 'value'
  | 'hash'
  | 'closestDescendantMerkleValue'
  | 'descendantsValues'
  | 'descendantsHashes';
const STORAGE_TYPES = new Set<string>([
  'value',
  'hash',
  'closestDescendantMerkleValue',
  'descendantsValues',
  'descendantsHashes',
]);

type StorageItem = { key: string; value?: string; hash?: string; closestDescendantMerkleValue?: string };

const newId = () => randomBytes(8).toString('hex');
const hash256 = (v: Uint8Array) => blake2AsHex(v, 256);

/** The shared state of chainHead_v1: followers, their pinned blocks and operations. */
function chainHeadState(rpc: RpcMethods) {
  const c = rpc.chain;
  const followers = new Map<string, Follower>();

  const follower = (id: unknown): Follower | undefined =>
    typeof id === 'string' ? followers.get(id) : undefined;
  /** The block number of a pinned block; -32801 otherwise. */
  const pinnedBlock = (f: Follower, hash: unknown): BlockRecord => {
    const h = typeof hash === 'string' ? hash.toLowerCase() : '';
    if (!/^0x[0-9a-f]{64}$/.test(h)) throw invalidParams('block hash must be a 32-byte 0x hex string');
    const b = c.blockByHash(h);
    if (!f.pinned.has(h) || !b) throw invalidBlock(h);
    return b;
  };
  /** Starts an operation: its events go out after the method's reply. */
  const startOperation = (f: Follower, run: (emit: (event: object) => boolean) => Promise<void> | void) => {
    const operationId = newId();
    f.ops.add(operationId);
    const emit = (event: object) => {
      if (!f.ops.has(operationId)) return false;
      f.sub.send(FOLLOW_EVENT, { ...event, operationId });
      return true;
    };
    setImmediate(() => {
      Promise.resolve()
        .then(() => run(emit))
        .catch((e: unknown) => {
          const msg = e instanceof RpcError ? `${e.message}${e.data ? `: ${e.data}` : ''}` : String(e);
          emit({ event: 'operationError', error: msg });
        })
        .finally(() => f.ops.delete(operationId));
    });
    return operationId;
  };
  return { rpc, c, followers, follower, pinnedBlock, startOperation };
}

type ChainHeadState = ReturnType<typeof chainHeadState>;

/** `chainHead_v1_follow`: the follow subscription and its block events. */
function registerChainHeadFollow({ rpc, c, followers }: ChainHeadState): void {
  rpc.subscription('chainHead_v1_follow', {
    notify: FOLLOW_EVENT,
    unsubscribe: 'chainHead_v1_unfollow',
    unsubscribeReturnsNull: true,
    fn: (p, sub) => {
      if (typeof p[0] !== 'boolean') throw invalidParams('withRuntime must be a boolean');
      const f: Follower = { sub, withRuntime: p[0], pinned: new Set(), ops: new Set() };
      followers.set(sub.id, f);
      const best = c.best;
      // The finalized block and a few of its ancestors (clients such as dedot look up the parent).
      const finalized: string[] = [];
      for (let n = Math.max(0, best.number - INITIAL_ANCESTORS); n <= best.number; n++)
        finalized.push(c.block(n)!.hash);
      for (const h of finalized) f.pinned.add(h);
      sub.send(FOLLOW_EVENT, {
        event: 'initialized',
        finalizedBlockHashes: finalized,
        ...(f.withRuntime ? { finalizedBlockRuntime: { type: 'valid', spec: chainHeadRuntimeSpec() } } : {}),
      });
      sub.send(FOLLOW_EVENT, { event: 'bestBlockChanged', bestBlockHash: best.hash });
      const onBlock = (b: BlockRecord) => {
        if (f.pinned.size >= MAX_PINNED) {
          sub.send(FOLLOW_EVENT, { event: 'stop' });
          sub.end();
          return;
        }
        f.pinned.add(b.hash);
        sub.send(FOLLOW_EVENT, {
          event: 'newBlock',
          blockHash: b.hash,
          parentBlockHash: b.header.parentHash,
          ...(f.withRuntime ? { newRuntime: null } : {}),
        });
        sub.send(FOLLOW_EVENT, { event: 'bestBlockChanged', bestBlockHash: b.hash });
        sub.send(FOLLOW_EVENT, { event: 'finalized', finalizedBlockHashes: [b.hash], prunedBlockHashes: [] });
      };
      c.on('block', onBlock);
      sub.onClose(() => {
        c.off('block', onBlock);
        f.ops.clear();
        followers.delete(sub.id);
      });
    },
  });
}

/** `chainHead_v1_header`, `_body` and `_call` on pinned blocks. */
function registerChainHeadBlocks({ rpc, follower, pinnedBlock, startOperation }: ChainHeadState): void {
  rpc.method('chainHead_v1_header', (p) => {
    const f = follower(p[0]);
    if (!f) return null;
    return u8aToHex(encodeHeader(pinnedBlock(f, p[1]).header));
  });

  rpc.method('chainHead_v1_body', (p) => {
    const f = follower(p[0]);
    if (!f) return { result: 'limitReached' };
    const b = pinnedBlock(f, p[1]);
    const operationId = startOperation(f, (emit) => {
      if (!b.extrinsics) emit({ event: 'operationInaccessible' });
      else emit({ event: 'operationBodyDone', value: b.extrinsics.map((x) => u8aToHex(x)) });
    });
    return { result: 'started', operationId };
  });

  rpc.method('chainHead_v1_call', (p) => {
    const f = follower(p[0]);
    if (!f) return { result: 'limitReached' };
    // Runtime calls see the best block's state (the devnet has one runtime and no per-block executor).
    pinnedBlock(f, p[1]);
    if (typeof p[2] !== 'string') throw invalidParams('function must be a string');
    const fn = p[2];
    const data = hexToU8a(hexParam(p[3] ?? '0x', 'callParameters'));
    const operationId = startOperation(f, async (emit) => {
      const out = await rpc.stateCall(fn, data);
      emit({ event: 'operationCallDone', output: u8aToHex(out) });
    });
    return { result: 'started', operationId };
  });
}

/** `chainHead_v1_storage`: the five query types. */
function registerChainHeadStorage({ rpc, c, follower, pinnedBlock, startOperation }: ChainHeadState): void {
  rpc.method('chainHead_v1_storage', (p) => {
    const f = follower(p[0]);
    if (!f) return { result: 'limitReached' };
    const b = pinnedBlock(f, p[1]);
    if (!Array.isArray(p[2])) throw invalidParams('items must be an array');
    if (p[3] !== undefined && p[3] !== null)
      throw invalidParams('the devnet has no child tries (childTrie must be null)');
    const queries = p[2].map((it: unknown) => {
      const q = it as { key?: unknown; type?: unknown };
      if (typeof q !== 'object' || q === null || typeof q.type !== 'string' || !STORAGE_TYPES.has(q.type))
        throw invalidParams(`each item needs a hex key and a type (${[...STORAGE_TYPES].join(', ')})`);
      return { key: hexParam(q.key, 'key'), type: q.type as StorageQueryType };
    });
    const n = b.number;
    const operationId = startOperation(f, (emit) => {
      const items: StorageItem[] = [];
      for (const { key, type } of queries) {
        if (type === 'value' || type === 'hash') {
          const v = rpc.storage(key, n);
          if (v) items.push(type === 'value' ? { key, value: u8aToHex(v) } : { key, hash: hash256(v) });
          continue;
        }
        const keys = c.keysAt(key, n);
        if (CODE_KEY.startsWith(key)) keys.push(CODE_KEY);
        keys.sort();
        if (type === 'closestDescendantMerkleValue') {
          // No trie: a digest of the subtree's keys and values, which changes whenever the subtree does.
          if (keys.length === 0) continue;
          const w = new Writer(1 << 12);
          for (const k of keys) {
            w.bytes(hexToU8a(k));
            w.bytes(blake2AsU8a(rpc.storage(k, n) ?? new Uint8Array(), 256));
          }
          items.push({ key, closestDescendantMerkleValue: hash256(w.finish()) });
          continue;
        }
        for (const k of keys) {
          const v = rpc.storage(k, n);
          if (!v) continue;
          items.push(
            type === 'descendantsValues' ? { key: k, value: u8aToHex(v) } : { key: k, hash: hash256(v) },
          );
        }
      }
      for (let i = 0; i < items.length; i += ITEMS_PER_NOTIFICATION)
        if (!emit({ event: 'operationStorageItems', items: items.slice(i, i + ITEMS_PER_NOTIFICATION) }))
          return;
      emit({ event: 'operationStorageDone' });
    });
    return { result: 'started', operationId, discardedItems: 0 };
  });
}

/** `chainHead_v1_unpin`, `_continue` and `_stopOperation`. */
function registerChainHeadOperations({ rpc, follower }: ChainHeadState): void {
  rpc.method('chainHead_v1_unpin', (p) => {
    const f = follower(p[0]);
    if (!f) return null;
    const list = Array.isArray(p[1]) ? p[1] : [p[1]];
    const hashes = list.map((h) => (typeof h === 'string' ? h.toLowerCase() : ''));
    if (new Set(hashes).size !== hashes.length)
      throw new RpcError(-32804, 'Duplicate hashes', 'the same block hash is passed more than once');
    for (const h of hashes) if (!f.pinned.has(h)) throw invalidBlock(h);
    for (const h of hashes) f.pinned.delete(h);
    return null;
  });

  // Operations finish at once and never wait for chainHead_v1_continue.
  rpc.method('chainHead_v1_continue', (p) => {
    const f = follower(p[0]);
    if (!f) return null;
    throw new RpcError(-32803, 'Invalid continue', `operation ${String(p[1])} is not waiting for continue`);
  });

  rpc.method('chainHead_v1_stopOperation', (p) => {
    const f = follower(p[0]);
    if (f && typeof p[1] === 'string') f.ops.delete(p[1]);
    return null;
  });
}

/** `chainSpec_v1_*`. */
function registerChainSpec(rpc: RpcMethods): void {
  const c = rpc.chain;
  rpc.method('chainSpec_v1_chainName', () => rpc.info.chainName);
  rpc.method('chainSpec_v1_genesisHash', () => c.genesisHash);
  rpc.method('chainSpec_v1_properties', () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }));
}

/** `transaction_v1_*` and `transactionWatch_v1_*`. */
function registerTransaction(rpc: RpcMethods): void {
  const c = rpc.chain;
  // transaction_v1: submitted to the pool once; the devnet has no peers to re-broadcast to.
  const broadcasts = new Set<string>();
  rpc.method('transaction_v1_broadcast', (p) => {
    const tx = bytesParam(p[0], 'transaction');
    const operationId = newId();
    broadcasts.add(operationId);
    c.submitAsync(tx).then(
      () => undefined,
      (e: unknown) => c.log?.debug({ err: e }, 'devnet: transaction_v1_broadcast refused a transaction'),
    );
    return operationId;
  });
  rpc.method('transaction_v1_stop', (p) => {
    if (typeof p[0] !== 'string' || !broadcasts.delete(p[0]))
      throw invalidParams(`unknown transaction_v1_broadcast operation id ${String(p[0])}`);
    return null;
  });

  rpc.subscription('transactionWatch_v1_submitAndWatch', {
    notify: WATCH_EVENT,
    unsubscribe: 'transactionWatch_v1_unwatch',
    unsubscribeReturnsNull: true,
    fn: async (p, sub) => {
      const tx = bytesParam(p[0], 'transaction');
      const txHash = hash256(tx);
      let done = false;
      const finish = (event: object) => {
        if (done) return;
        done = true;
        sub.send(WATCH_EVENT, event);
        sub.end();
      };
      const at = (blockHash: string) => {
        const b = c.blockByHash(blockHash);
        const index = b?.extrinsics?.findIndex((x) => hash256(x) === txHash) ?? -1;
        return { hash: blockHash, index: Math.max(index, 0) };
      };
      const watch = (s: TxStatus) => {
        if (done) return;
        if (s === 'invalid')
          finish({ event: 'invalid', error: 'the transaction became invalid in the pool' });
        else if (s === 'dropped')
          finish({ event: 'dropped', error: 'the transaction was dropped from the pool' });
        else if (typeof s === 'object' && 'inBlock' in s)
          sub.send(WATCH_EVENT, { event: 'bestChainBlockIncluded', block: at(s.inBlock) });
        else if (typeof s === 'object' && 'finalized' in s)
          finish({ event: 'finalized', block: at(s.finalized) });
      };
      sub.onClose(() => {
        done = true;
      });
      try {
        await c.submitAsync(tx, (st) => queueMicrotask(() => watch(st)));
        sub.send(WATCH_EVENT, { event: 'validated' });
      } catch (e) {
        const why = e instanceof RpcError ? `${e.message}${e.data ? `: ${e.data}` : ''}` : String(e);
        // Refused by the checks (1010) or undecodable (1002): invalid; a duplicate or a pool conflict: dropped.
        const invalid = e instanceof RpcError && (e.code === 1010 || e.code === 1002);
        finish({ event: invalid ? 'invalid' : e instanceof RpcError ? 'dropped' : 'error', error: why });
      }
    },
  });
}

export function registerJsonRpcV1(rpc: RpcMethods): void {
  const state = chainHeadState(rpc);
  registerChainHeadFollow(state);
  registerChainHeadBlocks(state);
  registerChainHeadStorage(state);
  registerChainHeadOperations(state);
  registerChainSpec(rpc);
  registerTransaction(rpc);
}
