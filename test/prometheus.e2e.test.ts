/**
 * The dashboards and alert rules against a real Prometheus: a localnet (devnet, validator, three echo
 * miners, the chain exporter) and a redis_exporter in front of its Redis are scraped every second by
 * Debian's `prometheus`, using the scrape config `subnetkit localnet --prometheus-config` writes. Every
 * dashboard panel's query (template variables resolved the way Grafana does) and every metric of every
 * alert expression must return series, so a dashboard naming a metric nobody exports fails here. The
 * running miner's, validator's and exporter's /metrics also pass `promtool check metrics`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Localnet, type MetricsTarget, prometheusConfig, startLocalnet } from '@subnetkit/cli';
import echo from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsInExpr } from '../deploy/src/metric-names.js';
import { freePort, until } from './helpers.js';

const DEPLOY = resolve(import.meta.dirname, '../deploy');
const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const REDIS_EXPORTER = process.env.REDIS_EXPORTER ?? 'prometheus-redis-exporter';
/** What Grafana's $__rate_interval becomes at a 1 s scrape interval, with margin. */
const RATE_INTERVAL = '15s';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  query: string | { query: string };
  includeAll?: boolean;
  allValue?: string;
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}
interface PromResult {
  status: string;
  error?: string;
  data: { resultType: string; result: unknown };
}

function spawnDaemon(cmd: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  child.on('error', (err) => {
    out += `\ncannot run ${cmd}: ${err.message}; install Debian's prometheus and prometheus-redis-exporter packages (.ci/run does)`;
  });
  return { child, output: () => out };
}

async function stopDaemon(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(kill);
}

function dashboards(): Dashboard[] {
  const dir = join(DEPLOY, 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard);
}

function panelsOf(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => (p.type === 'row' ? panelsOf(p.panels ?? []) : [p]));
}

