/**
 * Yuma consensus: the pure epoch of @subnetkit/core on a full subnet (every validator weights every
 * miner), and the devnet's block time at a tempo boundary (epoch + storage writes + emission payout) on
 * a 4096-neuron subnet with 64 validators.
 */
import { type EpochInput, DEFAULT_EPOCH_HYPERPARAMETERS, epochRunsAt, runEpoch } from '@subnetkit/core';
import { type GenesisNeuron, startDevnet } from '@subnetkit/devnet';
import { cpus, loadavg } from 'node:os';
import { type Figure, measure } from './harness.js';

const VALIDATORS = 64;

/** The 1-minute load average at measurement: other processes on the shared cores inflate timings. */
const load = () =>
  `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores shared with other processes`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Weight rows: each validator weights every non-validator uid (u16, max-upscaled). */
function weightRows(n: number, seed: number): Array<Array<[number, number]>> {
  const r = rng(seed);
  return Array.from({ length: VALIDATORS }, () => {
    const row: Array<[number, number]> = [];
    for (let j = VALIDATORS; j < n; j++) row.push([j, 1 + Math.floor(r() * 65534)]);
    return row;
  });
}

/** A subnet after some epochs: validators with stake and permits, weights and bonds in place. */
function subnet(n: number): EpochInput {
  const r = rng(n);
  const input: EpochInput = {
    n,
    currentBlock: 1000,
    stake: Array.from({ length: n }, (_, i) =>
      i < VALIDATORS ? BigInt(1 + Math.floor(r() * 1e6)) * 10n ** 9n : 0n,
    ),
    weights: weightRows(n, 1),
    bonds: [],
    lastUpdate: Array.from({ length: n }, (_, i) => (i < VALIDATORS ? 990 : 0)),
    blockAtRegistration: new Array(n).fill(0),
    validatorPermit: Array.from({ length: n }, (_, i) => i < VALIDATORS),
    ownerUid: null,
    lastStepBlock: 989,
    emission: 10n ** 10n,
    hyperparameters: { ...DEFAULT_EPOCH_HYPERPARAMETERS, tempo: 10 },
  };
  return { ...input, bonds: runEpoch(input).bonds };
}

async function tempoBlockMs(n: number): Promise<Figure> {
  const neurons: GenesisNeuron[] = Array.from({ length: n }, (_, i) => ({
    hotkey: `//Bench//${i}`,
    coldkey: '//Alice',
    ...(i < VALIDATORS ? { stake: 1000 + i } : {}),
  }));
  const tempo = 4;
  const devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    verifyThreads: 0,
    genesis: {
      subnets: [
        {
          netuid: 1,
          owner: '//Alice',
          hyperparameters: {
            tempo,
            maxAllowedUids: n,
            maxAllowedValidators: VALIDATORS,
            commitRevealWeightsEnabled: false,
          },
          neurons,
        },
      ],
    },
  });
  try {
    const { rt } = devnet.chain as unknown as {
      rt: {
        state: {
          set: (...a: unknown[]) => void;
          vecSet: (p: string, k: unknown[], i: number, v: bigint) => void;
        };
      };
    };
    devnet.produceBlock();
    const rows = weightRows(n, 2);
    const boundaryMs: number[] = [];
    const otherMs: number[] = [];
    for (let round = 0; round < 4; round++) {
      // Fresh weights from every validator before each epoch (as if set_weights ran this tempo).
      const block = BigInt(devnet.bestNumber());
      rows.forEach((row, uid) => {
        rt.state.set('SubtensorModule.Weights', 1, uid, row);
        rt.state.vecSet('SubtensorModule.LastUpdate', [1], uid, block);
      });
      for (let k = 0; k <= tempo; k++) {
        const next = devnet.bestNumber() + 1;
        const t0 = performance.now();
        devnet.produceBlock();
        const ms = performance.now() - t0;
        // The devnet runs netuid 1's epoch where subtensor's should_run_epoch says (core's epochRunsAt).
        (epochRunsAt(next, 1, tempo) ? boundaryMs : otherMs).push(ms);
      }
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    return {
      name: `devnet.tempo_block_ms_${n}`,
      value: mean(boundaryMs),
      unit: 'ms',
      note: `${VALIDATORS} validators weighting all ${n - VALIDATORS} miners; mean of ${boundaryMs.length} epoch blocks (max ${Math.max(...boundaryMs).toFixed(0)} ms); an empty block without epoch: ${mean(otherMs).toFixed(1)} ms; ${load()}`,
    };
  } finally {
    await devnet.stop();
  }
}

export default async function (): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [n, target, iterations] of [
    [256, 50, 50],
    [4096, 2000, 5],
  ] as const) {
    const input = subnet(n);
    const m = await measure(() => runEpoch(input), { iterations });
    figures.push({
      name: `consensus.epoch_ms_${n}`,
      value: m.meanMs,
      unit: 'ms',
      note: `${n} uids, ${VALIDATORS} validators weighting every miner, Yuma 3 with bonds; target <= ${target} ms; p99 ${(m.p99Us / 1000).toFixed(1)} ms; ${load()}`,
    });
  }
  figures.push(await tempoBlockMs(4096));
  return figures;
}
