/**
 * `subnetkit exporter`: Prometheus metrics of the chain's view of subnets (@subnetkit/exporter), served
 * on /metrics and /healthz until SIGTERM/SIGINT.
 */
import { Type } from '@sinclair/typebox';
import { DEFAULT_EXPORTER_PORT, type RunningExporter, runExporter } from '@subnetkit/exporter';
import type { Command } from 'commander';
import { routeLibraryConsole } from '../client.js';
import { createLogger } from '../logger.js';
import { NetuidSchema } from '../options.js';
import {
  CHAIN_SERVICE_OPTION,
  type ServiceConfig,
  type ServiceOptions,
  addServiceOptions,
  resolveServiceConfig,
} from '../service-config.js';

/** Every setting of `subnetkit exporter`: flag, SUBNETKIT_* variable and config-file key alike. */
export const EXPORTER_OPTIONS = {
  netuid: {
    flag: '--netuid <netuids>',
    help: 'subnets to export, comma-separated or repeated (--netuid 1,3)',
    schema: Type.Array(NetuidSchema, { minItems: 1 }),
    list: true,
  },
  chain: CHAIN_SERVICE_OPTION,
  port: {
    flag: '--port <n>',
    help: 'port of /metrics and /healthz (0 picks a free one)',
    schema: Type.Integer({ minimum: 0, maximum: 65_535, default: DEFAULT_EXPORTER_PORT }),
  },
  host: { flag: '--host <ip>', help: 'interface to bind', schema: Type.String({ default: '0.0.0.0' }) },
  interval: {
    flag: '--interval <seconds>',
    help: 'refresh every this many seconds instead of on every new block',
    schema: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
  },
} satisfies ServiceOptions;

/** The resolved settings of `subnetkit exporter`. */
export type ExporterFlags = ServiceConfig<typeof EXPORTER_OPTIONS>;

/** Runs the exporter from CLI flags; resolves once it serves. SIGTERM/SIGINT stop it cleanly. */
export async function runExporterCommand(flags: ExporterFlags): Promise<RunningExporter> {
  routeLibraryConsole();
  const log = createLogger('exporter');
  const running = await runExporter({
    chain: flags.chain,
    netuids: [...new Set(flags.netuid)],
    port: flags.port,
    host: flags.host,
    ...(flags.interval !== undefined ? { intervalMs: Math.round(flags.interval * 1000) } : {}),
    logger: log,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info(`${signal}: stopping the exporter`);
    void stop().then(() => process.exit(0));
  };
  const stop = async () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await running.stop();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return { ...running, stop };
}

/** Registers `subnetkit exporter`. */
export function registerExporterCommand(program: Command): void {
  const cmd = program
    .command('exporter')
    .description(
      "Serve Prometheus metrics of the chain's view of subnets: block height, per-uid stake, incentive, dividends, emission, trust, permits, axons, weights age, registration cost, tempo position",
    );
  addServiceOptions(cmd, EXPORTER_OPTIONS, { wallet: false })
    .addHelpText(
      'after',
      `
Reads chain storage only; needs no wallet. Serves /metrics and /healthz (503 while the chain is
unreachable or the snapshot is stale). The metrics and their labels are listed in
packages/exporter/README.md. Every flag can also be set as a SUBNETKIT_* variable (--port:
SUBNETKIT_PORT) or as a key of the --config file; flags win over variables, variables over the file.

Example:
  subnetkit exporter --netuid 1,3 --chain ws://127.0.0.1:9944 --port 9102`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await runExporterCommand(resolveServiceConfig(command, EXPORTER_OPTIONS));
    });
}
