/**
 * The three Grafana dashboards (miner, validator, subnet) as code, with Grafana's foundation SDK.
 * `npm run dashboards -w @subnetkit/deploy` writes them to deploy/grafana/dashboards/*.json (committed,
 * provisioned by Grafana); a test fails when the committed JSON differs from what this file builds.
 * Every query names metrics the miner, the validator or the chain exporter export.
 */
import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The provisioned Prometheus datasource (deploy/grafana/provisioning/datasources/prometheus.yml). */
export const DATASOURCE = { type: 'prometheus', uid: 'subnetkit-prometheus' };

interface Query {
  expr: string;
  legend?: string;
}

function target(q: Query, i: number) {
  const t = new DataqueryBuilder()
    .expr(q.expr)
    .refId(String.fromCharCode(65 + i))
    .datasource(DATASOURCE);
  return q.legend ? t.legendFormat(q.legend) : t;
}

function timeseries(title: string, description: string, unit: string, queries: Query[], width = 12) {
  const p = new TimeseriesPanel().title(title).description(description).unit(unit).datasource(DATASOURCE);
  p.height(8).span(width);
  for (const [i, q] of queries.entries()) p.withTarget(target(q, i));
  return p;
}

/** One series per uid of a chain-exporter metric, labelled by uid and hotkey prefix. */
function perUid(metric: string, sel: string, title: string, description: string, unit: string, width = 12) {
  return timeseries(
    title,
    description,
    unit,
    [{ expr: `${metric}{${sel}}`, legend: 'uid {{uid}} {{hotkey_prefix}}' }],
    width,
  );
}

function stat(title: string, description: string, unit: string, query: Query, width = 6) {
  return new StatPanel()
    .title(title)
    .description(description)
    .unit(unit)
    .datasource(DATASOURCE)
    .height(4)
    .span(width)
    .withTarget(target(query, 0).instant());
}

function variable(name: string, label: string, query: string, opts: { multi?: boolean } = {}) {
  const v = new QueryVariableBuilder(name)
    .label(label)
    .query(query)
    .datasource(DATASOURCE)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NumericalAsc);
  if (opts.multi) v.multi(true).includeAll(true).allValue('.*');
  return v;
}

