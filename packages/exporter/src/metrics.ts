/**
 * The exporter's metrics. Chain-view gauges (`subnetkit_chain_*`) are filled at scrape time from the last
 * snapshot of each subnet, so a uid that left the subnet (or changed hotkey) drops its old series at once;
 * the exporter's own health is under `subnetkit_exporter_*`.
 */
import { LATENCY_BUCKETS_SECONDS, METRIC_PREFIX } from '@subnetkit/metrics';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NeuronSample, SubnetSample } from './samples.js';

const C = `${METRIC_PREFIX}chain_`;
const E = `${METRIC_PREFIX}exporter_`;
const NEURON_LABELS = ['netuid', 'uid', 'hotkey_prefix'] as const;

/** Every metric name the exporter serves, for docs, dashboards and alert rules. */
export const EXPORTER_METRICS = {
  blockHeight: `${C}block_height`,
  neurons: `${C}subnet_neurons`,
  maxUids: `${C}subnet_max_uids`,
  tempo: `${C}tempo_blocks`,
  epoch: `${C}epoch`,
  blocksIntoEpoch: `${C}tempo_position_blocks`,
  blocksUntilEpoch: `${C}blocks_until_epoch`,
  registrationCost: `${C}registration_cost_tao`,
  immunityPeriod: `${C}immunity_period_blocks`,
  stake: `${C}stake`,
  incentive: `${C}incentive`,
  dividends: `${C}dividends`,
  emission: `${C}emission`,
  trust: `${C}trust`,
  consensus: `${C}consensus`,
  validatorTrust: `${C}validator_trust`,
  validatorPermit: `${C}validator_permit`,
  active: `${C}active`,
  axonServed: `${C}axon_served`,
  lastUpdate: `${C}last_update_block`,
  weightsAge: `${C}weights_age_blocks`,
  refreshes: `${E}refreshes_total`,
  refreshDuration: `${E}refresh_duration_seconds`,
  lastRefresh: `${E}last_refresh_timestamp_seconds`,
  snapshotBlock: `${E}snapshot_block`,
  chainConnected: `${E}chain_connected`,
} as const;

/** What the gauges read at scrape time. */
export interface ExporterSources {
  /** Best block seen (per new head or refresh). */
  head: () => number | undefined;
  /** Last snapshot per netuid. */
  snapshots: () => Iterable<SubnetSample>;
  /** Unix seconds of each netuid's last successful refresh. */
  refreshedAt: () => Iterable<[number, number]>;
  chainConnected: () => boolean;
}

/** Handles the exporter updates directly (the rest is read at scrape time). */
export interface ExporterMetrics {
  refreshes: Counter<'netuid' | 'result'>;
  refreshDuration: Histogram<'netuid'>;
}

type SubnetField =
  | 'neurons'
  | 'maxAllowedUids'
  | 'tempo'
  | 'epoch'
  | 'blocksIntoEpoch'
  | 'blocksUntilNextEpoch'
  | 'registrationCostTao'
  | 'immunityPeriod';
type NeuronField = (s: NeuronSample) => number | undefined;

