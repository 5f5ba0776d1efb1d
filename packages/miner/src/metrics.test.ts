import { createMetricsRegistry } from '@subnetkit/metrics';
import { describe, expect, it } from 'vitest';
import { AUTH_FAILURE_KINDS, createMinerMetrics, FORBIDDEN_REASONS } from './metrics.js';

describe('createMinerMetrics', () => {
  it('starts every 401 kind and 403 reason at 0, so rates and alerts see them before the first refusal', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const m = createMinerMetrics(registry);
    m.forbidden.inc({ reason: 'NotRegistered' });
    const text = await registry.metrics();
    for (const kind of AUTH_FAILURE_KINDS)
      expect(text).toContain(`subnetkit_miner_auth_failures_total{kind="${kind}"} 0`);
    expect(text).toContain('subnetkit_miner_forbidden_total{reason="NotRegistered"} 1');
    for (const reason of FORBIDDEN_REASONS.filter((r) => r !== 'NotRegistered'))
      expect(text).toContain(`subnetkit_miner_forbidden_total{reason="${reason}"} 0`);
  });
});
