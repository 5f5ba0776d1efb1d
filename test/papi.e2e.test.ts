/**
 * polkadot-api (PAPI 2.x), unmodified, against the devnet over WebSocket: PAPI prefers the new JSON-RPC
 * spec (chainHead_v1 / transaction_v1), validates every transaction with TaggedTransactionQueue before
 * broadcasting, and keys runtimes by the hash of `:code`. The untyped API (`getUnsafeApi`) decodes
 * everything from the devnet's metadata, so no descriptors are generated.
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { createClient, InvalidTxError, type PolkadotClient } from 'polkadot-api';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { getWsProvider } from 'polkadot-api/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const NETUID = 1;
const TAO = 1_000_000_000n;

describe('polkadot-api against the devnet', () => {
  let devnet: Devnet;
  let client: PolkadotClient;
  // biome-ignore lint/suspicious/noExplicitAny: the unsafe API is untyped by design (no descriptors)
  let api: any;
  let alice: KeyringPair;
  let bob: KeyringPair;
  const signerOf = (pair: KeyringPair, signWith = pair) =>
    getPolkadotSigner(pair.publicKey, 'Sr25519', (m) => signWith.sign(m));

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
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
    // Node 20 has no global WebSocket: hand PAPI the ws package's class.
    client = createClient(getWsProvider(devnet.url, { websocketClass: WebSocket as never }));
    api = client.getUnsafeApi();
  });

  afterAll(async () => {
    client?.destroy();
    await devnet?.stop();
  });

  it('connects over chainHead_v1, decodes the metadata and reads SubtensorModule storage', async () => {
    const finalized = await client.getFinalizedBlock();
    expect(finalized.hash).toBe(devnet.genesisHash);
    expect(await client.getChainSpecData()).toMatchObject({ genesisHash: devnet.genesisHash });
    const version = await api.constants.System.Version();
    expect(version.spec_version).toBe(381);
    expect(await api.query.SubtensorModule.Tempo.getValue(NETUID)).toBe(7);
    expect(await api.query.SubtensorModule.SubnetworkN.getValue(NETUID)).toBe(1);
    const account = await api.query.System.Account.getValue(alice.address);
    expect(account.data.free).toBe(1_000_000n * TAO);
  });

  it('signs and submits a transfer, and a too large one fails with Token.FundsUnavailable', async () => {
    const ok = await api.tx.Balances.transfer_keep_alive({
      dest: { type: 'Id', value: bob.address },
      value: 5n * TAO,
    }).signAndSubmit(signerOf(alice));
    expect(ok.ok).toBe(true);
    expect(
      ok.events.some((e: { type: string; value: { type: string } }) => e.value.type === 'Transfer'),
    ).toBe(true);
    const bobAccount = await api.query.System.Account.getValue(bob.address, { at: ok.block.hash });
    expect(bobAccount.data.free).toBe(1_000_005n * TAO);

    const tooMuch = await api.tx.Balances.transfer_allow_death({
      dest: { type: 'Id', value: bob.address },
      value: 10n ** 18n,
    }).signAndSubmit(signerOf(alice));
    expect(tooMuch.ok).toBe(false);
    expect(tooMuch.dispatchError).toEqual({ type: 'Token', value: { type: 'FundsUnavailable' } });
  });

  it('submits subtensor calls and decodes a module error by name', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const hotkey = keyring.addFromUri('//Bob//papi-miner');
    const reg = await api.tx.SubtensorModule.burned_register({
      netuid: NETUID,
      hotkey: hotkey.address,
    }).signAndSubmit(signerOf(bob));
    expect(reg.ok).toBe(true);
    expect(await api.query.SubtensorModule.Uids.getValue(NETUID, hotkey.address)).toBe(1);

    const validator = keyring.addFromUri('//Alice//validator');
    const weights = await api.tx.SubtensorModule.set_weights({
      netuid: NETUID,
      dests: [1],
      weights: [65535],
      version_key: 0n,
    }).signAndSubmit(signerOf(validator));
    expect(weights.ok).toBe(true);
    expect(await api.query.SubtensorModule.Weights.getValue(NETUID, 0)).toEqual([[1, 65535]]);

    const again = await api.tx.SubtensorModule.burned_register({
      netuid: NETUID,
      hotkey: hotkey.address,
    }).signAndSubmit(signerOf(bob));
    expect(again.ok).toBe(false);
    expect(again.dispatchError).toEqual({
      type: 'Module',
      value: { type: 'SubtensorModule', value: { type: 'HotKeyAlreadyRegisteredInSubNet' } },
    });
  });

  it('refuses a bad signature and a stale nonce through validate_transaction (no hang)', async () => {
    const transfer = () =>
      api.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: bob.address }, value: TAO });
    const badSig = transfer().signAndSubmit(signerOf(alice, bob));
    await expect(badSig).rejects.toBeInstanceOf(InvalidTxError);
    await expect(badSig).rejects.toMatchObject({ error: { type: 'Invalid', value: { type: 'BadProof' } } });
    const stale = transfer().signAndSubmit(signerOf(alice), { nonce: 0 });
    await expect(stale).rejects.toMatchObject({ error: { type: 'Invalid', value: { type: 'Stale' } } });
  });
});
