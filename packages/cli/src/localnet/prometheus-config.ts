/**
 * A Prometheus scrape config for the services of a localnet, with the job names of the compose stack's
 * prometheus.yml (deploy/prometheus), so the alert rules and dashboards work against it unchanged.
 */

/** Scrape job per kind of service (the same names as deploy/prometheus/prometheus.yml). */
export const SCRAPE_JOBS = {
  miner: 'subnetkit-miner',
  validator: 'subnetkit-validator',
  exporter: 'subnetkit-exporter',
} as const;

/** One service's /metrics endpoint. */
export interface MetricsTarget {
  /** `miner-0`, `validator`, `exporter`: becomes the `service` label. */
  service: string;
  job: string;
  /** Full URL of its /metrics (`http://127.0.0.1:41235/metrics`). */
  url: string;
}

export interface PrometheusConfigOptions {
  /** Prometheus duration (default `5s`). */
  scrapeInterval?: string;
  /** Extra `rule_files` entries (e.g. the repository's deploy/prometheus/alerts.yml). */
  ruleFiles?: string[];
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** prometheus.yml text scraping `targets`, one job per kind, each target labelled with its service. */
export function prometheusConfig(targets: MetricsTarget[], opts: PrometheusConfigOptions = {}): string {
  const interval = opts.scrapeInterval ?? '5s';
  if (!DURATION.test(interval))
    throw new Error(`invalid scrape interval ${JSON.stringify(interval)}: use a Prometheus duration like 5s`);
  const q = (s: string) => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar
  const lines = [
    '# Written by `subnetkit localnet --prometheus-config`: every service of the localnet.',
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
  ];
  if (opts.ruleFiles?.length) lines.push('rule_files:', ...opts.ruleFiles.map((f) => `  - ${q(f)}`));
  lines.push('scrape_configs:');
  const jobs = [...new Set(targets.map((t) => t.job))];
  for (const job of jobs) {
    lines.push(`  - job_name: ${q(job)}`);
    const first = new URL((targets.find((t) => t.job === job) as MetricsTarget).url);
    lines.push(`    metrics_path: ${q(first.pathname)}`, '    static_configs:');
    for (const t of targets.filter((x) => x.job === job)) {
      const url = new URL(t.url);
      if (url.pathname !== first.pathname || url.protocol !== 'http:')
        throw new Error(
          `target ${t.url} of job ${job}: every target of a job is http:// on ${first.pathname}`,
        );
      lines.push(`      - targets: [${q(url.host)}]`, `        labels: { service: ${q(t.service)} }`);
    }
  }
  return `${lines.join('\n')}\n`;
}