describe('dashboards and alerts against a real Prometheus scraping a localnet', () => {
  let net: Localnet | undefined;
  let prometheus: ReturnType<typeof spawnDaemon> | undefined;
  let redisExporter: ReturnType<typeof spawnDaemon> | undefined;
  let dir: string | undefined;
  let api = '';

  async function query(expr: string): Promise<PromResult> {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as PromResult;
  }

  /** Series (or a scalar) the expression returns now; fails on invalid PromQL. */
  async function seriesOf(expr: string): Promise<number> {
    const r = await query(expr);
    expect(r.status, `${expr}: ${r.error}`).toBe('success');
    if (r.data.resultType === 'scalar')
      return Number.isNaN(Number((r.data.result as [number, string])[1])) ? 0 : 1;
    return (r.data.result as unknown[]).length;
  }

  /** Grafana's values of the dashboard's variables: "All" (allValue) or the first label value. */
  async function variableValues(d: Dashboard): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const v of d.templating.list) {
      const text = typeof v.query === 'string' ? v.query : v.query.query;
      const m = /^label_values\((.*),\s*(\w+)\)$/.exec(substitute(text, values));
      expect(m, `${d.title}: variable ${v.name} is not label_values(selector, label)`).not.toBeNull();
      const [, selector, label] = m as RegExpExecArray;
      const res = await fetch(
        `${api}/api/v1/label/${label}/values?match[]=${encodeURIComponent(selector as string)}`,
      );
      const found = ((await res.json()) as { data: string[] }).data;
      expect(found.length, `${d.title}: variable ${v.name} (${text}) has no values`).toBeGreaterThan(0);
      values[v.name] = v.includeAll ? (v.allValue ?? '.*') : (found[0] as string);
    }
    return values;
  }

  function substitute(expr: string, values: Record<string, string>): string {
    let out = expr.replace(/\$\{?__rate_interval\}?/g, RATE_INTERVAL);
    for (const [name, value] of Object.entries(values))
      out = out.replaceAll(`\${${name}}`, value).replace(new RegExp(`\\$${name}\\b`, 'g'), value);
    return out;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'subnetkit-prometheus-e2e-'));
    net = await startLocalnet({
      plugin: echo,
      miners: 3, // honest, slow, faulty: 200s, slow answers and 5xx for the panels
      port: 0,
      blockTimeMs: 200,
      tempo: 5,
      logger: pino({ level: 'silent' }),
      serviceLogLevel: 'silent',
    });
    const redisPort = await freePort();
    redisExporter = spawnDaemon(REDIS_EXPORTER, [
      `-redis.addr=${net.redisUrl}`,
      `-web.listen-address=127.0.0.1:${redisPort}`,
    ]);
    const targets: MetricsTarget[] = [
      ...net.metricsTargets,
      { service: 'redis-exporter', job: 'redis', url: `http://127.0.0.1:${redisPort}/metrics` },
    ];
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, prometheusConfig(targets, { scrapeInterval: '1s' }));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawnDaemon(PROMETHEUS, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await until(
      `prometheus at ${api} to be ready\n${prometheus.output()}`,
      async () => (await fetch(`${api}/-/ready`)).ok,
      30_000,
      200,
    );
    await until(
      'every scrape target up',
      async () => {
        const res = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
          data: { activeTargets: { health: string; labels: { service: string } }[] };
        };
        const up = res.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.service);
        return targets.every((t) => up.includes(t.service));
      },
      30_000,
      500,
    );
    const localnet = net;
    // Rounds scored and weights on chain, so the validator's and the chain's weights series exist.
    await until(
      'rounds scored and weights set',
      async () => (await localnet.roundsScored()) >= 2 && (await localnet.validator.weightsState()).lastBlock,
      90_000,
      500,
    );
    // A few more scrapes after the weights, so rates over RATE_INTERVAL have samples on both sides.
    await new Promise((r) => setTimeout(r, 5_000));
  }, 180_000);

  afterAll(async () => {
    await stopDaemon(prometheus?.child);
    await stopDaemon(redisExporter?.child);
    await net?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every panel of every dashboard returns series, with its template variables substituted', async () => {
    const empty: string[] = [];
    const all = dashboards();
    expect(all.map((d) => d.title).sort()).toEqual([
      'subnetkit / miner',
      'subnetkit / subnet',
      'subnetkit / validator',
    ]);
    for (const d of all) {
      const values = await variableValues(d);
      for (const p of panelsOf(d.panels)) {
        expect(p.targets?.length, `${d.title} / ${p.title} has no query`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          const expr = substitute(t.expr, values);
          expect(expr, `${d.title} / ${p.title}: unresolved variable`).not.toMatch(/\$/);
          if ((await seriesOf(expr)) === 0) empty.push(`${d.title} / ${p.title}: ${expr}`);
        }
      }
    }
    expect(empty, `panels without series:\n${empty.join('\n')}`).toEqual([]);
  });

  it('every metric of every alert expression has series, and every expression is valid PromQL', async () => {
    const doc = parse(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const rule of rules) {
      // The expression itself may be empty (no alert firing); it must parse and evaluate.
      await seriesOf(rule.expr);
      const metrics = metricsInExpr(rule.expr);
      expect(metrics.length, rule.alert).toBeGreaterThan(0);
      for (const m of metrics) if ((await seriesOf(m)) === 0) missing.push(`${rule.alert}: ${m}`);
    }
    expect(missing, `alert metrics without series:\n${missing.join('\n')}`).toEqual([]);
  });

  it('finds no series for a metric nobody exports (the checks above can fail)', async () => {
    expect(await seriesOf('sum by (instance) (rate(subnetkit_miner_not_a_metric_total[15s]))')).toBe(0);
  });

  it('promtool check metrics accepts the /metrics of the running miner, validator and exporter', async () => {
    const targets = (net as Localnet).metricsTargets;
    expect(targets.map((t) => t.job).sort()).toEqual([
      'subnetkit-exporter',
      'subnetkit-miner',
      'subnetkit-miner',
      'subnetkit-miner',
      'subnetkit-validator',
    ]);
    for (const t of targets.filter((x) => x.service !== 'miner-1' && x.service !== 'miner-2')) {
      const text = await (await fetch(t.url)).text();
      expect(text, t.service).toMatch(/^subnetkit_/m);
      const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(r.error, `cannot run ${PROMTOOL}: install Debian's prometheus package`).toBeUndefined();
      expect(r.status, `${t.service}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});
