#!/usr/bin/env node
/**
 * One-shot setup of the docker-compose devnet (the `setup` service): restores the dev wallets of
 * dev-wallets.json with `subnetkit wallet regen` into $SUBNETKIT_WALLET_DIR and writes the devnet
 * genesis (the subnet, the validator's stake, every miner registered) to $SUBNETKIT_GENESIS_FILE.
 * Does nothing against a real chain: $SUBNETKIT_CHAIN other than the compose devnet leaves the
 * mounted wallets alone.
 *
 * Env: SUBNETKIT_CHAIN (default ws://devnet:9944), SUBNETKIT_DEVNET_URL (default ws://devnet:9944),
 * SUBNETKIT_WALLET_DIR (default /wallets), SUBNETKIT_GENESIS_FILE (default /setup/genesis.json),
 * SUBNETKIT_NETUID (default from dev-wallets.json), SUBNETKIT_BIN (default `subnetkit`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const devnetUrl = env.SUBNETKIT_DEVNET_URL || 'ws://devnet:9944';
const chain = env.SUBNETKIT_CHAIN || devnetUrl;
if (chain !== devnetUrl) {
  console.log(`setup: SUBNETKIT_CHAIN is ${chain}, not the compose devnet; leaving the wallets alone`);
  process.exit(0);
}
const dev = JSON.parse(readFileSync(join(here, 'dev-wallets.json'), 'utf8'));
const walletDir = env.SUBNETKIT_WALLET_DIR || '/wallets';
const genesisFile = env.SUBNETKIT_GENESIS_FILE || '/setup/genesis.json';
const netuid = Number(env.SUBNETKIT_NETUID || dev.netuid);
const bin = env.SUBNETKIT_BIN || 'subnetkit';

function regen(wallet, key, mnemonic) {
  const args = ['wallet', 'regen', '--name', wallet, '--hotkey', 'default', '--wallet-path', walletDir];
  args.push('--key', key, '--mnemonic', mnemonic, '--no-password', '--overwrite', '--json');
  // The output names only the address; stdout is still not echoed.
  const out = JSON.parse(execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  return out.ss58;
}

const neurons = [];
for (const [name, w] of Object.entries(dev.wallets)) {
  const coldkey = regen(name, 'coldkey', w.coldkey);
  const hotkey = regen(name, 'hotkey', w.hotkey);
  neurons.push({ hotkey, coldkey, ...(w.stake ? { stake: w.stake } : {}) });
  console.log(`setup: wallet ${name} (hotkey ${hotkey}) in ${walletDir}`);
}
const genesis = {
  subnets: [{ netuid, owner: 'alice', hyperparameters: dev.hyperparameters, neurons }],
};
mkdirSync(dirname(genesisFile), { recursive: true });
writeFileSync(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
console.log(`setup: devnet genesis for netuid ${netuid} written to ${genesisFile}`);