/** Registers the exporter's metrics on `registry`. */
export function createExporterMetrics(registry: Registry, src: ExporterSources): ExporterMetrics {
  const registers = [registry];
  const subnetGauge = (name: string, help: string, field: SubnetField) =>
    new Gauge({
      name,
      help,
      labelNames: ['netuid'],
      registers,
      collect() {
        this.reset();
        for (const s of src.snapshots()) this.set({ netuid: String(s.netuid) }, s[field]);
      },
    });
  const neuronGauge = (name: string, help: string, value: NeuronField) =>
    new Gauge({
      name,
      help,
      labelNames: NEURON_LABELS,
      registers,
      collect() {
        this.reset();
        for (const s of src.snapshots())
          for (const n of s.perNeuron) {
            const v = value(n);
            if (v !== undefined) this.set(n.labels, v);
          }
      },
    });
  const M = EXPORTER_METRICS;

  new Gauge({
    name: M.blockHeight,
    help: 'Best block number of the chain as last seen by the exporter',
    registers,
    collect() {
      const h = src.head();
      if (h !== undefined) this.set(h);
    },
  });
  subnetGauge(M.neurons, 'Registered neurons (SubnetworkN)', 'neurons');
  subnetGauge(M.maxUids, 'MaxAllowedUids of the subnet', 'maxAllowedUids');
  subnetGauge(M.tempo, 'Blocks per epoch (Tempo)', 'tempo');
  subnetGauge(M.epoch, 'Epoch index of the snapshot block', 'epoch');
  subnetGauge(M.blocksIntoEpoch, 'Tempo position: blocks since the current epoch began', 'blocksIntoEpoch');
  subnetGauge(M.blocksUntilEpoch, 'Blocks until the subnet next runs its epoch', 'blocksUntilNextEpoch');
  subnetGauge(
    M.registrationCost,
    'Registration cost: the burn of burned_register, in TAO',
    'registrationCostTao',
  );
  subnetGauge(M.immunityPeriod, 'Blocks a new registration is immune from deregistration', 'immunityPeriod');

  neuronGauge(
    M.stake,
    'Stake weight per uid as the epoch uses it (alpha + TaoWeight * root TAO), tokens',
    (n) => n.stake,
  );
  neuronGauge(M.incentive, 'Incentive per uid, in [0, 1]', (n) => n.incentive);
  neuronGauge(M.dividends, 'Dividends per uid, in [0, 1]', (n) => n.dividends);
  neuronGauge(M.emission, 'Emission per uid per epoch, alpha tokens', (n) => n.emission);
  neuronGauge(M.trust, 'Trust per uid, in [0, 1] (0 on runtimes that dropped it)', (n) => n.trust);
  neuronGauge(M.consensus, 'Consensus per uid, in [0, 1]', (n) => n.consensus);
  neuronGauge(M.validatorTrust, 'Validator trust per uid, in [0, 1]', (n) => n.validatorTrust);
  neuronGauge(M.validatorPermit, '1 when the uid holds a validator permit', (n) =>
    n.validatorPermit ? 1 : 0,
  );
  neuronGauge(M.active, '1 when the uid is active (updated within the activity cutoff)', (n) =>
    n.active ? 1 : 0,
  );
  neuronGauge(M.axonServed, '1 when the uid has an axon (address and port) on chain', (n) =>
    n.axonServed ? 1 : 0,
  );
  neuronGauge(M.lastUpdate, "Block of the uid's last set_weights or commit (0 = never)", (n) => n.lastUpdate);
  neuronGauge(
    M.weightsAge,
    'Blocks since the last set_weights or commit, for uids holding a validator permit',
    (n) => n.weightsAgeBlocks,
  );

  new Gauge({
    name: M.lastRefresh,
    help: 'Unix time of the last successful refresh per netuid',
    labelNames: ['netuid'],
    registers,
    collect() {
      this.reset();
      for (const [netuid, t] of src.refreshedAt()) this.set({ netuid: String(netuid) }, t);
    },
  });
  new Gauge({
    name: M.snapshotBlock,
    help: 'Block the served snapshot of each netuid was read at',
    labelNames: ['netuid'],
    registers,
    collect() {
      this.reset();
      for (const s of src.snapshots()) this.set({ netuid: String(s.netuid) }, s.block);
    },
  });
  new Gauge({
    name: M.chainConnected,
    help: '1 while the WebSocket to the chain is connected',
    registers,
    collect() {
      this.set(src.chainConnected() ? 1 : 0);
    },
  });
  return {
    refreshes: new Counter({
      name: M.refreshes,
      help: 'Snapshot refreshes per netuid by result (ok, error)',
      labelNames: ['netuid', 'result'],
      registers,
    }),
    refreshDuration: new Histogram({
      name: M.refreshDuration,
      help: 'Time to read one subnet snapshot from the chain',
      labelNames: ['netuid'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
  };
}
