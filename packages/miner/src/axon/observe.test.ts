import { createMetricsRegistry } from '@subnetkit/metrics';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMinerMetrics } from '../metrics.js';
import { createRequestObserver } from './observe.js';

describe('request observer (onRequest + onSend)', () => {
  it('counts synapse routes and unknown paths, not service routes', async () => {
    const registry = createMetricsRegistry();
    const load = { running: 1, waiting: 2, shed: 3 };
    const observer = createRequestObserver(
      createMinerMetrics(registry, () => load),
      () => load,
    );
    const app = Fastify();
    app.addHook('onRequest', observer.onRequest);
    app.addHook('onSend', observer.onSend);
    app.post('/Compute', { config: { synapse: 'Compute' } }, async (_req, reply) => reply.code(403).send({}));
    app.get('/healthz', async () => ({ ok: true }));
    await app.inject({ method: 'POST', url: '/Compute' });
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/nope' });
    expect(observer.stats()).toEqual({ requests: 2, errors: 2, byStatus: { 403: 1, 404: 1 }, ...load });
    const text = await registry.metrics();
    expect(text).toMatch(/subnetkit_miner_requests_total\{[^}]*synapse="Compute",status="403"[^}]*\} 1/);
    expect(text).toMatch(/subnetkit_miner_requests_total\{[^}]*synapse="unknown",status="404"[^}]*\} 1/);
    await app.close();
  });
});
