import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDevnet } from './devnet.js';
import { resolveAccount } from './genesis.js';
import { CodecRegistry } from './scale/codec.js';
import { RUNTIME_DEFS } from './metadata/spec.js';
import { connect, key, send } from './test-helpers.js';

await cryptoWaitReady();

describe('genesis helpers', () => {
  it('reports a bad TAO amount or axon address as a genesis error', async () => {
    await expect(startDevnet({ port: 0, genesis: { stakeThreshold: '-1' } })).rejects.toThrow(
      /^genesis: invalid amount "-1": use a non-negative number with up to 9 decimals/,
    );
    await expect(
      startDevnet({
        port: 0,
        genesis: {
          subnets: [
            {
              netuid: 1,
              owner: 'alice',
              neurons: [{ hotkey: '//H1', coldkey: 'alice', axon: { ip: '300.1.1.1', port: 1 } }],
            },
          ],
        },
      }),
    ).rejects.toThrow(/^genesis: axon of \/\/H1: invalid IPv4 address 300\.1\.1\.1/);
  });

  it('resolves dev names, URIs, SS58 and hex', () => {
    const alice = key('//Alice');
    expect(resolveAccount('alice')).toEqual(alice.publicKey);
    expect(resolveAccount('//Alice')).toEqual(alice.publicKey);
    expect(resolveAccount(alice.address)).toEqual(alice.publicKey);
    expect(() => resolveAccount('nobody-at-all')).toThrow(/neither a dev account name/);
  });

  it('refuses a genesis with more neurons than maxAllowedUids, naming the fix', async () => {
    const neurons = [1, 2, 3].map((i) => ({ hotkey: `//H${i}`, coldkey: 'alice' }));
    await expect(
      startDevnet({
        port: 0,
        genesis: {
          subnets: [{ netuid: 1, owner: 'alice', hyperparameters: { maxAllowedUids: 2 }, neurons }],
        },
      }),
    ).rejects.toThrow(/raise hyperparameters.maxAllowedUids/);
  });
});

describe('SCALE codec', () => {
  const codecs = new CodecRegistry(RUNTIME_DEFS);
  it('round-trips subtensor types', () => {
    const axon = {
      block: 5n,
      version: 7,
      ip: 0x7f000001n,
      port: 8091,
      ip_type: 4,
      protocol: 4,
      placeholder1: 0,
      placeholder2: 0,
    };
    const bytes = codecs.encode('pallet_subtensor::pallet::AxonInfo', axon);
    expect(bytes.length).toBe(8 + 4 + 16 + 2 + 4);
    expect(codecs.decode('pallet_subtensor::pallet::AxonInfo', bytes)).toEqual(axon);
    expect(codecs.encode('Compact<u64>', 2n ** 40n)).toEqual(new Uint8Array([0x0b, 0, 0, 0, 0, 0, 1]));
    expect(codecs.decode('Compact<u64>', new Uint8Array([0x0b, 0, 0, 0, 0, 0, 1]))).toBe(2n ** 40n);
    expect(Array.from(codecs.decode<Uint16Array>('Vec<u16>', codecs.encode('Vec<u16>', [1, 65535])))).toEqual(
      [1, 65535],
    );
    expect(codecs.decode('Option<u32>', new Uint8Array([0]))).toBeNull();
    expect(() => codecs.decode('Vec<u64>', new Uint8Array([0x08, 1]))).toThrow(
      /end of input|longer than input/,
    );
  });
});

