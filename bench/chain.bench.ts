/**
 * Metagraph sync over WebSocket against the devnet: subnets of 256 and 4096 neurons created at genesis
 * (much faster than 4096 registrations by extrinsic), timed with the same client code used for a real node.
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@subnetkit/chain';
import { startDevnet } from '@subnetkit/devnet';
import { type Figure, measure } from './harness.js';

const hex = () => `0x${randomBytes(32).toString('hex')}`;

function subnet(netuid: number, n: number) {
  const coldkeys = Array.from({ length: 16 }, hex);
  return {
    netuid,
    owner: '//Alice',
    hyperparameters: { tempo: 360, maxAllowedUids: n, maxAllowedValidators: 64 },
    neurons: Array.from({ length: n }, (_, i) => ({
      hotkey: hex(),
      coldkey: coldkeys[i % coldkeys.length]!,
      stake: 1 + (i % 100),
      ...(i % 4 === 0
        ? { axon: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 8091 } }
        : {}),
    })),
  };
}

export default async function chainBench(): Promise<Figure[]> {
  const devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: { subnets: [subnet(1, 256), subnet(2, 4096)] },
  });
  const client = await connect(devnet.url);
  try {
    const figures: Figure[] = [];
    for (const [netuid, n, iterations] of [
      [1, 256, 30],
      [2, 4096, 10],
    ] as const) {
      const first = await client.syncMetagraph(netuid);
      if (first.n !== n) throw new Error(`expected ${n} neurons on netuid ${netuid}, synced ${first.n}`);
      const m = await measure(() => client.syncMetagraph(netuid), { iterations, warmup: 2 });
      const withWeights = await measure(() => client.syncMetagraph(netuid, { weights: true }), {
        iterations: Math.max(3, iterations / 3),
        warmup: 1,
      });
      figures.push({
        name: `chain.metagraph_sync_ms_${n}`,
        value: m.p50Us / 1000,
        unit: 'ms',
        note: `median of ${iterations} syncs over ws, devnet in the same process (target ${n === 256 ? 100 : 1000} ms); p90 ${(m.p90Us / 1000).toFixed(1)} ms`,
      });
      figures.push({
        name: `chain.metagraph_sync_weights_ms_${n}`,
        value: withWeights.p50Us / 1000,
        unit: 'ms',
        note: 'median, with weight rows (empty rows at genesis)',
      });
    }
    return figures;
  } finally {
    await client.close();
    await devnet.stop();
  }
}
