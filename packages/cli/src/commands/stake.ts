/** `subnetkit stake add|remove`. */
import { raoToTao, taoToRao } from '@subnetkit/core';
import type { Command } from 'commander';
import {
  type WalletFlags,
  printResult,
  unlockColdkey,
  walletFrom,
  withChainOptions,
  withClient,
  withWalletOptions,
} from './wallet.js';

interface StakeFlags extends WalletFlags {
  chain: string;
  json?: boolean;
  netuid: string;
  amount: string;
  hotkeySs58?: string;
}

/** Registers `subnetkit stake …`. */
export function registerStakeCommand(program: Command): void {
  const stake = program.command('stake').description('stake to or unstake from a hotkey on a subnet');

  for (const verb of ['add', 'remove'] as const) {
    withChainOptions(withWalletOptions(stake.command(verb)))
      .description(
        verb === 'add'
          ? "stake TAO from the coldkey to a hotkey (the wallet's by default)"
          : 'unstake alpha from a hotkey back to the coldkey',
      )
      .requiredOption('--netuid <n>', 'subnet id')
      .requiredOption('--amount <tokens>', verb === 'add' ? 'TAO to stake' : 'alpha to unstake')
      .option('--hotkey-ss58 <address>', "stake to this hotkey address instead of the wallet's hotkey")
      .action(async (o: StakeFlags) => {
        const w = walletFrom(o);
        const netuid = Number(o.netuid);
        if (!Number.isInteger(netuid) || netuid < 0) throw new Error(`invalid --netuid ${o.netuid}`);
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
