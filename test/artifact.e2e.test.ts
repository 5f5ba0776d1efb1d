/**
 * Artifact synapses over real HTTP, fetched by commitment: miners commit their artifact's hash on a
 * devnet (over WebSocket), their axons on 127.0.0.1 answer with bytes behind btauth/1, the plugin's
 * challenge reads the commitments through `ctx.chain` and the validator's dendrite reads each answer
 * through core's ArtifactReceiver against the committed hash; `reward` gets the bytes, or a refusal
 * that names why (hash mismatch, size cap, no commitment).
 */
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { connect, minerChainAccess, type SubtensorClient, subnetChainView } from '@subnetkit/chain';
import { artifactHashHex, defineSubnet, MemoryReplayStore, type MinerResponse } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import { btauthSigner, Dendrite, runRoundOnce, synapseQueryOptions } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAX = 256 * 1024;
const seen: MinerResponse<Uint8Array>[][] = [];

const subnet = defineSubnet({
  name: 'blob',
  versionKey: 1,
  synapses: {
    Update: {
      request: Type.Object({ round: Type.Integer() }),
      response: Type.Object({}),
      artifact: { maxBytes: MAX },
    },
  },
  miner: { setup: () => new Uint8Array(), forward: { Update: (_req, ctx) => ctx.model } },
  validator: {
    challenge: async ({ chain }) => {
      const artifacts: Record<string, string> = {};
      for (const c of await chain!.commitments()) artifacts[c.hotkey] = Buffer.from(c.data).toString('hex');
      return { synapse: 'Update', request: { round: 1 }, truth: 0, artifacts };
    },
    reward: (round) => {
      seen.push(round.responses);
      return round.responses.map((r) => (r.outcome === 'ok' && r.response!.length > 0 ? 1 : 0));
    },
  },
});

const log = pino({ level: 'silent' });
const servers: AxonServer[] = [];
let validator: KeyringPair;
let miners: KeyringPair[];
let ports: number[];
let payloads: Uint8Array[];
let dendrite: Dendrite;
let devnet: Devnet;
let client: SubtensorClient;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  validator = keyring.addFromUri('//Alice');
  const uris = ['//Art//m0', '//Art//m1', '//Art//m2'];
  miners = uris.map((u) => keyring.addFromUri(u));
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    verifyThreads: 0,
    genesis: {
      subnets: [
        {
          netuid: 1,
          owner: '//Alice',
          neurons: uris.map((hotkey) => ({ hotkey, coldkey: '//Bob' })),
        },
      ],
    },
  });
  client = await connect(devnet.url, { waitFor: 'inBlock' });
  payloads = [randomBytes(200_000), randomBytes(1_000), randomBytes(10)].map((b) => new Uint8Array(b));
  const metagraph = staticMetagraph({
    hotkeys: [validator.address, ...miners.map((m) => m.address)],
    stake: [1000, 0, 0, 0],
    validatorPermit: [true, false, false, false],
  });
  ports = [];
  for (const [i, m] of miners.entries()) {
    const app = createAxon({
      plugin: subnet,
      model: payloads[i],
      hotkey: m,
      netuid: 1,
      metagraph,
      replayStore: new MemoryReplayStore(),
      logger: log,
    });
    servers.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    ports.push((app.server.address() as { port: number }).port);
  }
  dendrite = new Dendrite({ sign: btauthSigner(validator), timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
  await dendrite.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const targets = () =>
  miners.map((m, i) => ({ uid: i + 1, hotkey: m.address, ip: '127.0.0.1', port: ports[i]! }));

describe('artifact synapse over real HTTP', () => {
  it('gives reward the committed bytes, and refuses a mismatch or a miner without a commitment', async () => {
    const hash = (b: Uint8Array) => Buffer.from(artifactHashHex(b), 'hex');
    await minerChainAccess(client, 1, miners[0]!).commit(hash(payloads[0]!));
    // Miner 1 committed other bytes than it serves; miner 2 committed nothing.
    await minerChainAccess(client, 1, miners[1]!).commit(hash(new Uint8Array([1])));
    const folded: number[] = [];
    const summary = await runRoundOnce(
      {
        plugin: subnet,
        log,
        store: {
          fold: async (_id, scores) => {
            folded.push(...scores.map((s) => s.score));
            return true;
          },
        },
        metrics: { rewards: { observe: () => undefined } },
        queryTimeoutMs: 5_000,
        protocol: undefined,
        pluginChain: subnetChainView(client, 1),
        dendrite,
      },
      1,
      targets(),
    );
    expect(summary.ok).toBe(1);
    expect(folded).toEqual([1, 0, 0]);
    const [honest, mismatch, none] = seen.at(-1)!;
    expect(honest!.outcome).toBe('ok');
    expect(honest!.response).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(honest!.response!).equals(Buffer.from(payloads[0]!))).toBe(true);
    expect(honest!.artifact).toEqual({ bytes: 200_000 });
    expect(mismatch).toMatchObject({
      outcome: 'invalid_response',
      artifact: { bytes: 1_000, rejection: 'hash_mismatch' },
    });
    expect(mismatch!.response).toBeUndefined();
    expect(none).toMatchObject({
      outcome: 'invalid_response',
      artifact: { bytes: 0, rejection: 'no_expected_hash' },
    });
  });

  it('stops reading an artifact over the cap', async () => {
    const options = synapseQueryOptions(
      subnet,
      'Update',
      { timeoutMs: 5_000 },
      {
        [miners[0]!.address]: artifactHashHex(payloads[0]!),
      },
    );
    const [res] = await dendrite.query(
      targets().slice(0, 1),
      'Update',
      { round: 2 },
      {
        ...options,
        artifact: { ...options.artifact!, definition: { maxBytes: 50_000 } },
      },
    );
    expect(res).toMatchObject({ outcome: 'invalid_response', artifact: { rejection: 'size_cap' } });
    expect(res!.artifact!.bytes).toBeGreaterThan(50_000);
    expect(res!.artifact!.bytes).toBeLessThan(200_000);
    expect(res!.error).toMatch(/over the 50000-byte cap/);
  });
});
