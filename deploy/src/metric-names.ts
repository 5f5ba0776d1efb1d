/**
 * What the dashboards and alert rules may name: every series the miner, the validator and the chain
 * exporter register (read from their real metric definitions), plus the few from outside subnetkit.
 */
import { createExporterMetrics } from '@subnetkit/exporter';
import { createMetricsRegistry } from '@subnetkit/metrics';
import { createMinerMetrics } from '@subnetkit/miner';
import { createValidatorMetrics } from '@subnetkit/validator';
import type { Registry } from 'prom-client';

/** Series not exported by subnetkit: Prometheus' own `up`, redis_exporter's `redis_up`. */
export const EXTERNAL_SERIES = ['up', 'redis_up'];

/** Registries carrying every metric the miner, the validator and the exporter define. */
export function subnetkitRegistries(): Record<'miner' | 'validator' | 'exporter', Registry> {
  const miner = createMetricsRegistry({ defaultLabels: { role: 'miner' } });
  createMinerMetrics(miner);
  const validator = createMetricsRegistry({ defaultLabels: { role: 'validator' } });
  createValidatorMetrics(validator);
  const exporter = createMetricsRegistry({ defaultLabels: { role: 'exporter' } });
  createExporterMetrics(exporter, {
    head: () => undefined,
    snapshots: () => [],
    refreshedAt: () => [],
    chainConnected: () => false,
  });
  return { miner, validator, exporter };
}

/** Every series name (histograms as _bucket, _sum, _count) the subnetkit processes export. */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const names = new Set<string>(EXTERNAL_SERIES);
  for (const registry of Object.values(subnetkitRegistries())) {
    for (const m of await registry.getMetricsAsJSON()) {
      const type = String(m.type);
      if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
      else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(m.name + s);
      else names.add(m.name);
    }
  }
  return names;
}

const FUNCTIONS_AND_KEYWORDS = new Set([
  'by',
  'on',
  'without',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * Metric names a PromQL expression reads: strips label matchers, grouping clauses and strings, then
 * keeps identifiers that are not followed by `(` (functions) and are not keywords.
 */
export function metricsInExpr(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '');
  const out = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const next = bare.slice((m.index ?? 0) + name.length).trimStart();
    if (next.startsWith('(') || FUNCTIONS_AND_KEYWORDS.has(name) || /^(inf|nan)$/i.test(name)) continue;
    out.add(name);
  }
  return [...out];
}
