/**
 * Raw JSON-RPC over WebSocket: what a Substrate node accepts and the new JSON-RPC spec (chainHead_v1,
 * chainSpec_v1, transaction_v1), checked without a client library in between.
 */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { compactFromU8a, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Devnet, startDevnet } from '../devnet.js';
import { connect, type DevApi, key } from '../test-helpers.js';

await cryptoWaitReady();
const alice = key('//Alice');
const bob = key('//Bob');

/** A minimal JSON-RPC WebSocket client that records notifications. */
class Raw {
  private id = 0;
  private readonly waiting = new Map<number, (m: { result?: unknown; error?: { code: number } }) => void>();
  readonly notes: { method: string; params: { subscription: string; result: Record<string, unknown> } }[] =
    [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.id !== undefined) this.waiting.get(m.id)?.(m);
      else this.notes.push(m);
    });
  }
  static async open(url: string): Promise<Raw> {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    return new Raw(ws);
  }
  call(method: string, params: unknown[] = []): Promise<{ result?: unknown; error?: { code: number } }> {
    const id = ++this.id;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }
  async ok<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result as T;
  }
  /** Waits for a follow event matching `pred`. */
  async event(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i++) {
      const hit = this.notes.find((n) => pred(n.params.result));
      if (hit) {
        this.notes.splice(this.notes.indexOf(hit), 1);
        return hit.params.result;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no matching notification');
  }
  close(): void {
    this.ws.close();
  }
}

describe('JSON-RPC as a Substrate node answers it', () => {
  let devnet: Devnet;
  let raw: Raw;
  let api: DevApi;

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0, blockTime: 'instant', verifyThreads: 0 });
    raw = await Raw.open(devnet.url);
    api = await connect(devnet.url);
  });
  afterAll(async () => {
    raw?.close();
    await api?.disconnect();
    await devnet?.stop();
  });

  it('chain_getBlockHash takes any hex number', async () => {
    expect(await raw.ok('chain_getBlockHash', ['0x0'])).toBe(devnet.genesisHash);
    expect(await raw.ok('chain_getBlockHash', [0])).toBe(devnet.genesisHash);
    expect(await raw.ok('chain_getBlockHash', [['0x00', '0x5']])).toEqual([devnet.genesisHash, null]);
    expect((await raw.call('chain_getBlockHash', ['0xzz'])).error?.code).toBe(-32602);
  });

  it('Bytes parameters accept "" and hex without 0x', async () => {
    const viaEmpty = await raw.ok<string>('state_call', ['Metadata_metadata_versions', '']);
    expect(viaEmpty).toBe(await raw.ok('state_call', ['Metadata_metadata_versions', '0x']));
    expect(await raw.ok('state_call', ['Metadata_metadata_at_version', '0f000000'])).toBe(
      await raw.ok('state_call', ['Metadata_metadata_at_version', '0x0f000000']),
    );
    const key = api.query.system.account.key(alice.address) as string;
    expect(await raw.ok('state_getStorage', [key.slice(2)])).toBe(await raw.ok('state_getStorage', [key]));
    expect((await raw.call('state_call', ['Core_version', '0x0'])).error?.code).toBe(-32602);
  });

  it(':code holds a runtime code whose hash changes with the metadata', async () => {
    const code = await raw.ok<string>('state_getStorage', ['0x3a636f6465']);
    expect(code.startsWith('0x0061736d01000000')).toBe(true);
    // The code embeds the V15 metadata's hash, so a changed runtime description changes the code hash.
    const opt = hexToU8a(await raw.ok<string>('state_call', ['Metadata_metadata_at_version', '0x0f000000']));
    const [offset] = compactFromU8a(opt.subarray(1));
    const md15 = opt.subarray(1 + offset);
    expect(code).toContain(blake2AsHex(md15, 256).slice(2));
    expect(await raw.ok('state_getStorageHash', ['0x3a636f6465'])).toBe(blake2AsHex(hexToU8a(code), 256));
  });

  it('state_getRuntimeVersion lists the same APIs as the System.Version constant', async () => {
    const rv = await raw.ok<{ apis: [string, number][]; specVersion: number }>('state_getRuntimeVersion');
    const md = new Metadata(new TypeRegistry(), await raw.ok<`0x${string}`>('state_getMetadata'));
    const system = md.asLatest.pallets.find((p) => p.name.toString() === 'System')!;
    const constant = system.constants.find((c) => c.name.toString() === 'Version')!;
    const decoded = md.registry.createType('RuntimeVersion', constant.value.toU8a(true)).toJSON() as {
      apis: [string, number][];
      specVersion: number;
    };
    expect(decoded.apis).toEqual(rv.apis);
    expect(decoded.specVersion).toBe(rv.specVersion);
    expect(rv.apis).toContainEqual([blake2AsHex('TaggedTransactionQueue', 64), 3]);
  });

  it('TaggedTransactionQueue_validate_transaction validates like the pool', async () => {
    const call = async (tx: string) => {
      const args = u8aToHex(new Uint8Array([2, ...hexToU8a(tx), ...hexToU8a(devnet.genesisHash)]));
      return raw.ok<string>('state_call', ['TaggedTransactionQueue_validate_transaction', args]);
    };
    const transfer = api.tx.balances.transferKeepAlive(bob.address, 10n ** 9n);
    const good = await transfer.signAsync(alice, { nonce: 0 });
    const ok = await call(good.toHex());
    expect(ok.startsWith('0x00')).toBe(true); // Ok(ValidTransaction)
    // provides: [(alice, nonce 0)]
    expect(ok).toContain(`${u8aToHex(alice.publicKey).slice(2)}00000000`);

    const future = await api.tx.balances.transferKeepAlive(bob.address, 1n).signAsync(alice, { nonce: 3 });
    expect((await call(future.toHex())).startsWith('0x00')).toBe(true);

    // Bad signature: Err(Invalid(BadProof)) = 0x01 00 04. The 64 signature bytes follow signer and type.
    const hex = good.toHex();
    const sigAt = hex.indexOf(u8aToHex(alice.publicKey).slice(2)) + 64 + 2;
    const tampered = `${hex.slice(0, sigAt)}${'11'.repeat(64)}${hex.slice(sigAt + 128)}`;
    expect(tampered.length).toBe(hex.length);
    expect(await call(tampered)).toBe('0x010004');

    // Stale nonce: Err(Invalid(Stale)) = 0x01 00 03, once the account's nonce moved on.
    await devnet.chain.submitAsync(good.toHex());
    devnet.produceBlock();
    expect(await call(good.toHex())).toBe('0x010003');
    // Undecodable arguments fail the runtime call.
    expect(
      (await raw.call('state_call', ['TaggedTransactionQueue_validate_transaction', '0x02'])).error?.code,
    ).toBe(4003);
  });
});

