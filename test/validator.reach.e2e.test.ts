/**
 * A mixed subnet end to end: the devnet over WebSocket, three real echo miners — a btauth/1 miner,
 * a miner serving legacy v10 only (as a Python SDK axon does; `legacy: { only: true }`) and a faulty
 * btauth/1 one — and a validator on `--protocol auto` whose plugin (`echoMixed`) alternates the
 * plain `Compute` synapse with the streaming `ComputeStream`. Every round queries all three over
 * real HTTP, the v10 miner in v10; the weights on chain rank the miners by quality.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import type { SubnetPlugin } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type RunningMiner, startMiner, subtensorMinerChain } from '@subnetkit/miner';
import { echoMixed, makeEchoModel } from '@subnetkit/subnet-echo';
import {
  btauthSigner,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneValidatorGenesis, until } from './helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = pino({ level: 'silent' });

const MINERS: { name: string; env: Record<string, string>; legacyOnly: boolean }[] = [
  { name: 'btauth', env: {}, legacyOnly: false },
  { name: 'v10', env: { ECHO_DELAY_MS: '500' }, legacyOnly: true },
  { name: 'faulty', env: { ECHO_ERROR_RATE: '1' }, legacyOnly: false },
];

describe('a mixed subnet: btauth/1, legacy v10 and streaming answers in one round', () => {
  let devnet: Devnet;
  let client: SubtensorClient;
  let validatorKey: KeyringPair;
  let validator: RunningValidator;
  let redis: Redis;
  const miners: RunningMiner[] = [];
  const minerKeys: KeyringPair[] = [];
  const prefix = `test:e2e:reach:${randomUUID()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'e2e-reach-'));

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    validatorKey = keyring.addFromUri('//Alice//validator');
    devnet = await startDevnet({
      port: 0,
      blockTime: 200,
      logger: quiet,
      genesis: oneValidatorGenesis(NETUID),
    });
    client = await connect(devnet.url);
    const coldkeys = ['//Bob', '//Charlie', '//Dave'].map((u) => keyring.addFromUri(u));
    for (const [i, m] of MINERS.entries()) {
      const hotkey = keyring.addFromUri(`//Reach//${m.name}`);
      minerKeys.push(hotkey);
      await client.burnedRegister(coldkeys[i]!, NETUID, hotkey.address);
    }
    await until('the validator permit', async () => {
      const mg = await client.syncMetagraph(NETUID);
      return mg.validatorPermit[mg.hotkeys.indexOf(validatorKey.address)];
    });
    for (const [i, m] of MINERS.entries()) {
      const plugin = {
        ...echoMixed,
        miner: { ...echoMixed.miner, setup: () => makeEchoModel(m.env) },
      } as SubnetPlugin;
      miners.push(
        await startMiner({
          plugin,
          hotkey: minerKeys[i]!,
          netuid: NETUID,
          chain: subtensorMinerChain(client, minerKeys[i]!),
          port: 0,
          host: '127.0.0.1',
          externalIp: '127.0.0.1',
          metagraphRefreshMs: 1_000,
          logger: quiet,
          dataDir: mkdtempSync(join(stateDir, `miner-${m.name}-`)),
          ...(m.legacyOnly ? { legacy: { only: true } } : {}),
        }),
      );
    }
    redis = new Redis(REDIS_URL);
    validator = await startValidator({
      plugin: echoMixed,
      netuid: NETUID,
      hotkey: validatorKey.address,
      sign: btauthSigner(validatorKey),
      protocol: 'auto',
      chain: subtensorValidatorChain(client, validatorKey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      emaAlpha: 0.3,
      roundIntervalMs: 500,
      weightsCheckIntervalMs: 400,
      weightsBackoffMs: 200,
      weightsAttempts: 30,
      batchSize: 3,
      resyncBlocks: 5,
      logger: quiet,
    });
  }, 120_000);

  afterAll(async () => {
    await validator?.stop();
    await Promise.all(miners.map((m) => m.stop()));
    await client?.close().catch(() => {});
    await devnet?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('scores every miner over its own protocol and ranks them on chain by quality', async () => {
    const { values, uids } = await until('weights ranking btauth > v10 > faulty', async () => {
      // Rounds 1 and 3 stream (ComputeStream), 2 and 4 do not; wait until both kinds were folded.
      if (!(await validator.store.isApplied('round-4'))) return undefined;
      const mg = await client.syncMetagraph(NETUID, { weights: true });
      const row = new Map(mg.weights?.[mg.hotkeys.indexOf(validatorKey.address)] ?? []);
      const ids = minerKeys.map((k) => mg.hotkeys.indexOf(k.address));
      const w = ids.map((uid) => row.get(uid) ?? 0) as [number, number, number];
      return w[0] > w[1] && w[1] > w[2] ? { values: w, uids: ids } : undefined;
    });
    expect(values[0]).toBe(65535);
    expect(values[2]).toBe(0);
    const scores = await validator.store.read();
    expect(scores.get(uids[1]!)!.score).toBeGreaterThan(0.5);
    expect(scores.get(uids[2]!)!.score).toBe(0);
    // The v10 miner refused btauth/1 once (LegacyAuth) and was spoken to in v10 from then on.
    const v10Metrics = await miners[1]!.app.axon.registry.metrics();
    expect(v10Metrics).toMatch(/kind="Legacy"[^\n]*\} [1-9]/);
    const validatorMetrics = await validator.registry.metrics();
    // Every query, streamed or not, v10 or btauth/1, ended ok (the faulty miner answers, wrongly).
    expect(validatorMetrics).toMatch(/subnetkit_validator_queries_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(validatorMetrics).not.toMatch(
      /queries_total\{[^}]*outcome="(timeout|refused|overloaded|http_error|invalid_response|protocol_mismatch)"[^}]*\} [1-9]/,
    );
  });
});
