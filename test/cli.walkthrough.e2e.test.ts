/**
 * docs/walkthrough.md, command by command, through the real `subnetkit` bin: a devnet, three wallets,
 * the faucet, a transfer, a subnet created, started, a miner and a validator registered and staked,
 * then `subnetkit miner` and `subnetkit validator` until the validator's weights for the miner are on
 * chain. Real devnet on a free port, real HTTP, the shared Redis under the validator's own key prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, cliJson, runCli, startCli } from './cli-helpers.js';
import { freePort, until } from './helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = mkdtempSync(join(tmpdir(), 'subnetkit-walkthrough-'));
const running: CliProcess[] = [];
let redisPrefix: string | undefined;

afterAll(async () => {
  for (const p of running.reverse()) await p.stop();
  if (redisPrefix) {
    const redis = new Redis(REDIS_URL);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  rmSync(root, { recursive: true, force: true });
});

describe('the manual path of docs/walkthrough.md', () => {
  it('devnet -> wallets -> fund -> subnet create -> start -> register -> stake -> miner -> validator', async () => {
    // 1. A devnet on a free port.
    const port = await freePort();
    const chain = `ws://127.0.0.1:${port}`;
    running.push(
      await startCli(['devnet', '--port', String(port), '--block-time', '100'], {}, /listening on/),
    );

    // 2. Three wallets.
    const wallet = (name: string) => ['--wallet', name, '--wallet-path', root];
    const on = ['--chain', chain];
    const owner = await cliJson(['wallet', 'create', ...wallet('owner'), '--no-password']);
    const miner = await cliJson(['wallet', 'create', ...wallet('miner'), '--no-password']);
    const validator = await cliJson(['wallet', 'create', ...wallet('validator'), '--no-password']);
    expect(await cliJson(['wallet', 'balance', ...wallet('owner'), ...on])).toMatchObject({
      address: owner.coldkey,
      free: '0',
    });

    // 3. A fresh wallet cannot create a subnet; the error names the faucet.
    const broke = await runCli(['subnet', 'create', ...wallet('owner'), ...on]);
    expect(broke.code).toBe(1);
    expect(broke.stderr).toContain(`subnetkit devnet fund ${owner.coldkey}`);
    expect(broke.stderr).not.toContain('RPC-CORE');

    // 4. The faucet, then transfers to the other two coldkeys.
    expect(await cliJson(['devnet', 'fund', String(owner.coldkey), '--amount', '5000', ...on])).toMatchObject(
      {
        from: '//Alice',
        balance: '5000',
      },
    );
    await cliJson([
      'wallet',
      'transfer',
      ...wallet('owner'),
      '--dest',
      String(miner.coldkey),
      '--amount',
      '50',
      ...on,
    ]);
    const sent = await cliJson([
      'wallet',
      'transfer',
      ...wallet('owner'),
      '--dest',
      String(validator.coldkey),
      '--amount',
      '500',
      ...on,
    ]);
    expect(sent).toMatchObject({ dest: validator.coldkey, amount: '500', destBalance: '500' });

    // 5. Create and start the subnet.
    const created = await cliJson(['subnet', 'create', ...wallet('owner'), ...on]);
    const netuid = String(created.netuid);
    await cliJson(['subnet', 'start', '--netuid', netuid, ...wallet('owner'), ...on]);

    // 6. Register the miner and the validator; stake to the validator.
    const minerReg = await cliJson(['subnet', 'register', '--netuid', netuid, ...wallet('miner'), ...on]);
    const validatorReg = await cliJson([
      'subnet',
      'register',
      '--netuid',
      netuid,
      ...wallet('validator'),
      ...on,
    ]);
    expect(minerReg.hotkey).toBe(miner.hotkey);
    await cliJson(['stake', 'add', '--netuid', netuid, '--amount', '100', ...wallet('validator'), ...on]);

    // 7. The miner.
    const axonPort = await freePort();
    running.push(
      await startCli([
        'miner',
        '--subnet',
        'echo',
        '--netuid',
        netuid,
        ...wallet('miner'),
        ...on,
        '--port',
        String(axonPort),
        '--host',
        '127.0.0.1',
        '--external-ip',
        '127.0.0.1',
      ]),
    );
    await until('the miner axon on the metagraph', async () => {
      const m = await cliJson<{ axons: { port: number }[] }>([
        'subnet',
        'metagraph',
        '--netuid',
        netuid,
        ...on,
      ]);
      return m.axons[Number(minerReg.uid)]?.port === axonPort;
    });

    // 8. The validator, until its weights for the miner are on chain.
    redisPrefix = `subnetkit:validator:{${netuid}:${validator.hotkey}}`;
    running.push(
      await startCli([
        'validator',
        '--subnet',
        'echo',
        '--netuid',
        netuid,
        ...wallet('validator'),
        ...on,
        '--redis',
        REDIS_URL,
        '--round-interval',
        '1',
        '--weights-interval',
        '1',
      ]),
    );
    const row = await until(
      'the validator weights for the miner on chain',
      async () => {
        const shown = await cliJson<{ rows: { uid: number; weights: { uid: number; weight: number }[] }[] }>([
          'weights',
          'show',
          '--netuid',
          netuid,
          ...on,
        ]);
        const mine = shown.rows.find((r) => r.uid === Number(validatorReg.uid));
        return mine?.weights.some((w) => w.uid === Number(minerReg.uid) && w.weight > 0) ? mine : undefined;
      },
      150_000,
      1_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\n--- validator:\n${running.at(-1)?.output()}\n--- miner:\n${running.at(-2)?.output()}`,
      );
    });
    expect(row.weights.find((w) => w.uid === Number(minerReg.uid))!.weight).toBeGreaterThan(0);
  }, 300_000);
});
