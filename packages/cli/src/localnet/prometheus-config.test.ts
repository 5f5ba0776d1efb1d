import { describe, expect, it } from 'vitest';
import { type MetricsTarget, prometheusConfig, SCRAPE_JOBS } from './prometheus-config.js';

const targets: MetricsTarget[] = [
  { service: 'miner-0', job: SCRAPE_JOBS.miner, url: 'http://127.0.0.1:40001/metrics' },
  { service: 'miner-1', job: SCRAPE_JOBS.miner, url: 'http://127.0.0.1:40002/metrics' },
  { service: 'validator', job: SCRAPE_JOBS.validator, url: 'http://127.0.0.1:40003/metrics' },
  { service: 'exporter', job: SCRAPE_JOBS.exporter, url: 'http://127.0.0.1:40004/metrics' },
];

describe('prometheusConfig', () => {
  it('writes one job per kind of service, each target labelled with its service', () => {
    const text = prometheusConfig(targets, { scrapeInterval: '1s', ruleFiles: ['/r/alerts.yml'] });
    expect(text).toContain('global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n');
    expect(text).toContain('rule_files:\n  - "/r/alerts.yml"\n');
    expect(text).toContain(
      [
        '  - job_name: "subnetkit-miner"',
        '    metrics_path: "/metrics"',
        '    static_configs:',
        '      - targets: ["127.0.0.1:40001"]',
        '        labels: { service: "miner-0" }',
        '      - targets: ["127.0.0.1:40002"]',
        '        labels: { service: "miner-1" }',
        '  - job_name: "subnetkit-validator"',
      ].join('\n'),
    );
    expect(text.match(/job_name/g)).toHaveLength(3);
    expect(text).toContain('      - targets: ["127.0.0.1:40004"]\n        labels: { service: "exporter" }\n');
  });

  it('defaults to a 5 s interval and refuses what Prometheus would not read', () => {
    expect(prometheusConfig(targets)).toContain('scrape_interval: 5s');
    expect(() => prometheusConfig(targets, { scrapeInterval: '5 seconds' })).toThrow(/Prometheus duration/);
    expect(() =>
      prometheusConfig([
        ...targets,
        { service: 'miner-2', job: SCRAPE_JOBS.miner, url: 'https://127.0.0.1:1/metrics' },
      ]),
    ).toThrow(/every target of a job is http:\/\//);
  });
});
