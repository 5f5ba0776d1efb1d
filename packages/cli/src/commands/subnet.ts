/** `subnetkit subnet create|start|register|hyperparams|metagraph|serve|commit|commitments`. */
import { u8aToHex } from '@polkadot/util';
import { U16_MAX } from '@subnetkit/core';
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { loadHotkey, unlockColdkey } from '../keys.js';
import {
  type ChainFlags,
  type WalletFlags,
  parseBlock,
  parseCommitmentData,
  walletFrom,
  withChainOptions,
  withNetuidOption,
  withWalletOptions,
} from '../options.js';
import { printResult, printTable, toJson } from '../output.js';

interface ReadFlags extends ChainFlags {
  netuid: number;
  block?: number;
}

function short(ss58: string): string {
  return ss58.length > 12 ? `${ss58.slice(0, 6)}…${ss58.slice(-4)}` : ss58;
}

/** `bytes` as text when they are valid UTF-8 without control or unassigned characters, else null. */
function printableUtf8(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return /\p{C}/u.test(text) ? null : text;
}

/** Registers `subnetkit subnet …`. */
export function registerSubnetCommand(program: Command): void {
  const subnet = program.command('subnet').description('create subnets, register neurons, inspect subnets');

  withChainOptions(withWalletOptions(subnet.command('create')))
    .description("create a subnet owned by the wallet's coldkey, with its hotkey as owner hotkey")
    .action(async (o: WalletFlags & ChainFlags) => {
      const w = walletFrom(o);
      const coldkey = await unlockColdkey(w);
      const hotkey = await w.hotkeypub();
      const r = await withClient(o.chain, (c) => c.registerNetwork(coldkey, hotkey));
      printResult(o.json, {
        netuid: r.netuid,
        owner: coldkey.address,
        ownerHotkey: hotkey,
        block: r.blockNumber,
        txHash: r.txHash,
      });
    });

  withNetuidOption(withChainOptions(withWalletOptions(subnet.command('start'))))
    .description('start emissions and staking on a subnet you own (start_call)')
    .action(async (o: WalletFlags & ChainFlags & { netuid: number }) => {
      const coldkey = await unlockColdkey(walletFrom(o));
      const netuid = o.netuid;
      const r = await withClient(o.chain, (c) => c.startCall(coldkey, netuid));
      printResult(o.json, { netuid, block: r.blockNumber, txHash: r.txHash });
    });

  withNetuidOption(withChainOptions(withWalletOptions(subnet.command('register'))))
    .description("register the wallet's hotkey on a subnet by burning TAO from the coldkey")
    .action(async (o: WalletFlags & ChainFlags & { netuid: number }) => {
      const w = walletFrom(o);
      const netuid = o.netuid;
      const coldkey = await unlockColdkey(w);
      const hotkey = await w.hotkeypub();
      const r = await withClient(o.chain, (c) => c.burnedRegister(coldkey, netuid, hotkey));
      printResult(o.json, { netuid, uid: r.uid, hotkey, block: r.blockNumber, txHash: r.txHash });
    });

  withNetuidOption(withChainOptions(subnet.command('hyperparams')))
    .description("show a subnet's hyperparameters (read from chain storage)")
    .option('--block <n>', 'read at this block', parseBlock)
    .action(async (o: ReadFlags) => {
      const netuid = o.netuid;
      const hp = await withClient(o.chain, (c) =>
        c.hyperparameters(netuid, o.block === undefined ? {} : { block: o.block }),
      );
      printResult(o.json, hp as unknown as Record<string, unknown>);
    });

  withNetuidOption(withChainOptions(subnet.command('metagraph')))
    .description("show a subnet's neurons and their epoch outputs (incentive, dividends, emission, trust, …)")
    .option('--block <n>', 'read at this block', parseBlock)
    .option('--bonds', "also show each validator's bonds (miner uid:bond)")
    .action(async (o: ReadFlags & { bonds?: boolean }) => {
      const netuid = o.netuid;
      const m = await withClient(o.chain, (c) =>
        c.syncMetagraph(netuid, { ...(o.block === undefined ? {} : { block: o.block }), bonds: !!o.bonds }),
      );
      if (o.json) {
        console.log(toJson(m));
        return;
      }
      console.log(`netuid ${m.netuid}  block ${m.block}  n ${m.n}  tempo ${m.hyperparameters.tempo}`);
      printTable(
        [
          'uid',
          'hotkey',
          'coldkey',
          'stake',
          'incentive',
          'dividends',
          'emission',
          'trust',
          'consensus',
          'rank',
          'vtrust',
          'vpermit',
          'active',
          'updated',
          'axon',
          ...(o.bonds ? ['bonds'] : []),
        ],
        m.uids.map((u) => {
          const ax = m.axons[u]!;
          return [
            u,
            short(m.hotkeys[u]!),
            short(m.coldkeys[u]!),
            m.stake[u]!.toFixed(4),
            m.incentive[u]!.toFixed(5),
            m.dividends[u]!.toFixed(5),
            m.emission[u]!.toFixed(6),
            m.trust[u]!.toFixed(5),
            m.consensus[u]!.toFixed(5),
            m.rank[u]!.toFixed(5),
            m.validatorTrust[u]!.toFixed(5),
            m.validatorPermit[u]!,
            m.active[u]!,
            m.lastUpdate[u]!,
            ax.port === 0 ? '-' : `${ax.ip}:${ax.port}`,
            ...(o.bonds
              ? [(m.bonds?.[u] ?? []).map(([j, b]) => `${j}:${(b / U16_MAX).toFixed(4)}`).join(' ') || '-']
              : []),
          ];
        }),
      );
    });

  withNetuidOption(withChainOptions(withWalletOptions(subnet.command('serve'))))
    .description("publish the hotkey's axon address on a subnet")
    .requiredOption('--ip <address>', 'public IPv4/IPv6 address')
    .requiredOption('--port <n>', 'axon port')
    .action(async (o: WalletFlags & ChainFlags & { netuid: number; ip: string; port: string }) => {
      const hotkey = await loadHotkey(walletFrom(o));
      const netuid = o.netuid;
      const r = await withClient(o.chain, (c) =>
        c.serveAxon(hotkey, { netuid, ip: o.ip, port: Number(o.port) }),
      );
      printResult(o.json, {
        netuid,
        hotkey: hotkey.address,
        ip: o.ip,
        port: Number(o.port),
        block: r.blockNumber,
      });
    });

  withNetuidOption(withChainOptions(withWalletOptions(subnet.command('commit'))))
    .description("commit data for the wallet's hotkey on a subnet (Commitments.set_commitment), e.g. a hash")
    .requiredOption(
      '--data <text|0xhex>',
      'what to commit: 0x-prefixed hex bytes, or text committed as UTF-8 (at most 512 bytes)',
      parseCommitmentData,
    )
    .action(async (o: WalletFlags & ChainFlags & { netuid: number; data: Uint8Array }) => {
      const hotkey = await loadHotkey(walletFrom(o));
      const netuid = o.netuid;
      const r = await withClient(o.chain, (c) => c.setCommitment(hotkey, netuid, o.data));
      printResult(o.json, {
        netuid,
        hotkey: hotkey.address,
        bytes: o.data.length,
        data: u8aToHex(o.data),
        block: r.blockNumber,
        txHash: r.txHash,
      });
    });

  withNetuidOption(withChainOptions(subnet.command('commitments')))
    .description("list each hotkey's commitment on a subnet (uid, hotkey, block, data as hex and text)")
    .option('--block <n>', 'read at this block', parseBlock)
    .action(async (o: ReadFlags) => {
      const netuid = o.netuid;
      const { block, rows } = await withClient(o.chain, async (c) => {
        const at = await c.block(o.block);
        const records = await c.commitments(netuid, { block: at.number });
        const uids = await Promise.all(records.map((r) => c.uidOf(netuid, r.hotkey, at)));
        return {
          block: at.number,
          rows: records.map((r, i) => ({
            uid: uids[i] ?? null,
            hotkey: r.hotkey,
            block: r.block,
            bytes: r.data.length,
            data: u8aToHex(r.data),
            text: printableUtf8(r.data),
            fields: r.fields,
          })),
        };
      });
      if (o.json) {
        console.log(toJson({ netuid, block, commitments: rows }));
        return;
      }
      if (rows.length === 0) {
        console.log(`no commitments on netuid ${netuid} at block ${block}`);
        return;
      }
      console.log(`netuid ${netuid}  block ${block}  commitments ${rows.length}`);
      printTable(
        ['uid', 'hotkey', 'block', 'bytes', 'data', 'text'],
        rows.map((r) => [r.uid ?? '-', r.hotkey, r.block, r.bytes, r.data, r.text ?? '-']),
      );
    });
}
