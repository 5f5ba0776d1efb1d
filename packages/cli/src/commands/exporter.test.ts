import { startDevnet } from '@subnetkit/devnet';
import { describe, expect, it } from 'vitest';
import { buildProgram, parseCommandLine } from '../index.js';
import { configureLogging } from '../logger.js';
import { resolveServiceConfig } from '../service-config.js';
import { EXPORTER_OPTIONS, runExporterCommand } from './exporter.js';

describe('subnetkit exporter', () => {
  it('is listed in subnetkit --help and takes --netuid, --chain, --port, --interval', () => {
    expect(buildProgram().helpInformation()).toMatch(/exporter \[options\]/);
    for (const flag of ['--netuid <netuids>', '--chain', '--port', '--host', '--interval', '--log-level'])
      expect(
        buildProgram()
          .commands.find((c) => c.name() === 'exporter')
          ?.helpInformation(),
      ).toContain(flag);
  });

  it('reads netuids as a comma-separated or repeated flag, or SUBNETKIT_NETUID, and checks each', async () => {
    const cmd = await parseCommandLine(['exporter', '--netuid', '1,3', '--netuid', '4', '--interval', '2.5']);
    expect(resolveServiceConfig(cmd, EXPORTER_OPTIONS, {})).toEqual({
      netuid: [1, 3, 4],
      chain: 'local',
      port: 9102,
      host: '0.0.0.0',
      interval: 2.5,
    });
    const bare = await parseCommandLine(['exporter']);
    expect(
      resolveServiceConfig(bare, EXPORTER_OPTIONS, { SUBNETKIT_NETUID: '2,5', SUBNETKIT_PORT: '9200' }),
    ).toMatchObject({ netuid: [2, 5], port: 9200 });
    expect(() => resolveServiceConfig(bare, EXPORTER_OPTIONS, {})).toThrow(/netuid/);
    await expect(parseCommandLine(['exporter', '--netuid', '1,70000'])).rejects.toThrow(
      /--netuid must be an integer between 0 and 65535/,
    );
    await expect(parseCommandLine(['exporter', '--netuid', '1', '--interval', '0'])).rejects.toThrow(
      /--interval must be/,
    );
    await expect(parseCommandLine(['exporter', '--netuid', '1', '--wallet', 'x'])).rejects.toThrow(
      /unknown option '--wallet'/,
    );
  });

  it("serves the chain's view of a devnet subnet on /metrics and /healthz", async () => {
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
      devnet.produceBlocks(2);
      const cmd = await parseCommandLine([
        'exporter',
        '--netuid',
        '1',
        '--chain',
        devnet.url,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--log-level',
        'silent',
      ]);
      const running = await runExporterCommand(resolveServiceConfig(cmd, EXPORTER_OPTIONS, {}));
      try {
        const text = await (await fetch(`${running.url}/metrics`)).text();
        expect(text).toMatch(/subnetkit_chain_stake\{[^}]*netuid="1"[^}]*uid="0"/);
        expect(text).toMatch(/subnetkit_chain_block_height\{[^}]*\} [1-9]/);
        expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      } finally {
        await running.stop();
      }
      const missing = await parseCommandLine([
        'exporter',
        '--netuid',
        '9',
        '--chain',
        devnet.url,
        '--port',
        '0',
        '--log-level',
        'silent',
      ]);
      await expect(runExporterCommand(resolveServiceConfig(missing, EXPORTER_OPTIONS, {}))).rejects.toThrow(
        /netuid 9 does not exist/,
      );
    } finally {
      configureLogging({});
      await devnet.stop();
    }
  }, 60_000);
});
