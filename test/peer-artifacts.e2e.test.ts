/**
 * Miners fetching each other's artifacts (issue 17): an axon on 127.0.0.1 serves an artifact synapse open
 * to registered hotkeys (`access: 'registered'`) and one left to validators; another miner (registered,
 * no validator permit) fetches through the validator package's `peerArtifacts`, signed with its own
 * hotkey over btauth/1, under the size cap and against the expected hash.
 */
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { artifactHashHex, defineSubnet, MemoryReplayStore } from '@subnetkit/core';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import { btauthSigner, type PeerArtifactsClient, peerArtifacts } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const blob = randomBytes(64 * 1024);
const art = { request: Type.Object({ round: Type.Integer() }), response: Type.Object({}) };
const subnet = defineSubnet({
  name: 'peers',
  versionKey: 1,
  synapses: {
    Shared: { ...art, artifact: { maxBytes: 128 * 1024 }, access: 'registered' },
    Private: { ...art, artifact: { maxBytes: 128 * 1024 } },
  },
  miner: { setup: () => null, forward: { Shared: () => blob, Private: () => blob } },
  validator: { challenge: () => null, reward: (r) => r.responses.map(() => 0) },
});

let owner: KeyringPair;
let peer: KeyringPair;
let app: AxonServer;
let client: PeerArtifactsClient;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  owner = keyring.addFromUri('//PeerOwner');
  peer = keyring.addFromUri('//PeerFetcher');
  const snapshot = { hotkeys: [owner.address, peer.address], stake: [0, 0], validatorPermit: [false, false] };
  app = createAxon({
    plugin: subnet,
    model: null,
    hotkey: owner,
    netuid: 1,
    metagraph: staticMetagraph(snapshot),
    replayStore: new MemoryReplayStore(),
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  client = peerArtifacts({
    plugin: subnet,
    sign: btauthSigner(peer),
    metagraph: async () => ({
      hotkeys: snapshot.hotkeys,
      axons: [
        { ip: '127.0.0.1', port },
        { ip: '0.0.0.0', port: 0 },
      ],
    }),
  });
});

afterAll(async () => {
  await client?.close();
  await app?.close();
});

describe('peerArtifacts', () => {
  it("fetches a registered peer's artifact by hash, signed as a miner without a validator permit", async () => {
    const hash = artifactHashHex(blob);
    const got = await client.fetch({ hotkey: owner.address, synapse: 'Shared', request: { round: 1 }, hash });
    expect(Buffer.from(got).equals(blob)).toBe(true);
  });

  it('refuses other bytes than the expected hash, a cap below the size, and synapses left to validators', async () => {
    const wrong = artifactHashHex(new Uint8Array([1]));
    await expect(
      client.fetch({ hotkey: owner.address, synapse: 'Shared', request: { round: 1 }, hash: wrong }),
    ).rejects.toThrow(/hash_mismatch/);
    const hash = artifactHashHex(blob);
    await expect(
      client.fetch({ hotkey: owner.address, synapse: 'Shared', request: { round: 1 }, hash, maxBytes: 1024 }),
    ).rejects.toThrow(/size_cap/);
    await expect(
      client.fetch({ hotkey: owner.address, synapse: 'Private', request: { round: 1 }, hash }),
    ).rejects.toThrow(/NoValidatorPermit/);
    await expect(
      client.fetch({ hotkey: peer.address, synapse: 'Shared', request: { round: 1 }, hash }),
    ).rejects.toThrow(/has no axon/);
  });
});
