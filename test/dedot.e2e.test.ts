/**
 * dedot, unmodified, against the devnet over WebSocket, through both of its JSON-RPC clients: `v2` (the new
 * spec: chainHead_v1, TaggedTransactionQueue validation) and `legacy` (chain_* / state_* / author_*).
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { DedotClient, WsProvider } from 'dedot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NETUID = 1;
const TAO = 1_000_000_000n;

let devnet: Devnet;
let keyring: Keyring;

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: 7, weightsRateLimit: 0 },
          neurons: [{ hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 }],
        },
      ],
    },
  });
  // dedot's v2 client submits only once the finalized block's parent is known: leave genesis.
  devnet.produceBlock();
});

afterAll(async () => {
  await devnet?.stop();
});

describe.each(['v2', 'legacy'] as const)('dedot (%s JSON-RPC) against the devnet', (rpcVersion) => {
  let client: DedotClient;
  let alice: KeyringPair;
  let bob: KeyringPair;

  beforeAll(async () => {
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    client = await DedotClient.create({ provider: new WsProvider(devnet.url), rpcVersion });
  });

  afterAll(async () => {
    await client?.disconnect();
  });

  it('connects, decodes the metadata and reads SubtensorModule storage', async () => {
    expect(client.rpcVersion).toBe(rpcVersion);
    expect(client.runtimeVersion.specVersion).toBe(381);
    expect(client.metadata.version).toBe('V15');
    expect(client.genesisHash).toBe(devnet.genesisHash);
    expect(await client.query.subtensorModule.tempo(NETUID)).toBe(7);
    expect(await client.query.subtensorModule.subnetworkN(NETUID)).toBeGreaterThanOrEqual(1);
  });

  it('signs and submits a transfer; a too large one fails with Token.FundsUnavailable', async () => {
    const before = (await client.query.system.account(bob.address)).data.free;
    const ok = await client.tx.balances
      .transferKeepAlive(bob.address, 3n * TAO)
      .signAndSend(alice)
      .untilFinalized();
    expect(ok.dispatchError).toBeUndefined();
    expect((await client.query.system.account(bob.address)).data.free).toBe(before + 3n * TAO);

    const tooMuch = await client.tx.balances
      .transferAllowDeath(bob.address, 10n ** 18n)
      .signAndSend(alice)
      .untilFinalized();
    expect(tooMuch.dispatchError).toEqual({ type: 'Token', value: 'FundsUnavailable' });
  });

  it('submits subtensor calls and decodes a module error by name', async () => {
    const hotkey = keyring.addFromUri(`//Bob//dedot-${rpcVersion}`);
    const reg = await client.tx.subtensorModule
      .burnedRegister(NETUID, hotkey.address)
      .signAndSend(bob)
      .untilFinalized();
    expect(reg.dispatchError).toBeUndefined();
    const uid = await client.query.subtensorModule.uids([NETUID, hotkey.address]);
    expect(uid).toBeGreaterThan(0);

    const validator = keyring.addFromUri('//Alice//validator');
    const weights = await client.tx.subtensorModule
      .setWeights(NETUID, [uid!], [65535], 0n)
      .signAndSend(validator)
      .untilFinalized();
    expect(weights.dispatchError).toBeUndefined();
    expect(await client.query.subtensorModule.weights([NETUID, 0])).toEqual([[uid, 65535]]);

    const again = await client.tx.subtensorModule
      .burnedRegister(NETUID, hotkey.address)
      .signAndSend(bob)
      .untilFinalized();
    expect(again.dispatchError).toBeDefined();
    expect(client.registry.findErrorMeta(again.dispatchError!)).toMatchObject({
      pallet: 'SubtensorModule',
      name: 'HotKeyAlreadyRegisteredInSubNet',
    });
  });

  it('refuses a transaction with a bad signature', async () => {
    // Claims to be Alice, signs with Bob's key.
    const forger = { ...alice, address: alice.address, publicKey: alice.publicKey, sign: bob.sign.bind(bob) };
    const sent = client.tx.balances.transferKeepAlive(bob.address, TAO).signAndSend(forger as KeyringPair);
    await expect(sent).rejects.toThrow(
      rpcVersion === 'v2' ? /Invalid - BadProof/ : /1010: Invalid Transaction/,
    );
  });
});
