import { type KeyringPair, Wallet } from '@subnetkit/chain';
import { loadHotkey } from './commands/wallet.js';

/**
 * Load the hotkey a miner or validator signs with from a btcli-layout wallet (an encrypted hotkey
 * is unlocked with SUBNETKIT_PASSWORD or a prompt). A failure names the wallet, the path and the fix.
 */
export async function loadServiceHotkey(flags: {
  wallet: string;
  hotkey: string;
  walletPath: string;
}): Promise<KeyringPair> {
  const wallet = new Wallet({ name: flags.wallet, hotkey: flags.hotkey, path: flags.walletPath });
  try {
    return await loadHotkey(wallet);
  } catch (err) {
    throw new Error(
      `cannot load hotkey ${flags.hotkey} of wallet ${flags.wallet} under ${flags.walletPath}: ${(err as Error).message} ` +
        `(create it with: subnetkit wallet create --name ${flags.wallet} --hotkey ${flags.hotkey})`,
    );
  }
}
