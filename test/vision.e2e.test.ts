/**
 * The vision subnet end to end: the devnet over WebSocket, two vision miners served by
 * @subnetkit/miner over real HTTP (one trains its model on first start, on a small subset so it
 * takes seconds; the other serves an untrained model, which answers at chance) and a validator on
 * the shared Redis. The weights the validator sets on chain give the trained miner the highest.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type InferenceBackend, saveModel, selectBackend } from '@subnetkit/inference';
import { type RunningMiner, startMiner, subtensorMinerChain } from '@subnetkit/miner';
import vision, { buildModel } from '@subnetkit/subnet-vision';
import {
  btauthSigner,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_VALIDATOR, oneValidatorGenesis, until } from './helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = pino({ level: 'silent' });
const ROLES = ['trained', 'untrained'] as const;

describe('vision subnet end to end on the devnet', () => {
  let devnet: Devnet;
  let client: SubtensorClient;
  let validatorClient: SubtensorClient;
  let validatorKey: KeyringPair;
  let validator: RunningValidator;
  let backend: InferenceBackend;
  const miners: RunningMiner[] = [];
  const minerKeys: KeyringPair[] = [];
  const prefix = `test:e2e:vision:${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), 'e2e-vision-'));

  beforeAll(async () => {
    await cryptoWaitReady();
    backend = await selectBackend({ backend: 'wasm', logger: quiet });
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    validatorKey = keyring.addFromUri('//Alice//validator');
    devnet = await startDevnet({
      port: 0,
      blockTime: 200,
      logger: quiet,
      genesis: oneValidatorGenesis(NETUID),
    });
    client = await connect(devnet.url);
    const coldkeys = ['//Bob', '//Charlie'].map((u) => keyring.addFromUri(u));
    for (const [i, role] of ROLES.entries()) {
      const hotkey = keyring.addFromUri(`//Miner//vision-${role}`);
      minerKeys.push(hotkey);
      await client.burnedRegister(coldkeys[i]!, NETUID, hotkey.address);
    }

    // The untrained miner: a model with the right shapes and random weights, saved where the
    // miner loads it. The trained one starts with an empty data dir and trains on first start.
    const untrainedDir = mkdtempSync(join(dir, 'untrained-'));
    const untrained = buildModel(backend.tf, 7);
    await saveModel(untrained, join(untrainedDir, 'model'));
    untrained.dispose();
    const dataDirs = [mkdtempSync(join(dir, 'trained-')), untrainedDir];
    for (const [i, role] of ROLES.entries()) {
      miners.push(
        await startMiner({
          plugin: vision,
          hotkey: minerKeys[i]!,
          netuid: NETUID,
          chain: subtensorMinerChain(client, minerKeys[i]!),
          port: 0,
          host: '127.0.0.1',
          externalIp: '127.0.0.1',
          metagraphRefreshMs: 1_000,
          logger: quiet,
          dataDir: dataDirs[i]!,
          inference: {
            selected: backend,
            trainIfMissing: role === 'trained',
            trainOptions: { subset: 1_000, epochs: 3 },
          },
        }),
      );
    }
    await until('the validator permit', async () => {
      const m = await client.syncMetagraph(NETUID);
      return m.validatorPermit[m.hotkeys.indexOf(validatorKey.address)];
    });
    validatorClient = await connect(devnet.url);
    validator = await startValidator({
      plugin: vision,
      netuid: NETUID,
      hotkey: validatorKey.address,
      sign: btauthSigner(validatorKey),
      chain: subtensorValidatorChain(validatorClient, validatorKey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      ...FAST_VALIDATOR,
      logger: quiet,
    });
  }, 240_000);

  afterAll(async () => {
    await validator?.stop();
    await Promise.all(miners.map((m) => m.stop()));
    await validatorClient?.close().catch(() => {});
    await client?.close().catch(() => {});
    await devnet?.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the models on the selected backend, trained on first start where allowed', async () => {
    const [trained, untrained] = miners as [RunningMiner, RunningMiner];
    expect(trained.inference?.trained?.metrics.accuracy).toBeGreaterThan(0.7);
    expect(untrained.inference?.trained).toBeUndefined();
    const health = (await (await fetch(`${trained.url}/healthz`)).json()) as { backend: string };
    expect(health.backend).toBe(`wasm/${backend.device}`);
  });

  it('sets weights on chain that give the trained miner the highest', async () => {
    const { values, uids } = await until(
      'weights ranking trained > untrained',
      async () => {
        if (!(await validator.store.isApplied('round-3'))) return undefined;
        const m = await client.syncMetagraph(NETUID, { weights: true });
        const row = new Map(m.weights?.[m.hotkeys.indexOf(validatorKey.address)] ?? []);
        const uids = minerKeys.map((k) => m.hotkeys.indexOf(k.address));
        const values = uids.map((uid) => row.get(uid) ?? 0) as [number, number];
        return values[0] > values[1] ? { values, uids } : undefined;
      },
      120_000,
    );
    expect(values[0]).toBe(65535);
    const scores = await validator.store.read();
    expect(scores.get(uids[0]!)!.score).toBeGreaterThan(scores.get(uids[1]!)!.score);
    const metrics = await (await fetch(`${miners[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/subnetkit_inference_batch_size_count\{[^}]*model="Classify"[^}]*\} [1-9]/);
  });
});
