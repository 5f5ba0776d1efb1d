/** `subnetkit stake add|remove`. */
import { raoToTao, taoToRao } from '@subnetkit/core';
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { unlockColdkey } from '../keys.js';
import {
  type ChainFlags,
  type WalletFlags,
  walletFrom,
  withChainOptions,
  withNetuidOption,
  withWalletOptions,
} from '../options.js';
import { printResult } from '../output.js';

interface StakeFlags extends WalletFlags, ChainFlags {
  netuid: number;
  amount: string;
  hotkeySs58?: string;
}

/** Registers `subnetkit stake …`. */
export function registerStakeCommand(program: Command): void {
  const stake = program.command('stake').description('stake to or unstake from a hotkey on a subnet');

  for (const verb of ['add', 'remove'] as const) {
    withNetuidOption(withChainOptions(withWalletOptions(stake.command(verb))))
      .description(
        verb === 'add'
          ? "stake TAO from the coldkey to a hotkey (the wallet's by default)"
          : 'unstake alpha from a hotkey back to the coldkey',
      )
      .requiredOption('--amount <tokens>', verb === 'add' ? 'TAO to stake' : 'alpha to unstake')
      .option('--hotkey-ss58 <address>', "stake to this hotkey address instead of the wallet's hotkey")
      .action(async (o: StakeFlags) => {
        const w = walletFrom(o);
        const netuid = o.netuid;
        const amountRao = taoToRao(o.amount);
        const hotkey = o.hotkeySs58 ?? (await w.hotkeypub());
        const coldkey = await unlockColdkey(w);
        const out = await withClient(o.chain, async (c) => {
          const r =
            verb === 'add'
              ? await c.addStake(coldkey, hotkey, netuid, amountRao)
              : await c.removeStake(coldkey, hotkey, netuid, amountRao);
          return { ...r, stake: await c.hotkeyStake(hotkey, netuid) };
        });
        printResult(o.json, {
          netuid,
          hotkey,
          coldkey: coldkey.address,
          amount: raoToTao(amountRao),
          hotkeyStakeAlpha: raoToTao(out.stake),
          block: out.blockNumber,
          txHash: out.txHash,
        });
      });
  }
}
