/**
 * The JSON-RPC methods a Substrate node offers that @polkadot/api uses, answered from the devnet chain.
 * Plain methods return a value; subscriptions get a `Subscriber` to push notifications through.
 */
import { compactToU8a, hexToU8a, isHex, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex, decodeAddress } from '@polkadot/util-crypto';
import { type BlockRecord, type Chain, type TxStatus, toHex } from '../chain.js';
import { buildMetadataBytes } from '../metadata/build.js';
import { runtimeCode, runtimeVersionBytes, runtimeVersionJson } from '../metadata/version.js';
import { Reader, Writer } from '../scale/codec.js';
import { RpcError } from '../runtime/errors.js';
import { decodeExtrinsic } from '../runtime/extrinsic.js';
import type { Layer } from '../runtime/storage.js';
import { registerJsonRpcV1 } from './json-rpc-v1.js';
import { validateTransactionCall } from './validate.js';

/** Pushes notifications of one subscription; returns nothing. */
export interface Subscriber {
  /** Sends `{ subscription, result }` under the given notification method. */
  send(method: string, result: unknown): void;
  /** Registers the cleanup run on unsubscribe or connection close. */
  onClose(fn: () => void): void;
  /** Ends the subscription from the server side (after `finalized`). */
  end(): void;
  /** The subscription id the client sees. */
  readonly id: string;
}

type Params = unknown[];
export type Method = (params: Params) => unknown | Promise<unknown>;
export type SubMethod = (params: Params, sub: Subscriber) => void | Promise<void>;

export interface DevnetInfo {
  chainName: string;
  nodeName: string;
  version: string;
}

const METADATA_VERSIONS = [14, 15] as const;

const NEURON_INFO = 'pallet_subtensor::rpc_info::neuron_info::NeuronInfo<sp_core::crypto::AccountId32>';
const NEURON_INFO_LITE =
  'pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite<sp_core::crypto::AccountId32>';

/** NeuronInfo(Lite) of one uid, assembled from storage like subtensor's rpc_info/neuron_info.rs. */
function neuronInfo(c: Chain, netuid: number, uid: number, full: boolean): Record<string, unknown> {
  const s = c.rt.state;
  const S = 'SubtensorModule';
  const hotkey = s.get<Uint8Array>(`${S}.Keys`, netuid, uid);
  const coldkey = s.get<Uint8Array>(`${S}.Owner`, hotkey);
  const u16At = (item: string) => Number(s.vecGet(`${S}.${item}`, [netuid], uid) ?? 0);
  const axon = s.get<Record<string, unknown> | null>(`${S}.Axons`, netuid, hotkey) ?? {
    block: 0n,
    version: 0,
    ip: 0n,
    port: 0,
    ip_type: 0,
    protocol: 0,
    placeholder1: 0,
    placeholder2: 0,
  };
  const prometheus = s.get<Record<string, unknown> | null>(`${S}.Prometheus`, netuid, hotkey) ?? {
    block: 0n,
    version: 0,
    ip: 0n,
    port: 0,
    ip_type: 0,
  };
  const info: Record<string, unknown> = {
    hotkey,
    coldkey,
    uid,
    netuid,
    active: s.vecGet(`${S}.Active`, [netuid], uid) === true,
    axon_info: axon,
    prometheus_info: prometheus,
    stake: [[coldkey, s.get<bigint>(`${S}.TotalHotkeyAlpha`, hotkey, netuid)]],
    rank: u16At('Rank'),
    emission: (s.vecGet(`${S}.Emission`, [netuid], uid) as bigint | undefined) ?? 0n,
    incentive: u16At('Incentive'),
    consensus: u16At('Consensus'),
    trust: u16At('Trust'),
    validator_trust: u16At('ValidatorTrust'),
    dividends: u16At('Dividends'),
    last_update: (s.vecGet(`${S}.LastUpdate`, [netuid], uid) as bigint | undefined) ?? 0n,
    validator_permit: s.vecGet(`${S}.ValidatorPermit`, [netuid], uid) === true,
    pruning_score: u16At('PruningScores'),
  };
  if (full) {
    // Zero weights and bonds are left out, as subtensor does.
    const row = (item: string) =>
      s.get<[number, number][]>(`${S}.${item}`, netuid, uid).filter(([, w]) => w > 0);
    info.weights = row('Weights');
    info.bonds = row('Bonds');
  }
  return info;
}

