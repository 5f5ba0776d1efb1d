import { createMetricsRegistry } from '@subnetkit/metrics';
import { describe, expect, it } from 'vitest';
import { CHAIN_ERROR_KINDS, createValidatorMetrics, ROUND_STAGES } from './metrics.js';

describe('createValidatorMetrics', () => {
  it('starts every round stage and chain error kind at 0, so rates and alerts see them before the first failure', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const m = createValidatorMetrics(registry);
    m.chainErrors.inc({ kind: 'rejected' });
    const text = await registry.metrics();
    for (const stage of ROUND_STAGES)
      expect(text).toContain(`subnetkit_validator_rounds_failed_total{stage="${stage}"} 0`);
    expect(text).toContain('subnetkit_validator_chain_errors_total{kind="rejected"} 1');
    for (const kind of CHAIN_ERROR_KINDS.filter((k) => k !== 'rejected'))
      expect(text).toContain(`subnetkit_validator_chain_errors_total{kind="${kind}"} 0`);
  });
});
