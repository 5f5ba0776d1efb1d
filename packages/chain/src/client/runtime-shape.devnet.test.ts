/** The client reads the devnet's runtime shape from its metadata and predicts its epochs. */
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SubtensorClient, connect } from './client.js';

let devnet: Devnet;
let client: SubtensorClient;

beforeAll(async () => {
  await cryptoWaitReady();
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        { netuid: 3, owner: '//Alice', ownerHotkey: '//Alice//owner', hyperparameters: { tempo: 7 } },
      ],
    },
  });
  client = await connect(devnet.url);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
});

it('detects the spec-381 shape and its epoch runs in the block nextEpochBlock names', async () => {
  expect(client.runtimeShape).toMatchObject({
    specVersion: 381,
    epochSchedule: 'legacy',
    activityCutoff: 'blocks',
    mechanismWeights: true,
  });
  // Every extension the devnet declares is encodable: none carries bytes polkadot-js would drop.
  for (const e of client.runtimeShape.extensions) {
    if (e.carriesData) expect(e.builtin, e.identifier).toBe(true);
  }
  const next = await client.nextEpochBlock(3);
  expect(next).toBeDefined();
  while ((await client.block()).number < next!) await devnet.produceBlock();
  const at = await client.block(next!);
  expect(Number((await client.query('lastEpochBlock', [3], at))?.toString())).toBe(next);
  const before = await client.block(next! - 1);
  expect(Number((await client.query('lastEpochBlock', [3], before))?.toString())).toBeLessThan(next!);
}, 60_000);