export const invalidParams = (why: string) => new RpcError(-32602, 'Invalid params', why);

/**
 * A `Bytes` parameter read as a Substrate node reads it: hex digits with or without `0x`, `""` and `"0x"`
 * being empty. Returns lower-case 0x hex.
 */
export function hexParam(v: unknown, what: string): string {
  if (typeof v !== 'string') throw invalidParams(`${what} must be a hex string`);
  const body = v.startsWith('0x') || v.startsWith('0X') ? v.slice(2) : v;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body))
    throw invalidParams(`${what} must be hex bytes (an even number of hex digits, 0x optional)`);
  return `0x${body.toLowerCase()}`;
}

/**
 * Bytes of a hex parameter (0x optional, any case), checked like {@link hexParam} but without building a
 * lower-cased copy: extrinsics are tens of KiB of hex, and this is on every submission's path.
 */
export function bytesParam(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string') throw invalidParams(`${what} must be a hex string`);
  const prefixed = v.startsWith('0x') || v.startsWith('0X');
  const digits = prefixed ? v.length - 2 : v.length;
  // Buffer's hex decoder stops at the first pair that is not hex, so a short result means bad input.
  const b = digits % 2 === 0 ? Buffer.from(prefixed ? v.slice(2) : v, 'hex') : null;
  if (!b || b.length * 2 !== digits)
    throw invalidParams(`${what} must be hex bytes (an even number of hex digits, 0x optional)`);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** A block number as chain_getBlockHash takes it: a JSON number or any hex number (`"0x0"`, `"0x1f4"`). */
function blockNumberParam(x: unknown): number {
  let n = Number.NaN;
  if (typeof x === 'number') n = x;
  else if (typeof x === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(x)) {
    const b = BigInt(x);
    n = b > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(b);
  }
  if (!Number.isInteger(n) || n < 0)
    throw invalidParams('block number must be a non-negative integer or a 0x hex number');
  return n;
}

/** The well-known storage key of the runtime code (`:code`). */
export const CODE_KEY = '0x3a636f6465';

function optHash(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !isHex(v, 256))
    throw invalidParams('block hash must be a 32-byte 0x hex string');
  return v.toLowerCase();
}

export interface SubscriptionSpec {
  notify: string;
  unsubscribe: string;
  fn: SubMethod;
  /** The new JSON-RPC spec's unsubscribe functions answer null (the legacy ones true/false). */
  unsubscribeReturnsNull?: boolean;
}

export class RpcMethods {
  readonly methods = new Map<string, Method>();
  readonly subscriptions = new Map<string, SubscriptionSpec>();
  private readonly metadata: Record<number, Uint8Array> = {};
  private readonly versionBytes: Uint8Array;
  private readonly code: Uint8Array;

  constructor(
    readonly chain: Chain,
    readonly info: DevnetInfo,
  ) {
    for (const v of METADATA_VERSIONS) this.metadata[v] = buildMetadataBytes(v);
    this.versionBytes = runtimeVersionBytes();
    this.code = runtimeCode(this.metadata[15]!);
    this.register();
    registerJsonRpcV1(this);
  }

  /** RuntimeVersion as the JSON of state_getRuntimeVersion. */
  runtimeVersionJson() {
    return runtimeVersionJson();
  }

  /** Registers a plain method (and its aliases). */
  method(name: string, fn: Method, ...aliases: string[]): void {
    this.methods.set(name, fn);
    for (const a of aliases) this.methods.set(a, fn);
  }