function base(uid: string, title: string, description: string) {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['subnetkit'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser');
}

/** Miner: traffic, errors and latency of the axon, the queue, inference, and the miner's uid on chain. */
function minerDashboard(): Dashboard {
  const sel = 'netuid="$netuid",instance=~"$instance"';
  const uid = 'netuid="$netuid",uid=~"$uid"';
  return base(
    'subnetkit-miner',
    'subnetkit / miner',
    'Miners: axon traffic, errors, latency, queue, inference and on-chain standing',
  )
    .withVariable(variable('netuid', 'netuid', 'label_values(subnetkit_miner_requests_total, netuid)'))
    .withVariable(
      variable(
        'instance',
        'miner',
        'label_values(subnetkit_miner_requests_total{netuid="$netuid"}, instance)',
        { multi: true },
      ),
    )
    .withVariable(
      variable('uid', 'uid', 'label_values(subnetkit_chain_stake{netuid="$netuid"}, uid)', { multi: true }),
    )
    .withRow(new RowBuilder('Axon'))
    .withPanel(
      timeseries(
        'Requests by status',
        'Requests answered per second, by HTTP status (200 ok, 401 bad signature, 403 blacklisted, 408 timeout, 413 too large, 503 queue full or replay store down)',
        'reqps',
        [
          {
            expr: `sum by (status) (rate(subnetkit_miner_requests_total{${sel}}[$__rate_interval]))`,
            legend: '{{status}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        '5xx ratio',
        'Share of requests answered with a 5xx per miner (alert SubnetkitMinerErrorRate above 5%)',
        'percentunit',
        [
          {
            // `or … * 0`: a miner without any 5xx shows 0 %, not "no data".
            expr: `(sum by (instance) (rate(subnetkit_miner_requests_total{${sel},status=~"5.."}[$__rate_interval])) or 0 * sum by (instance) (rate(subnetkit_miner_requests_total{${sel}}[$__rate_interval]))) / sum by (instance) (rate(subnetkit_miner_requests_total{${sel}}[$__rate_interval]))`,
            legend: '{{instance}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Latency',
        'Time from request arrival to response: p50, p95, p99 (alert SubnetkitMinerLatencyHigh on p95 above 5 s)',
        's',
        [
          {
            expr: `histogram_quantile(0.5, sum by (le) (rate(subnetkit_miner_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: 'p50',
          },
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(subnetkit_miner_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: 'p95',
          },
          {
            expr: `histogram_quantile(0.99, sum by (le) (rate(subnetkit_miner_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: 'p99',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Queue and in flight',
        'Requests waiting for a slot in the priority gate and requests running forward, per miner',
        'short',
        [
          { expr: `sum by (instance) (subnetkit_miner_queue_depth{${sel}})`, legend: 'waiting {{instance}}' },
          { expr: `sum by (instance) (subnetkit_miner_in_flight{${sel}})`, legend: 'running {{instance}}' },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Refused callers',
        'btauth/1 failures (401) by kind and blacklist refusals (403) by reason, per second',
        'reqps',
        [
          {
            expr: `sum by (kind) (rate(subnetkit_miner_auth_failures_total{${sel}}[$__rate_interval]))`,
            legend: '401 {{kind}}',
          },
          {
            expr: `sum by (reason) (rate(subnetkit_miner_forbidden_total{${sel}}[$__rate_interval]))`,
            legend: '403 {{reason}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Inference',
        'Time in the plugin forward (p95) and requests per forwardBatch call (p50), by synapse',
        's',
        [
          {
            expr: `histogram_quantile(0.95, sum by (le, synapse) (rate(subnetkit_miner_inference_seconds_bucket{${sel}}[$__rate_interval])))`,
            legend: 'p95 {{synapse}}',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('On chain'))
    .withPanel(
      perUid(
        'subnetkit_chain_incentive',
        uid,
        'Incentive',
        "The uid's incentive from the last epoch, read from chain by the exporter",
        'percentunit',
        8,
      ),
    )
    .withPanel(
      perUid(
        'subnetkit_chain_emission',
        uid,
        'Emission per epoch',
        'Alpha emitted to the uid per epoch',
        'short',
        8,
      ),
    )
    .withPanel(
      perUid(
        'subnetkit_chain_axon_served',
        uid,
        'Axon served',
        '1 while the uid has an axon on chain (alert SubnetkitMinerAxonNotServed)',
        'short',
        8,
      ),
    )
    .build();
}

/** Validator: rounds, queries, scores, weights, queues and chain errors. */
function validatorDashboard(): Dashboard {
  const sel = 'netuid="$netuid",instance=~"$instance"';
  return base(
    'subnetkit-validator',
    'subnetkit / validator',
    'Validators: evaluation rounds, miner queries, scores, weights, BullMQ queues',
  )
    .withVariable(
      variable('netuid', 'netuid', 'label_values(subnetkit_validator_rounds_started_total, netuid)'),
    )
    .withVariable(
      variable(
        'instance',
        'process',
        'label_values(subnetkit_validator_rounds_started_total{netuid="$netuid"}, instance)',
        { multi: true },
      ),
    )
    .withVariable(
      variable('uid', 'miner uid', 'label_values(subnetkit_validator_score{netuid="$netuid"}, uid)', {
        multi: true,
      }),
    )
    .withRow(new RowBuilder('Weights'))
    .withPanel(
      stat(
        'Blocks since last weights',
        'Chain head minus the block of the last successful set_weights (alert SubnetkitValidatorWeightsStale above 2 tempos)',
        'none',
        {
          expr: `scalar(max(subnetkit_chain_block_height)) - max(subnetkit_validator_weights_last_block{netuid="$netuid"} > 0)`,
        },
      ),
    )
    .withPanel(
      stat('Tempo', 'Blocks per epoch of the subnet (weights are due once per tempo)', 'none', {
        expr: 'max(subnetkit_chain_tempo_blocks{netuid="$netuid"})',
      }),
    )
    .withPanel(
      stat(
        'Seconds since last round',
        'Time since a process last folded a round into the EMA (alert SubnetkitValidatorRoundsStalled above 10 minutes)',
        's',
        {
          expr: 'time() - max(subnetkit_validator_last_round_folded_timestamp_seconds{netuid="$netuid"})',
        },
      ),
    )
    .withPanel(
      stat('Last submission ok', '1 when the last weight submission succeeded, 0 when it failed', 'none', {
        expr: `max(subnetkit_validator_weights_last_success{${sel}})`,
      }),
    )
    .withPanel(
      timeseries(
        'Weight submissions',
        'set_weights / commit attempts by result (ok, error, skipped) per hour',
        'short',
        [
          {
            expr: `sum by (result) (increase(subnetkit_validator_weights_submissions_total{${sel}}[1h]))`,
            legend: '{{result}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Chain errors',
        'Chain errors by kind (connection, rate_limited, rejected, other) per second',
        'short',
        [
          {
            expr: `sum by (kind) (rate(subnetkit_validator_chain_errors_total{${sel}}[$__rate_interval]))`,
            legend: '{{kind}}',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Rounds'))
    .withPanel(
      timeseries(
        'Rounds',
        'Rounds started and completed per minute; failed round jobs by stage (alert SubnetkitValidatorRoundFailures)',
        'short',
        [
          {
            expr: `sum(rate(subnetkit_validator_rounds_started_total{${sel}}[$__rate_interval])) * 60`,
            legend: 'started',
          },
          {
            expr: `sum(rate(subnetkit_validator_rounds_completed_total{${sel}}[$__rate_interval])) * 60`,
            legend: 'completed',
          },
          {
            expr: `sum by (stage) (rate(subnetkit_validator_rounds_failed_total{${sel}}[$__rate_interval])) * 60`,
            legend: 'failed {{stage}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries('Round duration', 'Time from a round tick to its EMA fold, p50 and p95', 's', [
        {
          expr: `histogram_quantile(0.5, sum by (le) (rate(subnetkit_validator_round_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p50',
        },
        {
          expr: `histogram_quantile(0.95, sum by (le) (rate(subnetkit_validator_round_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p95',
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Miner queries',
        'Miner queries per second by outcome (ok, timeout, refused, http_error, invalid_response)',
        'reqps',
        [
          {
            expr: `sum by (outcome) (rate(subnetkit_validator_queries_total{${sel}}[$__rate_interval]))`,
            legend: '{{outcome}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries('Query latency p95', 'p95 miner query latency by outcome', 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le, outcome) (rate(subnetkit_validator_query_latency_seconds_bucket{${sel}}[$__rate_interval])))`,
          legend: '{{outcome}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Scores and queues'))
    .withPanel(
      timeseries(
        'EMA score per uid',
        'Moving-average score of each miner uid (what the weights are made from), read from Redis',
        'percentunit',
        [
          {
            expr: 'max by (uid) (subnetkit_validator_score{netuid="$netuid",uid=~"$uid"})',
            legend: 'uid {{uid}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Queue lag',
        'Age of the oldest waiting job per BullMQ queue (alert SubnetkitValidatorQueueLag above 60 s)',
        's',
        [
          {
            expr: 'max by (queue) (subnetkit_validator_queue_lag_seconds{netuid="$netuid"})',
            legend: '{{queue}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries('Queue jobs', 'BullMQ jobs per queue and state', 'short', [
        {
          expr: 'max by (queue, state) (subnetkit_validator_queue_jobs{netuid="$netuid"})',
          legend: '{{queue}} {{state}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Rewards', 'Rewards the plugin gave queried miners: p50 and p10', 'percentunit', [
        {
          expr: `histogram_quantile(0.5, sum by (le) (rate(subnetkit_validator_reward_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p50',
        },
        {
          expr: `histogram_quantile(0.1, sum by (le) (rate(subnetkit_validator_reward_bucket{${sel}}[$__rate_interval])))`,
          legend: 'p10',
        },
      ]),
    )
    .build();
}

/** Subnet: the chain's view from the exporter. */
function subnetDashboard(): Dashboard {
  const sel = 'netuid="$netuid",uid=~"$uid"';
  return base(
    'subnetkit-subnet',
    'subnetkit / subnet',
    "The chain's view of a subnet (subnetkit exporter): stake, incentive, dividends, emission, weights",
  )
    .withVariable(variable('netuid', 'netuid', 'label_values(subnetkit_chain_subnet_neurons, netuid)'))
    .withVariable(
      variable(
        'instance',
        'exporter',
        'label_values(subnetkit_chain_subnet_neurons{netuid="$netuid"}, instance)',
      ),
    )
    .withVariable(
      variable('uid', 'uid', 'label_values(subnetkit_chain_stake{netuid="$netuid"}, uid)', { multi: true }),
    )
    .withRow(new RowBuilder('Subnet'))
    .withPanel(
      stat('Block', 'Best block seen by the exporter', 'none', {
        expr: 'max(subnetkit_chain_block_height{instance=~"$instance"})',
      }),
    )
    .withPanel(
      stat('Neurons', 'Registered neurons (SubnetworkN)', 'none', {
        expr: 'max(subnetkit_chain_subnet_neurons{netuid="$netuid",instance=~"$instance"})',
      }),
    )
    .withPanel(
      stat('Registration cost', 'burned_register cost (Burn), TAO', 'none', {
        expr: 'max(subnetkit_chain_registration_cost_tao{netuid="$netuid",instance=~"$instance"})',
      }),
    )
    .withPanel(
      stat('Blocks until epoch', 'Blocks until the subnet next runs its epoch', 'none', {
        expr: 'max(subnetkit_chain_blocks_until_epoch{netuid="$netuid",instance=~"$instance"})',
      }),
    )
    .withPanel(
      timeseries('Tempo position', 'Blocks into the current epoch (saw-tooth from 0 to tempo)', 'none', [
        {
          expr: 'max(subnetkit_chain_tempo_position_blocks{netuid="$netuid",instance=~"$instance"})',
          legend: 'blocks into epoch',
        },
        {
          expr: 'max(subnetkit_chain_tempo_blocks{netuid="$netuid",instance=~"$instance"})',
          legend: 'tempo',
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Validator permits and axons',
        'uids holding a validator permit and uids with an axon on chain',
        'short',
        [
          {
            expr: 'sum(subnetkit_chain_validator_permit{netuid="$netuid",instance=~"$instance"})',
            legend: 'permits',
          },
          {
            expr: 'sum(subnetkit_chain_axon_served{netuid="$netuid",instance=~"$instance"})',
            legend: 'axons served',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Per uid'))
    .withPanel(
      perUid(
        'subnetkit_chain_stake',
        sel,
        'Stake',
        'Stake weight per uid (alpha + TaoWeight × root TAO)',
        'short',
      ),
    )
    .withPanel(
      perUid(
        'subnetkit_chain_incentive',
        sel,
        'Incentive',
        'Incentive per uid from the last epoch',
        'percentunit',
      ),
    )
    .withPanel(
      perUid(
        'subnetkit_chain_dividends',
        sel,
        'Dividends',
        'Dividends per uid from the last epoch',
        'percentunit',
      ),
    )
    .withPanel(
      perUid(
        'subnetkit_chain_emission',
        sel,
        'Emission per epoch',
        'Alpha emitted per uid per epoch',
        'short',
      ),
    )
    .withPanel(perUid('subnetkit_chain_trust', sel, 'Trust', 'Trust per uid', 'percentunit'))
    .withPanel(
      timeseries(
        'Blocks since last weights',
        'Per validator-permit uid: blocks since its last set_weights or commit (alert SubnetkitValidatorPermitHolderWeightsStale above 2 tempos)',
        'none',
        [{ expr: `subnetkit_chain_weights_age_blocks{${sel}}`, legend: '{{uid}} {{hotkey_prefix}}' }],
      ),
    )
    .withPanel(
      timeseries(
        'Exporter refreshes',
        'Snapshot refreshes per minute by result; errors mean the chain endpoint failed',
        'short',
        [
          {
            expr: 'sum by (result) (rate(subnetkit_exporter_refreshes_total{netuid="$netuid",instance=~"$instance"}[$__rate_interval])) * 60',
            legend: '{{result}}',
          },
        ],
      ),
    )
    .build();
}

/** Every dashboard by file name (deploy/grafana/dashboards/<name>.json). */
export function buildDashboards(): Record<'miner' | 'validator' | 'subnet', Dashboard> {
  return { miner: minerDashboard(), validator: validatorDashboard(), subnet: subnetDashboard() };
}

/** The file text of a dashboard (stable formatting so the freshness test compares text). */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