describe('new JSON-RPC spec', () => {
  let devnet: Devnet;
  let raw: Raw;
  let api: DevApi;

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0, blockTime: 'instant', verifyThreads: 0 });
    raw = await Raw.open(devnet.url);
    api = await connect(devnet.url);
  });
  afterAll(async () => {
    raw?.close();
    await api?.disconnect();
    await devnet?.stop();
  });

  it('chainSpec_v1 answers name, genesis hash and properties', async () => {
    expect(await raw.ok('chainSpec_v1_genesisHash')).toBe(devnet.genesisHash);
    expect(typeof (await raw.ok('chainSpec_v1_chainName'))).toBe('string');
    expect(await raw.ok('chainSpec_v1_properties')).toEqual({
      ss58Format: 42,
      tokenDecimals: 9,
      tokenSymbol: 'TAO',
    });
    const methods = (await raw.ok<{ methods: string[] }>('rpc_methods')).methods;
    for (const m of [
      'chainHead_v1_follow',
      'chainHead_v1_unfollow',
      'transaction_v1_broadcast',
      'chainSpec_v1_genesisHash',
    ])
      expect(methods).toContain(m);
  });

  it('chainHead_v1: follow, header, storage, call, body, unpin, and transaction_v1_broadcast', async () => {
    const sub = await raw.ok<string>('chainHead_v1_follow', [true]);
    const init = await raw.event((e) => e.event === 'initialized');
    expect(init.finalizedBlockHashes).toEqual([devnet.genesisHash]);
    expect(
      (init.finalizedBlockRuntime as { type: string; spec: { specVersion: number } }).spec.specVersion,
    ).toBe(381);
    await raw.event((e) => e.event === 'bestBlockChanged');

    const header = await raw.ok<string>('chainHead_v1_header', [sub, devnet.genesisHash]);
    expect(blake2AsHex(hexToU8a(header), 256)).toBe(devnet.genesisHash);
    expect((await raw.call('chainHead_v1_header', [sub, `0x${'ab'.repeat(32)}`])).error?.code).toBe(-32801);

    const accountKey = api.query.system.account.key(alice.address) as string;
    const st = await raw.ok<{ result: string; operationId: string }>('chainHead_v1_storage', [
      sub,
      devnet.genesisHash,
      [
        { key: accountKey, type: 'value' },
        { key: '0x3a636f6465', type: 'hash' },
        { key: '0xdeadbeef', type: 'value' },
      ],
      null,
    ]);
    expect(st.result).toBe('started');
    const items = await raw.event(
      (e) => e.event === 'operationStorageItems' && e.operationId === st.operationId,
    );
    const list = items.items as { key: string; value?: string; hash?: string }[];
    expect(list.map((i) => i.key)).toEqual([accountKey, '0x3a636f6465']);
    expect(list[0]!.value).toBe(await raw.ok('state_getStorage', [accountKey]));
    await raw.event((e) => e.event === 'operationStorageDone' && e.operationId === st.operationId);

    const call = await raw.ok<{ operationId: string }>('chainHead_v1_call', [
      sub,
      devnet.genesisHash,
      'Metadata_metadata_versions',
      '0x',
    ]);
    const done = await raw.event(
      (e) => e.event === 'operationCallDone' && e.operationId === call.operationId,
    );
    expect(done.output).toBe('0x080e0000000f000000');
    const failing = await raw.ok<{ operationId: string }>('chainHead_v1_call', [
      sub,
      devnet.genesisHash,
      'NoSuchApi_method',
      '',
    ]);
    await raw.event((e) => e.event === 'operationError' && e.operationId === failing.operationId);

    const tx = await api.tx.balances.transferKeepAlive(bob.address, 10n ** 9n).signAsync(alice, { nonce: 0 });
    const op = await raw.ok<string>('transaction_v1_broadcast', [tx.toHex()]);
    const block = await raw.event((e) => e.event === 'newBlock');
    expect(block.parentBlockHash).toBe(devnet.genesisHash);
    expect(block.newRuntime).toBeNull();
    await raw.event((e) => e.event === 'bestBlockChanged' && e.bestBlockHash === block.blockHash);
    const fin = await raw.event((e) => e.event === 'finalized');
    expect(fin.finalizedBlockHashes).toEqual([block.blockHash]);
    const body = await raw.ok<{ operationId: string }>('chainHead_v1_body', [sub, block.blockHash]);
    const bodyDone = await raw.event(
      (e) => e.event === 'operationBodyDone' && e.operationId === body.operationId,
    );
    expect(bodyDone.value).toContain(tx.toHex());
    expect(await raw.ok('transaction_v1_stop', [op])).toBeNull();
    expect((await raw.call('transaction_v1_stop', [op])).error?.code).toBe(-32602);

    expect(await raw.ok('chainHead_v1_unpin', [sub, [devnet.genesisHash, block.blockHash]])).toBeNull();
    expect((await raw.call('chainHead_v1_header', [sub, block.blockHash])).error?.code).toBe(-32801);
    expect(await raw.ok('chainHead_v1_unfollow', [sub])).toBeNull();
    expect(await raw.ok('chainHead_v1_header', [sub, devnet.genesisHash])).toBeNull();
    expect(await raw.ok('chainHead_v1_body', [sub, devnet.genesisHash])).toEqual({ result: 'limitReached' });
  });

  it('transactionWatch_v1 reports validated, inclusion and finality, or invalid', async () => {
    const tx = await api.tx.balances.transferKeepAlive(bob.address, 10n ** 9n).signAsync(alice);
    const id = await raw.ok<string>('transactionWatch_v1_submitAndWatch', [tx.toHex()]);
    const mine = (ev: string) => (e: Record<string, unknown>) => e.event === ev;
    await raw.event(mine('validated'));
    const incl = await raw.event(mine('bestChainBlockIncluded'));
    expect((incl.block as { index: number }).index).toBe(1);
    await raw.event(mine('finalized'));
    expect(raw.notes.filter((n) => n.params.subscription === id)).toEqual([]);

    // The same bytes again: the nonce is stale now.
    await raw.ok<string>('transactionWatch_v1_submitAndWatch', [tx.toHex()]);
    const invalid = await raw.event(mine('invalid'));
    expect(String(invalid.error)).toMatch(/outdated/);
  });
});
