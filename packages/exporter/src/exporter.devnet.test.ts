/**
 * The exporter against a running devnet over WebSocket: values read from chain storage, per-block refresh,
 * interval refresh, /healthz, and the errors a user hits.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { tempoPosition } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExporter, runExporter } from './run.js';

const TEMPO = 10;
const quiet = pino({ level: 'silent' });

let devnet: Devnet;
let client: SubtensorClient;
let exporter: RunningExporter;
let bobHot: string;
let charlieHot: string;

/** Value of one sample in Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(e: RunningExporter = exporter): Promise<string> {
  const res = await fetch(`${e.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  bobHot = kr.addFromUri('//Bob//hot').address;
  charlieHot = kr.addFromUri('//Charlie//hot').address;
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: 1,
          owner: '//Alice',
          ownerHotkey: '//Alice//hot',
          hyperparameters: {
            tempo: TEMPO,
            burn: '1.5',
            weightsRateLimit: 0,
            commitRevealWeightsEnabled: false,
            minAllowedWeights: 1,
          },
          neurons: [
            { hotkey: '//Bob//hot', coldkey: '//Bob', stake: 100, axon: { ip: '10.0.0.1', port: 8091 } },
            { hotkey: '//Charlie//hot', coldkey: '//Charlie', stake: 50 },
          ],
        },
        { netuid: 2, owner: '//Alice', hyperparameters: { tempo: 20 } },
      ],
    },
  });
  // One epoch so permits are assigned by stake.
  devnet.produceBlocks(TEMPO + 2);
  client = await connect(devnet.url);
  exporter = await runExporter({
    chain: devnet.url,
    netuids: [1, 2],
    port: 0,
    host: '127.0.0.1',
    logger: quiet,
  });
}, 60_000);

afterAll(async () => {
  await exporter?.stop();
  await client?.close();
  await devnet?.stop();
});

describe('runExporter on the devnet', () => {
  it('exports the chain view read from storage', async () => {
    const text = await scrape();
    const head = devnet.bestNumber();
    const bob = { netuid: '1', uid: '1', hotkey_prefix: bobHot.slice(0, 8) };
    const charlie = { netuid: '1', uid: '2', hotkey_prefix: charlieHot.slice(0, 8) };
    const mg = await client.syncMetagraph(1);

    expect(sample(text, 'subnetkit_chain_block_height')).toBe(head);
    expect(sample(text, 'subnetkit_chain_subnet_neurons', { netuid: '1' })).toBe(3);
    expect(sample(text, 'subnetkit_chain_subnet_neurons', { netuid: '2' })).toBe(0);
    expect(sample(text, 'subnetkit_chain_tempo_blocks', { netuid: '1' })).toBe(TEMPO);
    expect(sample(text, 'subnetkit_chain_tempo_blocks', { netuid: '2' })).toBe(20);
    const pos = tempoPosition(head, 1, TEMPO);
    expect(sample(text, 'subnetkit_chain_tempo_position_blocks', { netuid: '1' })).toBe(pos.intoEpoch);
    expect(sample(text, 'subnetkit_chain_blocks_until_epoch', { netuid: '1' })).toBe(
      pos.blocksUntilNextEpoch,
    );
    expect(sample(text, 'subnetkit_chain_epoch', { netuid: '1' })).toBe(pos.epoch);
    expect(sample(text, 'subnetkit_chain_registration_cost_tao', { netuid: '1' })).toBe(1.5);

    expect(sample(text, 'subnetkit_chain_stake', bob)).toBeCloseTo(mg.stake[1] ?? Number.NaN, 6);
    expect(sample(text, 'subnetkit_chain_stake', bob)).toBeGreaterThan(
      sample(text, 'subnetkit_chain_stake', charlie) ?? Number.POSITIVE_INFINITY,
    );
    expect(sample(text, 'subnetkit_chain_axon_served', bob)).toBe(1);
    expect(sample(text, 'subnetkit_chain_axon_served', charlie)).toBe(0);
    expect(sample(text, 'subnetkit_chain_validator_permit', bob)).toBe(1);
    for (const name of ['incentive', 'dividends', 'emission', 'trust', 'consensus', 'validator_trust']) {
      const key = name === 'validator_trust' ? 'validatorTrust' : name;
      const want = (mg[key as keyof typeof mg] as number[])[1];
      expect(sample(text, `subnetkit_chain_${name}`, bob), name).toBeCloseTo(want ?? Number.NaN, 9);
    }
    // Bob holds a permit and never set weights: the age is the whole chain.
    expect(sample(text, 'subnetkit_chain_last_update_block', bob)).toBe(0);
    expect(sample(text, 'subnetkit_chain_weights_age_blocks', bob)).toBe(head);
    expect(sample(text, 'subnetkit_exporter_chain_connected')).toBe(1);
    expect(sample(text, 'subnetkit_exporter_snapshot_block', { netuid: '2' })).toBe(head);
    expect(text).toMatch(/^# HELP subnetkit_chain_stake /m);
  });

  it('follows new blocks and a validator setting weights', async () => {
    const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const r = await client.setWeights(kr.addFromUri('//Bob//hot'), 1, [2], [1], 0);
    expect(r.mode).toBe('set');
    const bob = { netuid: '1', uid: '1', hotkey_prefix: bobHot.slice(0, 8) };
    const setAt = await until('the exporter to see the weights', async () => {
      const v = sample(await scrape(), 'subnetkit_chain_last_update_block', bob);
      return v ? v : undefined;
    });
    devnet.produceBlocks(3);
    const head = devnet.bestNumber();
    const text = await until('the exporter to reach the head', async () => {
      const t = await scrape();
      return sample(t, 'subnetkit_exporter_snapshot_block', { netuid: '1' }) === head ? t : undefined;
    });
    expect(sample(text, 'subnetkit_chain_block_height')).toBe(head);
    expect(sample(text, 'subnetkit_chain_weights_age_blocks', bob)).toBe(head - setAt);
    expect(sample(text, 'subnetkit_exporter_refreshes_total', { netuid: '1', result: 'ok' })).toBeGreaterThan(
      1,
    );
  });

  it('answers /healthz with each subnet and its snapshot block', async () => {
    const res = await fetch(`${exporter.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; connected: boolean; subnets: Record<string, unknown> };
    expect(body.ok).toBe(true);
    expect(body.connected).toBe(true);
    expect(Object.keys(body.subnets)).toEqual(['1', '2']);
  });

  it('refreshes at an interval when asked', async () => {
    const e = await runExporter({
      chain: devnet.url,
      netuids: [2],
      port: 0,
      host: '127.0.0.1',
      intervalMs: 100,
      logger: quiet,
    });
    try {
      devnet.produceBlocks(2);
      const head = devnet.bestNumber();
      await until('an interval refresh', async () =>
        sample(await scrape(e), 'subnetkit_exporter_snapshot_block', { netuid: '2' }) === head
          ? true
          : undefined,
      );
      expect(sample(await scrape(e), 'subnetkit_chain_subnet_neurons', { netuid: '1' })).toBeUndefined();
    } finally {
      await e.stop();
    }
  });

  it('refuses a netuid the chain does not have, naming the fix', async () => {
    await expect(
      runExporter({ chain: devnet.url, netuids: [1, 9], port: 0, host: '127.0.0.1', logger: quiet }),
    ).rejects.toThrow(/netuid 9 does not exist on ws:\/\/127\.0\.0\.1:\d+; check --netuid and --chain/);
  });

  it('names the taken port and the flag', async () => {
    await expect(
      runExporter({ chain: devnet.url, netuids: [1], port: exporter.port, host: '127.0.0.1', logger: quiet }),
    ).rejects.toThrow(new RegExp(`port ${exporter.port} .* is in use`));
  });
});