  /** Registers a subscription (and its aliases). */
  subscription(name: string, spec: SubscriptionSpec, ...aliases: string[]): void {
    this.subscriptions.set(name, spec);
    for (const a of aliases) this.subscriptions.set(a, spec);
  }

  /** A storage value at a block, with the well-known `:code` key holding the runtime code. */
  storage(key: string, at: number): Uint8Array | null {
    if (key === CODE_KEY) return this.code;
    return this.chain.storageAt(key, at);
  }

  private register(): void {
    this.registerSystem();
    this.registerChain();
    this.registerState();
    this.registerAuthor();
  }

  /** `rpc_methods` and `system_*`. */
  private registerSystem(): void {
    const c = this.chain;
    const m = (name: string, fn: Method, ...aliases: string[]) => this.method(name, fn, ...aliases);
    m('rpc_methods', () => ({
      version: 1,
      methods: [...this.methods.keys(), ...this.subscriptions.keys(), ...this.unsubscribeNames()].sort(),
    }));
    m('system_chain', () => this.info.chainName);
    m('system_name', () => this.info.nodeName);
    m('system_version', () => this.info.version);
    m('system_chainType', () => 'Development');
    m('system_properties', () => ({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: 'TAO' }));
    m('system_health', () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }));
    m('system_localPeerId', () => '12D3KooWDevnetSubnetkitLocalPeer');
    m('system_nodeRoles', () => ['Authority']);
    m('system_peers', () => []);
    m('system_syncState', () => ({
      startingBlock: 0,
      currentBlock: c.bestNumber(),
      highestBlock: c.bestNumber(),
    }));
    m(
      'system_accountNextIndex',
      (p) => {
        if (typeof p[0] !== 'string') throw invalidParams('expected an SS58 address');
        let who: Uint8Array;
        try {
          who = decodeAddress(p[0]);
        } catch {
          throw invalidParams(`'${p[0]}' is not an SS58 address`);
        }
        return c.nextNonce(who);
      },
      'account_nextIndex',
    );
  }

  /** `chain_*`: block hashes, headers, bodies and head subscriptions. */
  private registerChain(): void {
    const c = this.chain;
    const m = (name: string, fn: Method, ...aliases: string[]) => this.method(name, fn, ...aliases);
    const sub = (name: string, notify: string, unsubscribe: string, fn: SubMethod, ...aliases: string[]) =>
      this.subscription(name, { notify, unsubscribe, fn }, ...aliases);
    m(
      'chain_getBlockHash',
      (p) => {
        const arg = p[0];
        if (arg === undefined || arg === null) return c.best.hash;
        const one = (x: unknown) => c.block(blockNumberParam(x))?.hash ?? null;
        return Array.isArray(arg) ? arg.map(one) : one(arg);
      },
      'chain_getHead',
    );
    m('chain_getHeader', (p) => this.blockAt(p[0])?.header ?? null);
    m('chain_getBlock', (p) => {
      const b = this.blockAt(p[0]);
      if (!b) return null;
      if (!b.extrinsics)
        throw new RpcError(
          4003,
          `Client error: the devnet keeps bodies of recent blocks only (block ${b.number})`,
        );
      return { block: { header: b.header, extrinsics: b.extrinsics.map(toHex) }, justifications: null };
    });
    m('chain_getFinalizedHead', () => c.best.hash, 'chain_getFinalisedHead');
    const heads = (method: string) => (_p: Params, s: Subscriber) => {
      s.send(method, c.best.header);
      const l = (b: BlockRecord) => s.send(method, b.header);
      c.on('block', l);
      s.onClose(() => c.off('block', l));
    };
    sub(
      'chain_subscribeNewHeads',
      'chain_newHead',
      'chain_unsubscribeNewHeads',
      heads('chain_newHead'),
      'chain_subscribeNewHead',
      'subscribe_newHead',
    );
    sub('chain_subscribeAllHeads', 'chain_allHead', 'chain_unsubscribeAllHeads', heads('chain_allHead'));
    sub(
      'chain_subscribeFinalizedHeads',
      'chain_finalizedHead',
      'chain_unsubscribeFinalizedHeads',
      heads('chain_finalizedHead'),
      'chain_subscribeFinalisedHeads',
    );
  }

  /** `state_*`: metadata, storage, runtime calls and storage subscriptions. */
  private registerState(): void {
    const c = this.chain;
    const m = (name: string, fn: Method, ...aliases: string[]) => this.method(name, fn, ...aliases);
    const sub = (name: string, notify: string, unsubscribe: string, fn: SubMethod, ...aliases: string[]) =>
      this.subscription(name, { notify, unsubscribe, fn }, ...aliases);
    m('state_getMetadata', (p) => {
      this.blockNumberOf(p[0]);
      return u8aToHex(this.metadata[14]!);
    });
    m(
      'state_getRuntimeVersion',
      (p) => {
        this.blockNumberOf(p[0]);
        return this.runtimeVersionJson();
      },
      'chain_getRuntimeVersion',
    );
    sub(
      'state_subscribeRuntimeVersion',
      'state_runtimeVersion',
      'state_unsubscribeRuntimeVersion',
      (_p, s) => s.send('state_runtimeVersion', this.runtimeVersionJson()),
      'chain_subscribeRuntimeVersion',
    );
    m(
      'state_getStorage',
      (p) => {
        const v = this.storage(hexParam(p[0], 'key'), this.blockNumberOf(p[1]));
        return v ? u8aToHex(v) : null;
      },
      'state_getStorageAt',
    );
    m('state_getStorageHash', (p) => {
      const v = this.storage(hexParam(p[0], 'key'), this.blockNumberOf(p[1]));
      return v ? blake2AsHex(v, 256) : null;
    });
    m('state_getStorageSize', (p) => {
      const v = this.storage(hexParam(p[0], 'key'), this.blockNumberOf(p[1]));
      return v ? v.length : null;
    });
    m('state_queryStorageAt', (p) => {
      if (!Array.isArray(p[0])) throw invalidParams('keys must be an array');
      const n = this.blockNumberOf(p[1]);
      const changes = p[0].map((k) => {
        const key = hexParam(k, 'key');
        const v = this.storage(key, n);
        return [key, v ? u8aToHex(v) : null];
      });
      return [{ block: c.block(n)!.hash, changes }];
    });
    m('state_queryStorage', (p) => {
      if (!Array.isArray(p[0])) throw invalidParams('keys must be an array');
      const from = this.blockNumberOf(p[1]);
      const to = p[2] === undefined || p[2] === null ? c.bestNumber() : this.blockNumberOf(p[2]);
      const keys = p[0].map((k) => hexParam(k, 'key'));
      const out: { block: string; changes: [string, string | null][] }[] = [];
      const last = new Map<string, string | null>();
      for (let n = from; n <= to; n++) {
        const changes: [string, string | null][] = [];
        for (const k of keys) {
          const v = this.storage(k, n);
          const hex = v ? u8aToHex(v) : null;
          if (n === from || last.get(k) !== hex) changes.push([k, hex]);
          last.set(k, hex);
        }
        if (changes.length) out.push({ block: c.block(n)!.hash, changes });
      }
      return out;
    });
    m(
      'state_getKeysPaged',
      (p) => {
        const prefix = p[0] === null || p[0] === undefined ? '0x' : hexParam(p[0], 'prefix');
        const count = Number(p[1]);
        if (!Number.isInteger(count) || count < 0 || count > 1000)
          throw invalidParams('count must be an integer in 0..1000');
        const start = p[2] === null || p[2] === undefined ? null : hexParam(p[2], 'startKey');
        const keys = c.keysAt(prefix, this.blockNumberOf(p[3]));
        let i = 0;
        if (start) {
          // Binary search for the first key strictly after startKey.
          let lo = 0;
          let hi = keys.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (keys[mid]! <= start) lo = mid + 1;
            else hi = mid;
          }
          i = lo;
        }
        return keys.slice(i, i + count);
      },
      'state_getKeysPagedAt',
    );
    m('state_getKeys', (p) => c.keysAt(hexParam(p[0], 'prefix'), this.blockNumberOf(p[1])));
    m('state_getPairs', (p) => {
      const n = this.blockNumberOf(p[1]);
      return c.keysAt(hexParam(p[0], 'prefix'), n).map((k) => [k, u8aToHex(c.storageAt(k, n)!)]);
    });
    sub('state_subscribeStorage', 'state_storage', 'state_unsubscribeStorage', (p, s) => {
      if (p[0] !== undefined && p[0] !== null && !Array.isArray(p[0]))
        throw invalidParams('keys must be an array');
      const keys = ((p[0] as unknown[] | null | undefined) ?? []).map((k) => hexParam(k, 'key'));
      const value = (k: string) => {
        const v = this.storage(k, c.bestNumber());
        return v ? u8aToHex(v) : null;
      };
      s.send('state_storage', { block: c.best.hash, changes: keys.map((k) => [k, value(k)]) });
      const l = (b: BlockRecord, journal: Layer) => {
        const changed = keys.filter((k) => journal.has(k));
        if (changed.length)
          s.send('state_storage', { block: b.hash, changes: changed.map((k) => [k, value(k)]) });
      };
      c.on('block', l);
      s.onClose(() => c.off('block', l));
    });
    m(
      'state_call',
      (p) => {
        if (typeof p[0] !== 'string') throw invalidParams('method must be a string');
        const data = hexToU8a(hexParam(p[1] ?? '0x', 'data'));
        this.blockNumberOf(p[2]);
        return Promise.resolve(this.stateCall(p[0], data)).then(u8aToHex);
      },
      'state_callAt',
    );
  }

  /** `author_*`, `payment_*` and `dev_*`: submission, fees and manual blocks. */
  private registerAuthor(): void {
    const c = this.chain;
    const m = (name: string, fn: Method, ...aliases: string[]) => this.method(name, fn, ...aliases);
    const sub = (name: string, notify: string, unsubscribe: string, fn: SubMethod, ...aliases: string[]) =>
      this.subscription(name, { notify, unsubscribe, fn }, ...aliases);
    m('author_submitExtrinsic', async (p) => (await c.submitAsync(bytesParam(p[0], 'extrinsic'))).hash);
    sub(
      'author_submitAndWatchExtrinsic',
      'author_extrinsicUpdate',
      'author_unwatchExtrinsic',
      async (p, s) => {
        let done = false;
        const watch = (status: TxStatus) => {
          if (done) return;
          s.send('author_extrinsicUpdate', status);
          if (typeof status === 'object' && 'finalized' in status) {
            done = true;
            s.end();
          } else if (status === 'invalid' || status === 'dropped') {
            done = true;
            s.end();
          }
        };
        s.onClose(() => {
          done = true;
        });
        const res = await c.submitAsync(bytesParam(p[0], 'extrinsic'), (st) =>
          queueMicrotask(() => watch(st)),
        );
        queueMicrotask(() => watch(res.status));
      },
    );
    m('author_pendingExtrinsics', () => c.pending());
    m('author_rotateKeys', () => '0x');
    m('payment_queryInfo', (p) => {
      decodeExtrinsic(bytesParam(p[0], 'extrinsic'), c.rt.codecs);
      return { weight: { ref_time: 10_000_000, proof_size: 0 }, class: 'normal', partialFee: '0' };
    });
    m('payment_queryFeeDetails', (p) => {
      decodeExtrinsic(bytesParam(p[0], 'extrinsic'), c.rt.codecs);
      return { inclusionFee: null };
    });
    m('dev_newBlock', (p) => {
      const opts = (p[0] ?? {}) as { count?: number };
      const count = opts.count ?? 1;
      if (!Number.isInteger(count) || count < 1 || count > 10_000)
        throw invalidParams('count must be an integer in 1..10000');
      let last = c.best;
      for (let i = 0; i < count; i++) last = c.produceBlock();
      return last.hash;
    });
  }

  private unsubscribeNames(): string[] {
    return [...new Set([...this.subscriptions.values()].map((s) => s.unsubscribe))];
  }

  private blockAt(hash: unknown): BlockRecord | undefined {
    return this.chain.block(this.blockNumberOf(hash));
  }

  blockNumberOf(hash: unknown): number {
    return this.chain.resolve(optHash(hash));
  }

  /** Runtime API calls through state_call and chainHead_v1_call. */
  stateCall(method: string, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const c = this.chain;
    const r = new Reader(data);
    switch (method) {
      case 'Core_version':
        return this.versionBytes;
      case 'Metadata_metadata':
        return u8aConcat(compactToU8a(this.metadata[14]!.length), this.metadata[14]!);
      case 'Metadata_metadata_versions': {
        const w = new Writer();
        w.compact(METADATA_VERSIONS.length);
        for (const v of METADATA_VERSIONS) w.uint(v, 4);
        return w.finish();
      }
      case 'Metadata_metadata_at_version': {
        const v = this.arg(() => r.uintN(4));
        const md = this.metadata[v];
        if (!md) return new Uint8Array([0]);
        return u8aConcat(new Uint8Array([1]), compactToU8a(md.length), md);
      }
      case 'TaggedTransactionQueue_validate_transaction':
        return validateTransactionCall(c, data);
      case 'AccountNonceApi_account_nonce': {
        const who = this.arg(() => r.bytes(32));
        const w = new Writer(4);
        w.uint(c.rt.account(who).nonce, 4);
        return w.finish();
      }
      case 'TransactionPaymentApi_query_info':
      case 'TransactionPaymentCallApi_query_call_info': {
        return c.rt.codecs.encode(
          'pallet_transaction_payment::types::RuntimeDispatchInfo<u64, sp_weights::weight_v2::Weight>',
          {
            weight: { ref_time: 10_000_000n, proof_size: 0n },
            class: { tag: 'Normal' },
            partial_fee: 0n,
          },
        );
      }
      case 'NeuronInfoRuntimeApi_get_neurons_lite':
      case 'NeuronInfoRuntimeApi_get_neurons': {
        const netuid = this.arg(() => r.uintN(2));
        const full = method.endsWith('get_neurons');
        const type = full ? NEURON_INFO : NEURON_INFO_LITE;
        const n = c.sub.exists(netuid) ? c.rt.state.get<number>('SubtensorModule.SubnetworkN', netuid) : 0;
        const out = Array.from({ length: n }, (_, uid) => neuronInfo(c, netuid, uid, full));
        return c.rt.codecs.encode(`Vec<${type}>`, out);
      }
      case 'NeuronInfoRuntimeApi_get_neuron_lite':
      case 'NeuronInfoRuntimeApi_get_neuron': {
        const [netuid, uid] = this.arg(() => [r.uintN(2), r.uintN(2)]);
        const full = method.endsWith('get_neuron');
        const type = full ? NEURON_INFO : NEURON_INFO_LITE;
        const ok =
          c.sub.exists(netuid) && uid < c.rt.state.get<number>('SubtensorModule.SubnetworkN', netuid);
        return c.rt.codecs.encode(`Option<${type}>`, ok ? neuronInfo(c, netuid, uid, full) : null);
      }
      case 'SubnetRegistrationRuntimeApi_get_network_registration_cost':
        return c.rt.codecs.encode('u64', c.rt.state.get<bigint>('SubtensorModule.NetworkMinLockCost'));
      default:
        throw new RpcError(
          4003,
          `Client error: Execution failed: Other: Exported method ${method} is not found`,
        );
    }
  }

  private arg<T>(fn: () => T): T {
    try {
      return fn();
    } catch {
      throw new RpcError(4003, 'Client error: Execution failed: Could not decode the runtime API arguments');
    }
  }
}
