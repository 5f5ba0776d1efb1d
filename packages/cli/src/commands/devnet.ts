/** `subnetkit devnet`: run the local subtensor-compatible chain. */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { NETWORKS } from '@subnetkit/chain';
import { raoToTao, taoToRao } from '@subnetkit/core';
import { DEV_ACCOUNTS, resolveAccount, startDevnet, type Devnet } from '@subnetkit/devnet';
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { createLogger } from '../logger.js';
import { type ChainFlags, checkSs58, withChainOptions } from '../options.js';
import { printResult } from '../output.js';

interface FundFlags extends ChainFlags {
  amount: string;
  from: string;
}

interface DevnetFlags {
  port: string;
  host: string;
  blockTime: string;
  state?: string;
  saveInterval: string;
  genesis?: string;
  strictServeAxon?: boolean;
}

/** Parses --block-time: 'instant' or a positive number of milliseconds. */
export function parseBlockTime(v: string): 'instant' | number {
  if (v === 'instant') return 'instant';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`invalid --block-time ${v}: use 'instant' or a positive number of milliseconds`);
  return n;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`invalid --port ${v}: use an integer 0-65535`);
  return n;
}

/** Registers `subnetkit devnet`. */
export function registerDevnetCommand(program: Command): void {
  const devnet = program.command('devnet');
  devnet
    .description('run a local subtensor-compatible chain (JSON-RPC over WebSocket and HTTP)')
    .option('--port <n>', 'port for WebSocket and HTTP JSON-RPC (0 = any free port)', '9944')
    .option('--host <addr>', 'interface to bind', '127.0.0.1')
    .option(
      '--block-time <instant|ms>',
      "'instant' (a block per batch of transactions) or milliseconds",
      '12000',
    )
    .option(
      '--state <file>',
      'load the chain from this file if it exists; save to it periodically and on exit',
    )
    .option('--save-interval <ms>', 'how often to save with --state', '10000')
    .option('--genesis <file>', 'genesis JSON: subnets, hyperparameters, neurons (see the devnet README)')
    .option('--strict-serve-axon', 'refuse loopback axon addresses like subtensor does')
    .action(async (o: DevnetFlags) => {
      const saveIntervalMs = Number(o.saveInterval);
      if (!Number.isInteger(saveIntervalMs) || saveIntervalMs < 10)
        throw new Error(`invalid --save-interval ${o.saveInterval}: use milliseconds (at least 10)`);
      const dn = await startDevnet({
        port: parsePort(o.port),
        host: o.host,
        blockTime: parseBlockTime(o.blockTime),
        statePath: o.state,
        saveIntervalMs,
        genesis: o.genesis,
        strictServeAxon: Boolean(o.strictServeAxon),
        logger: createLogger('devnet'),
      });
      printBanner(dn, o);
      await waitForSignal(dn);
    });

  withChainOptions(devnet.command('fund'))
    .description('devnet faucet: send TAO from a funded dev account (//Alice by default) to an address')
    .argument('<ss58>', 'the address to fund, e.g. a new coldkey')
    .option('--amount <tao>', 'TAO to send', '1000')
    .option('--from <account>', `dev account to send from: ${DEV_ACCOUNTS.join(', ')}`, 'Alice')
    .action(async (ss58: string, o: FundFlags) => {
      const dest = checkSs58('<ss58>', ss58);
      if (Object.hasOwn(NETWORKS, o.chain) && o.chain !== 'local') {
        throw new Error(
          `devnet fund sends from dev accounts, which hold nothing on ${o.chain}; point --chain at a devnet`,
        );
      }
      const dev = DEV_ACCOUNTS.find((n) => n.toLowerCase() === o.from.replace(/^\/\//, '').toLowerCase());
      if (!dev) throw new Error(`unknown dev account ${o.from}: use one of ${DEV_ACCOUNTS.join(', ')}`);
      const amountRao = taoToRao(o.amount);
      await cryptoWaitReady();
      const from = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(`//${dev}`);
      const out = await withClient(o.chain, async (c) => {
        const r = await c.transfer(from, dest, amountRao);
        return { ...r, balance: await c.balance(dest) };
      });
      printResult(o.json, {
        from: `//${dev}`,
        dest,
        amount: raoToTao(amountRao),
        balance: raoToTao(out.balance),
        block: out.blockNumber,
        txHash: out.txHash,
      });
    });
}

function printBanner(dn: Devnet, o: DevnetFlags): void {
  const lines = [
    `subnetkit devnet listening on ${dn.url} (HTTP JSON-RPC: ${dn.httpUrl})`,
    `genesis ${dn.genesisHash}, best block #${dn.bestNumber()}, block time ${o.blockTime}${o.state ? `, state ${o.state}` : ''}`,
    'dev accounts (sr25519, 1,000,000 TAO each; //Alice is sudo):',
    ...DEV_ACCOUNTS.map((n) => `  //${n.padEnd(8)} ${encodeAddress(resolveAccount(n), 42)}`),
    'stop with Ctrl-C',
  ];
  console.log(lines.join('\n'));
}

function waitForSignal(dn: Devnet): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the devnet`);
      dn.stop()
        .catch((e: Error) => console.error(`subnetkit: stopping the devnet failed: ${e.message}`))
        .finally(() => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          resolve();
        });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}
