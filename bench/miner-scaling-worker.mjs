// One axon worker process of bench/miner-scaling.bench.ts (forked with node:cluster; plain ESM on the
// built packages, so no TypeScript loader is needed in the worker). It serves the echo subnet exactly
// as `subnetkit miner --workers <n> --redis <url>` does per worker: createAxon, the Redis replay
// store shared by every worker, a metagraph cache, on the port every worker of its pool shares.
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connectRedisReplayStore, createAxon, staticMetagraph } from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';

const { BENCH_PORT, BENCH_REDIS, BENCH_PREFIX, BENCH_VALIDATORS } = process.env;
await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const miner = keyring.addFromUri('//Bob');
const validators = JSON.parse(BENCH_VALIDATORS);
const replay = await connectRedisReplayStore(BENCH_REDIS, { prefix: BENCH_PREFIX });
const app = createAxon({
  plugin: echo,
  model: makeEchoModel({}),
  hotkey: miner,
  netuid: 1,
  metagraph: staticMetagraph({
    hotkeys: [miner.address, ...validators],
    stake: [0, 1000, 500, 250, 125],
    validatorPermit: [false, true, true, true, true],
  }),
  replayStore: replay.store,
  // Requests are signed before the timed loop, so allow them to be older than the 10 s default.
  maxAgeMs: 600_000,
  policy: { maxConcurrency: 256, maxQueue: 4096 },
  logger: pino({ level: 'silent' }),
});
await app.listen({ port: Number(BENCH_PORT), host: '127.0.0.1' });
process.send({ type: 'ready' });
process.on('message', async (m) => {
  if (m?.type !== 'stop') return;
  await app.close();
  await replay.close();
  process.disconnect();
});
