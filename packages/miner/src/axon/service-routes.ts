/** The axon's service routes: `GET /openapi.json`, `GET /metrics`, `GET /healthz`. */
import type { AnySubnetPlugin } from '@subnetkit/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { buildOpenApi } from '../openapi.js';
import type { GateStats } from '../priority-gate.js';

/** Options of {@link serviceRoutes}. */
export interface ServiceRoutesOptions {
  plugin: AnySubnetPlugin;
  hotkey: string;
  netuid: number;
  registry: Registry;
  gate: () => GateStats;
  /** Extra fields for /healthz; `ok: false` makes it answer 503. */
  health?: () => { ok: boolean; [detail: string]: unknown };
}

/** Registers the service routes on `app`. */
export function serviceRoutes(app: FastifyInstance, options: ServiceRoutesOptions): void {
  const { plugin, hotkey, netuid, registry } = options;
  const openapi = buildOpenApi(plugin, { hotkey, netuid });
  app.get('/openapi.json', async () => openapi);
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  app.get('/healthz', async (_request, reply) => {
    const extra = options.health?.() ?? { ok: true };
    const g = options.gate();
    const report = {
      ...extra,
      ok: extra.ok,
      hotkey,
      netuid,
      subnet: plugin.name,
      running: g.running,
      waiting: g.waiting,
    };
    return reply.code(report.ok ? 200 : 503).send(report);
  });
}
