import { Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry, METRIC_PREFIX, type MetricsServer, startMetricsServer } from './index.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics server', () => {
  it('serves Prometheus text with default labels and process metrics', async () => {
    const registry = createMetricsRegistry({ defaultLabels: { role: 'validator', netuid: '1' } });
    const c = new Counter({
      name: `${METRIC_PREFIX}test_total`,
      help: 'a test counter',
      registers: [registry],
    });
    c.inc(3);
    server = await startMetricsServer({ registry, port: 0, host: '127.0.0.1' });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('subnetkit_test_total{role="validator",netuid="1"} 3');
    expect(text).toContain('subnetkit_process_cpu_user_seconds_total');
  });

  it('names no gauge *_total (promtool check metrics rejects them) and keeps their values', async () => {
    const registry = createMetricsRegistry({ defaultLabels: { role: 'miner' } });
    const text = await registry.metrics();
    const gaugeTotals = [...text.matchAll(/^# TYPE (\S+_total) gauge$/gm)].map((m) => m[1]);
    expect(gaugeTotals).toEqual([]);
    expect(text).toMatch(/^# TYPE subnetkit_nodejs_active_handles gauge$/m);
    expect(text).toMatch(/^subnetkit_nodejs_active_handles\{type="\w+",role="miner"\} [1-9]/m);
  });

  it('answers /healthz 200 when healthy and 503 when not, 404 and 405 otherwise', async () => {
    let ok = true;
    server = await startMetricsServer({
      registry: createMetricsRegistry({ processMetrics: false }),
      port: 0,
      host: '127.0.0.1',
      health: () => ({ ok, redis: ok ? 'up' : 'down' }),
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    ok = false;
    const down = await fetch(`${server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, redis: 'down' });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('names the port and the flag when the port is taken', async () => {
    server = await startMetricsServer({
      registry: createMetricsRegistry({ processMetrics: false }),
      port: 0,
      host: '127.0.0.1',
    });
    await expect(
      startMetricsServer({
        registry: createMetricsRegistry({ processMetrics: false }),
        port: server.port,
        host: '127.0.0.1',
      }),
    ).rejects.toThrow(/in use; pick another with --metrics-port/);
  });
});
