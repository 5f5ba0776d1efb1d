/** Core weight math on a 4096-uid subnet: the per-epoch cost a validator pays before set_weights. */
import {
  checkWeightsAgainstChainRules,
  convertWeightsAndUidsForEmit,
  normalizeMaxWeight,
  processWeightsForNetuid,
} from '@subnetkit/core';
import { type Figure, measure, seededRandom } from './harness.js';

const N = 4096;

export default async function weightsBench(): Promise<Figure[]> {
  const random = seededRandom(42);
  const uids = Array.from({ length: N }, (_, i) => i);
  // Skewed scores (a few miners dominate) so the max-weight clipping path actually runs.
  const weights = Array.from({ length: N }, (_, i) => (random() + 0.01) / (i + 1) ** 1.5);
  const maxWeightLimit = 6553 / 65535;

  const process = await measure(
    () => {
      const p = processWeightsForNetuid({ uids, weights, n: N, minAllowedWeights: 8, maxWeightLimit });
      return convertWeightsAndUidsForEmit(p.uids, p.weights);
    },
    { durationMs: 2000 },
  );
  const normalize = await measure(() => normalizeMaxWeight(weights, maxWeightLimit), { durationMs: 2000 });
  const processed = processWeightsForNetuid({ uids, weights, n: N, minAllowedWeights: 8, maxWeightLimit });
  const emitted = convertWeightsAndUidsForEmit(processed.uids, processed.weights);
  const chainCheck = await measure(
    () =>
      checkWeightsAgainstChainRules({
        uids: emitted.uids,
        values: emitted.weights,
        n: N,
        minAllowedWeights: 8,
        maxWeightsLimit: 6553,
      }),
    { durationMs: 2000 },
  );
  return [
    {
      name: 'core.process_weights_ms_4096',
      value: process.meanMs,
      unit: 'ms',
      note: `processWeightsForNetuid + convertWeightsAndUidsForEmit, 4096 skewed scores, limit 0.1; p99 ${(process.p99Us / 1000).toFixed(3)} ms`,
    },
    {
      name: 'core.normalize_max_weight_ms_4096',
      value: normalize.meanMs,
      unit: 'ms',
      note: `normalizeMaxWeight float64, 4096 skewed scores, limit 0.1; p99 ${(normalize.p99Us / 1000).toFixed(3)} ms`,
    },
    {
      name: 'core.check_chain_rules_ms_4096',
      value: chainCheck.meanMs,
      unit: 'ms',
      note: 'checkWeightsAgainstChainRules (I32F32 max-upscale + max-weight check) on the 4096 emitted u16 weights',
    },
  ];
}