describe('devnet RPC details', () => {
  it('counts pending pool transactions in system_accountNextIndex', async () => {
    // No automatic blocks: both transactions wait in the pool.
    const dn = await startDevnet({ port: 0, blockTime: 3_600_000 });
    const api = await connect(dn.url);
    try {
      const bob = key('//Bob');
      const eve = key('//Eve');
      const h1 = await api.tx.balances.transferKeepAlive(eve.address, 10n ** 9n).signAndSend(bob);
      // Like a real node: the AccountNonceApi runtime call (what signAndSend asks by default) reads the state,
      // system_accountNextIndex also counts the pool.
      expect((await api.call.accountNonceApi.accountNonce(bob.address)).toNumber()).toBe(0);
      const next = await api.rpc.system.accountNextIndex(bob.address);
      expect(next.toNumber()).toBe(1);
      const h2 = await api.tx.balances
        .transferKeepAlive(eve.address, 10n ** 9n)
        .signAndSend(bob, { nonce: next });
      expect(h1.toHex()).not.toBe(h2.toHex());
      expect((await api.rpc.author.pendingExtrinsics()).length).toBe(2);
      dn.produceBlock();
      expect((await api.query.system.account(bob.address)).nonce.toNumber()).toBe(2);
      const block = await api.rpc.chain.getBlock();
      expect(block.block.extrinsics.length).toBe(3);
    } finally {
      await api.disconnect();
      await dn.stop();
    }
  });

  it('accepts ecdsa signers (MultiSignature::Ecdsa)', async () => {
    const dn = await startDevnet({ port: 0, blockTime: 'instant' });
    const api = await connect(dn.url);
    try {
      const ec = new Keyring({ type: 'ecdsa' }).addFromUri('//EcdsaUser');
      const fund = await send(
        api,
        api.tx.balances.transferKeepAlive(ec.address, 5n * 10n ** 9n),
        key('//Alice'),
      );
      expect(fund.ok).toBe(true);
      const r = await send(api, api.tx.balances.transferKeepAlive(key('//Bob').address, 10n ** 9n), ec);
      expect(r.ok).toBe(true);
      expect((await api.query.system.account(ec.address)).nonce.toNumber()).toBe(1);
    } finally {
      await api.disconnect();
      await dn.stop();
    }
  });

  it('refuses a taken port with a message naming the fix, and keeps nothing running', async () => {
    const first = await startDevnet({ port: 0, blockTime: 'instant' });
    try {
      await expect(startDevnet({ port: first.port, blockTime: 'instant', verifyThreads: 1 })).rejects.toThrow(
        new RegExp(`port ${first.port} on 127.0.0.1 is already in use .*--port 0`),
      );
      // The first devnet still answers.
      const res = await fetch(first.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"system_chain","params":[]}',
      });
      expect(((await res.json()) as { result: string }).result).toBe('subnetkit devnet');
    } finally {
      await first.stop();
    }
  });

  it('builds blocks on an interval', async () => {
    const dn = await startDevnet({ port: 0, blockTime: 30 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(dn.bestNumber()).toBeGreaterThanOrEqual(3);
    } finally {
      await dn.stop();
    }
  });

  it('answers malformed WebSocket messages with JSON-RPC errors', async () => {
    const dn = await startDevnet({ port: 0 });
    const ws = new WebSocket(dn.url);
    try {
      await new Promise((r) => ws.once('open', r));
      const ask = (text: string) =>
        new Promise<{ error?: { code: number }; result?: unknown }>((resolve) => {
          ws.once('message', (d) => resolve(JSON.parse(d.toString())));
          ws.send(text);
        });
      expect((await ask('not json')).error?.code).toBe(-32700);
      expect((await ask('{"jsonrpc":"2.0","id":1,"method":"nope_nope","params":[]}')).error?.code).toBe(
        -32601,
      );
      expect(
        (await ask('{"jsonrpc":"2.0","id":2,"method":"state_getKeysPaged","params":["0x",5000]}')).error
          ?.code,
      ).toBe(-32602);
      expect(
        (await ask('{"jsonrpc":"2.0","id":3,"method":"state_call","params":["Foo_bar","0x"]}')).error?.code,
      ).toBe(4003);
      const ok = await ask('{"jsonrpc":"2.0","id":4,"method":"dev_newBlock","params":[{"count":2}]}');
      expect(typeof ok.result).toBe('string');
      expect(dn.bestNumber()).toBe(2);
    } finally {
      ws.close();
      await dn.stop();
    }
  });
});
