/**
 * Child process of bench/devnet.bench.ts and bench/chain.bench.ts: a separate client that signs full-width
 * set_weights for every validator (untimed), then submits them over WebSocket JSON-RPC with
 * author_submitAndWatchExtrinsic and waits until every one is in a block (timed).
 *
 * Run: `node --import tsx bench/set-weights-client.ts '<json ClientJob>'`; prints one JSON line
 * (ClientReport) on stdout.
 */
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  type ClientJob,
  type ClientReport,
  fullWeights,
  signedSetWeights,
  submitAndWatchAll,
  validatorSigners,
} from './set-weights-tx.js';

const job = JSON.parse(process.argv[2] ?? '{}') as ClientJob;
if (!job.url || !job.genesisHash) throw new Error('set-weights-client: pass a ClientJob as JSON argument');
await cryptoWaitReady();
const signers = validatorSigners(job.validators);
const t0 = performance.now();
const txs: string[] = [];
for (let k = 0; k < job.perValidator; k++) {
  const nonce = (job.firstNonce ?? 0) + k;
  const { uids, weights } = fullWeights(job.n, nonce);
  for (const s of signers) txs.push(signedSetWeights(s, nonce, job.genesisHash, job.netuid, uids, weights));
}
const signMs = performance.now() - t0;
const t1 = performance.now();
const cpu0 = process.cpuUsage();
const { blocks } = await submitAndWatchAll(job.url, txs, { window: job.window ?? 256 });
const cpu = process.cpuUsage(cpu0);
const submitMs = performance.now() - t1;
const report: ClientReport = {
  count: txs.length,
  signMs,
  submitMs,
  blocks: blocks.size,
  submitCpuMs: (cpu.user + cpu.system) / 1000,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
