/**
 * Metagraph sync over WebSocket against the devnet: subnets of 256 and 4096 neurons created at genesis
 * (much faster than 4096 registrations by extrinsic), timed with the same client code used for a real node.
 * The devnet runs in a child process, as a node would, so its CPU is not charged to the client's event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@subnetkit/chain';
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

/** Starts the devnet in a child process; resolves with its URL once it listens. */
async function spawnDevnet(genesisPath: string): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    const { startDevnet } = await import('@subnetkit/devnet');
    const d = await startDevnet({ port: 0, blockTime: 'instant', genesis: ${JSON.stringify(genesisPath)} });
    process.stdout.write(d.url + '\\n');
    process.on('SIGTERM', async () => { await d.stop(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('ws://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`devnet process exited with code ${code} before listening`)),
    );
  });
  return { url, child };
}

export default async function chainBench(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'subnetkit-chain-bench-'));
  const genesisPath = join(dir, 'genesis.json');
  await writeFile(genesisPath, JSON.stringify({ subnets: [subnet(1, 256), subnet(2, 4096)] }));
  const { url, child } = await spawnDevnet(genesisPath);
  const client = await connect(url, { connectTimeoutMs: 30_000 });
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
        note: `median of ${iterations} syncs over ws, devnet in a child process (target ${n === 256 ? 100 : 1000} ms); p90 ${(m.p90Us / 1000).toFixed(1)} ms`,
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
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
