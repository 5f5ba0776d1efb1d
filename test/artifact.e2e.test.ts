/**
 * Artifact synapses over real HTTP: miners' axons on 127.0.0.1 answer with bytes behind btauth/1,
 * the validator's dendrite reads them through core's ArtifactReceiver against the hashes the
 * challenge expects (as from on-chain commitments), and `reward` gets the bytes, or a refusal that
 * names why (hash mismatch, size cap, no expected hash).
 */
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { artifactHashHex, defineSubnet, MemoryReplayStore, type MinerResponse } from '@subnetkit/core';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import { btauthSigner, Dendrite, runRoundOnce, synapseQueryOptions } from '@subnetkit/validator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAX = 256 * 1024;
const seen: MinerResponse<Uint8Array>[][] = [];
let expected: Record<string, string> = {};

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
    challenge: () => ({ synapse: 'Update', request: { round: 1 }, truth: 0, artifacts: expected }),
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

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice');
  miners = ['//Bob', '//Charlie', '//Dave'].map((u) => keyring.addFromUri(u));
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
  await dendrite.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const targets = () =>
  miners.map((m, i) => ({ uid: i + 1, hotkey: m.address, ip: '127.0.0.1', port: ports[i]! }));

describe('artifact synapse over real HTTP', () => {
  it('gives reward the committed bytes, and refuses a mismatch or a miner without a commitment', async () => {
    expected = {
      [miners[0]!.address]: artifactHashHex(payloads[0]!),
      // Miner 1 committed other bytes than it serves; miner 2 committed nothing.
      [miners[1]!.address]: `0x${artifactHashHex(new Uint8Array([1]))}`,
    };
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
