/** `subnetkit weights show`. */
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { type ChainFlags, parseBlock, withChainOptions, withNetuidOption } from '../options.js';
import { printTable, toJson } from '../output.js';

/** Registers `subnetkit weights …`. */
export function registerWeightsCommand(program: Command): void {
  const weights = program.command('weights').description('inspect weights on a subnet');

  withNetuidOption(withChainOptions(weights.command('show')))
    .description('show the weights each neuron set (row-normalised), optionally for one uid')
    .option('--uid <n>', 'only this uid’s row')
    .option('--block <n>', 'read at this block', parseBlock)
    .action(async (o: ChainFlags & { netuid: number; uid?: string; block?: number }) => {
      const netuid = o.netuid;
      const m = await withClient(o.chain, (c) =>
        c.syncMetagraph(netuid, {
          weights: true,
          ...(o.block === undefined ? {} : { block: o.block }),
        }),
      );
      const only = o.uid === undefined ? undefined : Number(o.uid);
      if (only !== undefined && !(only >= 0 && only < m.n)) {
        throw new Error(`uid ${o.uid} does not exist on netuid ${netuid} (n = ${m.n})`);
      }
      const rows = (m.weights ?? [])
        .map((row, uid) => ({ uid, hotkey: m.hotkeys[uid]!, lastUpdate: m.lastUpdate[uid]!, row }))
        .filter((r) => (only === undefined ? r.row.length > 0 : r.uid === only))
        .map((r) => {
          const sum = r.row.reduce((s, [, v]) => s + v, 0);
          return {
            ...r,
            weights: r.row.map(([dest, v]) => ({ uid: dest, value: v, weight: sum === 0 ? 0 : v / sum })),
          };
        });
      if (o.json) {
        console.log(toJson({ netuid, block: m.block, rows: rows.map(({ row: _r, ...rest }) => rest) }));
        return;
      }
      if (rows.length === 0) {
        console.log(`no weights set on netuid ${netuid} at block ${m.block}`);
        return;
      }
      printTable(
        ['uid', 'hotkey', 'updated', 'weights (uid:weight)'],
        rows.map((r) => [
          r.uid,
          r.hotkey,
          r.lastUpdate,
          r.weights.map((w) => `${w.uid}:${w.weight.toFixed(4)}`).join(' '),
        ]),
      );
    });
}
