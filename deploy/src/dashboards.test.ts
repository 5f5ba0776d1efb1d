import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, DATASOURCE, dashboardJson } from './dashboards.js';
import { DASHBOARD_DIR } from './generate-dashboards.js';
import { exportedSeriesNames, metricsInExpr } from './metric-names.js';

type Panel = { type: string; title: string; targets?: { expr: string }[]; datasource?: unknown };
type Built = { uid: string; panels: Panel[]; templating: { list: { name: string; query: unknown }[] } };

const dashboards = buildDashboards() as unknown as Record<string, Built>;

describe('dashboards as code', () => {
  it('the committed JSON equals what src/dashboards.ts builds (run npm run dashboards -w @subnetkit/deploy)', () => {
    for (const [name, d] of Object.entries(buildDashboards())) {
      const committed = readFileSync(join(DASHBOARD_DIR, `${name}.json`), 'utf8');
      expect(committed, `${name}.json is stale: run npm run dashboards -w @subnetkit/deploy`).toBe(
        dashboardJson(d),
      );
    }
  });

  it('has the miner, validator and subnet dashboards with netuid, instance and uid variables', () => {
    expect(Object.keys(dashboards).sort()).toEqual(['miner', 'subnet', 'validator']);
    for (const d of Object.values(dashboards)) {
      expect(d.templating.list.map((v) => v.name)).toEqual(['netuid', 'instance', 'uid']);
    }
  });

  it('every panel queries the provisioned datasource and names only metrics subnetkit exports', async () => {
    const known = await exportedSeriesNames();
    for (const [name, d] of Object.entries(dashboards)) {
      const panels = d.panels.filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThan(5);
      for (const p of panels) {
        expect(p.datasource, `${name} / ${p.title}`).toEqual(DATASOURCE);
        expect(p.targets?.length, `${name} / ${p.title} has no query`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          const metrics = metricsInExpr(t.expr);
          expect(metrics.length, `${name} / ${p.title}: ${t.expr}`).toBeGreaterThan(0);
          for (const m of metrics)
            expect(known.has(m), `${name} / ${p.title} names ${m}, which nobody exports`).toBe(true);
        }
      }
      for (const v of d.templating.list) {
        for (const m of metricsInExpr(String(v.query).replace(/^label_values\((.*),\s*\w+\)$/, '$1')))
          expect(known.has(m), `${name} variable ${v.name} names ${m}`).toBe(true);
      }
    }
  });
});

describe('metricsInExpr', () => {
  it('finds metric names and skips functions, labels, grouping and keywords', () => {
    expect(
      metricsInExpr(
        'histogram_quantile(0.95, sum by (le, instance) (rate(subnetkit_miner_request_duration_seconds_bucket{status=~"5.."}[5m])))',
      ),
    ).toEqual(['subnetkit_miner_request_duration_seconds_bucket']);
    expect(
      metricsInExpr(
        'scalar(max(a_b)) - max by (netuid) (c_d > 0) > on (netuid) group_left 2 * max by (netuid) (e)',
      ),
    ).toEqual(['a_b', 'c_d', 'e']);
    expect(metricsInExpr('redis_up == 0 or up{job="redis"} == 0 unless time() - x_y > 1e3')).toEqual([
      'redis_up',
      'up',
      'x_y',
    ]);
  });
});
