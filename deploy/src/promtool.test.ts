/**
 * The committed Prometheus files and the subnetkit processes' /metrics, checked by a real promtool
 * (Debian's `prometheus` package; .ci/run installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevnet } from '@subnetkit/devnet';
import { runExporter } from '@subnetkit/exporter';
import { createMetricsRegistry } from '@subnetkit/metrics';
import { createMinerMetrics } from '@subnetkit/miner';
import { createValidatorMetrics } from '@subnetkit/validator';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportedSeriesNames, metricsInExpr } from './metric-names.js';

const PROM_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'prometheus');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, {
    cwd: PROM_DIR,
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  if (r.error)
    throw new Error(
      `cannot run ${PROMTOOL} (${r.error.message}): install Debian's prometheus package (apt-get install -y prometheus), as .ci/run does, or set PROMTOOL`,
    );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  execFileSync(PROMTOOL, ['--version'], { stdio: 'ignore' });
});

describe('promtool on the committed files', () => {
  it('check config prometheus.yml', () => {
    const r = promtool(['check', 'config', 'prometheus.yml']);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it('check rules alerts.yml', () => {
    const r = promtool(['check', 'rules', 'alerts.yml']);
    expect(r.status, r.out).toBe(0);
  });

  it('test rules alerts.test.yml (every alert has a unit test)', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(r.status, r.out).toBe(0);
    const alerts = (
      parse(readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string }[] }[];
      }
    ).groups.flatMap((g) => g.rules.map((x) => x.alert));
    const tested = readFileSync(join(PROM_DIR, 'alerts.test.yml'), 'utf8');
    for (const a of alerts)
      expect(tested, `${a} has no promtool test`).toMatch(new RegExp(`alertname: ${a}\\b`));
  });

  it('alert expressions name only metrics that are exported', async () => {
    const known = await exportedSeriesNames();
    const doc = parse(readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    for (const rule of doc.groups.flatMap((g) => g.rules))
      for (const m of metricsInExpr(rule.expr)) expect(known.has(m), `${rule.alert} names ${m}`).toBe(true);
  });

  it('fails on a broken rule file (the check can fail)', () => {
    const r = promtool(
      ['check', 'rules', '/dev/stdin'],
      'groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: rate(\n',
    );
    expect(r.status).not.toBe(0);
  });
});

describe('promtool check metrics', () => {
  it('accepts the miner and validator metrics', async () => {
    const miner = createMetricsRegistry({ defaultLabels: { role: 'miner', netuid: '1' } });
    const m = createMinerMetrics(miner);
    m.requests.inc({ synapse: 'Echo', status: '200' });
    m.latency.observe({ synapse: 'Echo' }, 0.01);
    const validator = createMetricsRegistry({ defaultLabels: { role: 'validator', netuid: '1' } });
    const v = createValidatorMetrics(validator);
    v.queries.inc({ outcome: 'ok' });
    v.roundsFailed.inc({ stage: 'query' });
    for (const registry of [miner, validator]) {
      const r = promtool(['check', 'metrics'], await registry.metrics());
      expect(r.status, r.out).toBe(0);
    }
  });

  it("accepts the chain exporter's /metrics, served from a devnet", async () => {
    const devnet = await startDevnet({
      port: 0,
      blockTime: 'instant',
      genesis: {
        subnets: [
          { netuid: 1, owner: '//Alice', neurons: [{ hotkey: '//Bob//hot', coldkey: '//Bob', stake: 10 }] },
        ],
      },
    });
    try {
      devnet.produceBlocks(3);
      const e = await runExporter({
        chain: devnet.url,
        netuids: [1],
        port: 0,
        host: '127.0.0.1',
        logger: pino({ level: 'silent' }),
      });
      try {
        const text = await (await fetch(`${e.url}/metrics`)).text();
        expect(text).toContain('subnetkit_chain_stake{');
        const r = promtool(['check', 'metrics'], text);
        expect(r.status, r.out).toBe(0);
      } finally {
        await e.stop();
      }
    } finally {
      await devnet.stop();
    }
  });
});
