/**
 * Validator end to end: the devnet over WebSocket, three real miners (the echo subnet served by
 * @subnetkit/miner with btauth/1 verification) of different quality, and a validator on the shared
 * Redis. After a few rounds the weights the validator set on chain rank the miners by quality; then
 * the chain goes away (devnet stopped, restarted from its state file on the same port) and the
 * validator reconnects and sets weights again.
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
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
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

/** The echo subnet with a fixed miner behaviour instead of the ECHO_* environment. */
function echoWith(env: Record<string, string>): SubnetPlugin {
  return { ...echo, miner: { ...echo.miner, setup: () => makeEchoModel(env) } } as SubnetPlugin;
}

const QUALITIES: { name: string; env: Record<string, string> }[] = [
  { name: 'honest', env: {} },
  { name: 'slow', env: { ECHO_DELAY_MS: '900' } },
  { name: 'faulty', env: { ECHO_ERROR_RATE: '1' } },
];

describe('validator end to end on the devnet', () => {
  let devnet: Devnet;
  let client: SubtensorClient;
  let validatorClient: SubtensorClient;
  let validatorKey: KeyringPair;
  let validator: RunningValidator;
  let redis: Redis;
  const miners: RunningMiner[] = [];
  const minerKeys: KeyringPair[] = [];
  const prefix = `test:e2e:validator:${randomUUID()}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'e2e-validator-devnet-'));
  const devnetOpts = () => ({
    blockTime: 200,
    statePath: join(stateDir, 'state.json'),
    saveIntervalMs: 500,
    logger: quiet,
  });

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    validatorKey = keyring.addFromUri('//Alice//validator');
    devnet = await startDevnet({
      port: 0,
      ...devnetOpts(),
      genesis: oneValidatorGenesis(NETUID),
    });
    client = await connect(devnet.url);
    const coldkeys = ['//Bob', '//Charlie', '//Dave'].map((u) => keyring.addFromUri(u));
    for (const [i, q] of QUALITIES.entries()) {
      const hotkey = keyring.addFromUri(`//Miner//${q.name}`);
      minerKeys.push(hotkey);
      await client.burnedRegister(coldkeys[i]!, NETUID, hotkey.address);
    }
    await until('the validator permit', async () => {
      const m = await client.syncMetagraph(NETUID);
      return m.validatorPermit[m.hotkeys.indexOf(validatorKey.address)];
    });
    for (const [i, q] of QUALITIES.entries()) {
      miners.push(
        await startMiner({
          plugin: echoWith(q.env),
          hotkey: minerKeys[i]!,
          netuid: NETUID,
          chain: subtensorMinerChain(client, minerKeys[i]!),
          port: 0,
          host: '127.0.0.1',
          externalIp: '127.0.0.1',
          metagraphRefreshMs: 1_000,
          logger: quiet,
          dataDir: mkdtempSync(join(stateDir, `miner-${q.name}-`)),
        }),
      );
    }
    redis = new Redis(REDIS_URL);
    validatorClient = await connect(devnet.url, { reconnectDelayMs: 100, maxReconnectDelayMs: 500 });
    validator = await startValidator({
      plugin: echo,
      netuid: NETUID,
      hotkey: validatorKey.address,
      sign: btauthSigner(validatorKey),
      chain: subtensorValidatorChain(validatorClient, validatorKey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      ...FAST_VALIDATOR,
      logger: quiet,
    });
  }, 120_000);

  afterAll(async () => {
    await validator?.stop();
    await Promise.all(miners.map((m) => m.stop()));
    await validatorClient?.close().catch(() => {});
    await client?.close().catch(() => {});
    await devnet?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function weightsRow(c: SubtensorClient) {
    const m = await c.syncMetagraph(NETUID, { weights: true });
    const row = new Map(m.weights?.[m.hotkeys.indexOf(validatorKey.address)] ?? []);
    const uids = minerKeys.map((k) => m.hotkeys.indexOf(k.address));
    return { m, values: uids.map((uid) => row.get(uid) ?? 0), uids };
  }

  it('sets weights that rank the miners by quality', async () => {
    const { values, m, uids } = await until('weights ranking honest > slow > faulty', async () => {
      // A few rounds first, so each miner's moving average has settled.
      if (!(await validator.store.isApplied('round-4'))) return undefined;
      const w = await weightsRow(client);
      const [honest, slow, faulty] = w.values as [number, number, number];
      return honest > slow && slow > faulty ? w : undefined;
    });
    expect(values[0]).toBe(65535);
    expect(values[2]).toBe(0);
    const scores = await validator.store.read();
    expect(scores.get(uids[0]!)!.score).toBeGreaterThan(scores.get(uids[1]!)!.score);
    expect(scores.get(uids[2]!)!.score).toBe(0);
    expect(m.lastUpdate[m.hotkeys.indexOf(validatorKey.address)]).toBeGreaterThan(0);
    const text = await validator.registry.metrics();
    expect(text).toMatch(/subnetkit_validator_weights_submissions_total\{[^}]*result="ok"[^}]*\} [1-9]/);
  });

  it('reconnects after losing the chain and sets weights again', async () => {
    const before = (await validator.weightsState()).lastBlock ?? 0;
    const port = devnet.port;
    await devnet.stop();
    await until('a connection error to be counted', async () => {
      const text = await validator.registry.metrics();
      return /subnetkit_validator_chain_errors_total\{[^}]*kind="connection"[^}]*\} [1-9]/.test(text);
    });
    devnet = await startDevnet({ port, ...devnetOpts() });
    const after = await until('weights set after the chain came back', async () => {
      const s = await validator.weightsState();
      return s.lastBlock !== undefined && s.lastBlock > before ? s.lastBlock : undefined;
    });
    expect(after).toBeGreaterThan(before);
    const { values } = await weightsRow(validatorClient);
    expect(values[0]).toBeGreaterThan(values[2]!);
  });
});
