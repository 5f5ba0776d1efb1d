/**
 * @subnetkit/exporter: Prometheus metrics of the chain's view of subnets (block height, per-uid stake,
 * incentive, dividends, emission, trust, permits, axons, weights age, registration cost, tempo position).
 */
export { ChainExporter, type ChainExporterOptions, type ExporterChain } from './exporter.js';
export {
  EXPORTER_METRICS,
  type ExporterMetrics,
  type ExporterSources,
  createExporterMetrics,
} from './metrics.js';
export {
  DEFAULT_EXPORTER_PORT,
  type RunExporterOptions,
  type RunningExporter,
  parseNetuids,
  runExporter,
} from './run.js';
export {
  HOTKEY_PREFIX_LENGTH,
  type NeuronLabels,
  type NeuronSample,
  type SubnetSample,
  subnetSample,
} from './samples.js';
