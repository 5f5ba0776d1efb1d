/** Validator processes (test/validator.child.mjs) for the fault tests: start, SIGKILL, count rounds. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { until } from './helpers.js';

const CHILD = resolve(import.meta.dirname, 'validator.child.mjs');

export interface ChildConfig {
  redis: string;
  prefix: string;
  chainUrl: string;
  netuid: number;
  uri: string;
  alpha: number;
  roundIntervalMs: number;
  weightsCheckIntervalMs: number;
  /** BullMQ lock and stalled check (default: the validator's defaults). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export async function spawnValidator(cfg: ChildConfig): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      VALIDATOR_CHILD_CONFIG: JSON.stringify({ logLevel: process.env.VALIDATOR_CHILD_LOG ?? 'warn', ...cfg }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolveReady, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolveReady();
    });
    child.once('exit', (code) => reject(new Error(`validator child exited early with code ${code}`)));
  });
  return child;
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function appliedRounds(redis: Redis, prefix: string): Promise<number> {
  return (await redis.keys(`${prefix}:applied:*`)).length;
}

/** The genesis of the fault tests' subnet: the validator (stake 1000) and a miner per axon (uids 1..n). */
export function faultSubnetGenesis(
  netuid: number,
  validatorUri: string,
  axons: readonly { ip: string; port: number }[],
) {
  return {
    subnets: [
      {
        netuid,
        owner: 'alice',
        hyperparameters: { tempo: 5, weightsRateLimit: 1, maxAllowedValidators: 8 },
        neurons: [
          { hotkey: validatorUri, coldkey: 'alice', stake: 1000 },
          ...axons.map((a, i) => ({
            hotkey: `//Miner${i}`,
            coldkey: 'bob',
            axon: { ip: a.ip, port: a.port },
          })),
        ],
      },
    ],
  };
}

/** Resolves once the first epoch gave `validator` its permit on `netuid`. */
export async function untilValidatorPermit(
  client: { syncMetagraph(netuid: number): Promise<{ hotkeys: string[]; validatorPermit: boolean[] }> },
  netuid: number,
  validator: string,
): Promise<void> {
  await until('a validator permit', async () => {
    const m = await client.syncMetagraph(netuid);
    return m.validatorPermit[m.hotkeys.indexOf(validator)];
  });
}
