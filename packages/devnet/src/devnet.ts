/** startDevnet: a chain plus its JSON-RPC server, block timer and persistence. */
import { availableParallelism } from 'node:os';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Logger } from 'pino';
import { Chain, type BlockRecord } from './chain.js';
import { buildGenesis, DEV_ACCOUNTS, loadGenesisFile, type DevnetGenesis } from './genesis.js';
import { loadSnapshot, saveSnapshot, saveSnapshotSync } from './persistence.js';
import { RpcMethods } from './rpc/methods.js';
import { RpcServer } from './rpc/server.js';
import { Verifier } from './runtime/verifier.js';

export interface DevnetOptions {
  /** TCP port; 0 picks a free one. Default 9944. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /**
   * 'instant' builds a block as soon as transactions arrive (tests); a number builds one every that many
   * milliseconds, empty or not. Default 'instant' (the CLI defaults to 12000).
   */
  blockTime?: 'instant' | number;
  /** Chain state file: loaded on start when it exists, saved periodically and on stop. */
  statePath?: string;
  /** Save interval with statePath, ms. Default 10000. */
  saveIntervalMs?: number;
  /** Genesis object or path to a genesis JSON file (used only when no state file is loaded). */
  genesis?: DevnetGenesis | string;
  /** serve_axon rejects 127.0.0.1 / ::1 exactly like subtensor. Default false. */
  strictServeAxon?: boolean;
  /** Worker threads for pool signature checks; 0 checks on the main thread. Default: cores - 1, at most 4. */
  verifyThreads?: number;
  logger?: Logger;
}

export interface Devnet {
  /** ws://host:port */
  url: string;
  /** http://host:port (JSON-RPC over POST) */
  httpUrl: string;
  port: number;
  /** Genesis hash (0x hex). */
  genesisHash: string;
  /** Best (= finalized) block number. */
  bestNumber(): number;
  /** Builds one block now (with whatever is in the pool) and returns its hash. */
  produceBlock(): string;
  /** Builds `count` blocks now; returns the last hash. */
  produceBlocks(count: number): string;
  /** Writes the state file now (no-op without statePath). */
  save(): Promise<void>;
  /** Stops the timers and the server, saving the state first when statePath is set. */
  stop(): Promise<void>;
  /** The chain itself, for tests and benchmarks. */
  chain: Chain;
}

/** Dev accounts as printed by the CLI: name, secret URI. */
export const DEV_ACCOUNT_URIS = DEV_ACCOUNTS.map((n) => ({ name: n, uri: `//${n}` }));

/** Starts a devnet. Resolves once the server listens. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  await cryptoWaitReady();
  const log = options.logger;
  const host = options.host ?? '127.0.0.1';
  const blockTime = options.blockTime ?? 'instant';
  if (blockTime !== 'instant' && (!Number.isFinite(blockTime) || blockTime < 1))
    throw new Error(
      `devnet: blockTime must be 'instant' or a positive number of milliseconds, got ${blockTime}`,
    );
  const chain = new Chain({ strictServeAxon: options.strictServeAxon ?? false }, log);
  const snap = options.statePath ? loadSnapshot(options.statePath) : null;
  if (snap) {
    chain.restore(snap);
    log?.info({ statePath: options.statePath, block: chain.bestNumber() }, 'devnet: state loaded');
  } else {
    const genesis = typeof options.genesis === 'string' ? loadGenesisFile(options.genesis) : options.genesis;
    buildGenesis(chain, genesis);
  }

  const threads = options.verifyThreads ?? Math.min(4, Math.max(0, availableParallelism() - 1));
  if (threads > 0) chain.verifier = new Verifier(threads);

  const rpc = new RpcMethods(chain, {
    chainName: 'subnetkit devnet',
    nodeName: 'subnetkit-devnet',
    version: '0.1.0',
  });
  const server = new RpcServer(rpc, log);
  let port: number;
  try {
    port = await server.listen(options.port ?? 9944, host);
  } catch (err) {
    // Nothing may keep the process alive after a failed start (the verifier runs worker threads).
    await chain.verifier?.close();
    await server.close().catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `devnet: port ${options.port ?? 9944} on ${host} is already in use (another devnet or node?); ` +
          'stop it or pick another port (--port <n>, or --port 0 for any free port)',
      );
    }
    throw new Error(`devnet: cannot listen on ${host}:${options.port ?? 9944}: ${(err as Error).message}`);
  }

  let timer: NodeJS.Timeout | null = null;
  let scheduled = false;
  let stopped = false;
  const build = (): BlockRecord | null => {
    try {
      return chain.produceBlock();
    } catch (e) {
      log?.error({ err: e }, 'devnet: block production failed');
      return null;
    }
  };
  if (blockTime === 'instant') {
    chain.on('tx', () => {
      if (scheduled || stopped) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        // Keep building while the pool has ready transactions (a block holds at most ~3.75 MiB).
        let guard = 0;
        while (!stopped && chain.poolSize() > 0 && guard++ < 1000) {
          const before = chain.poolSize();
          build();
          if (chain.poolSize() >= before) break;
        }
      });
    });
  } else {
    timer = setInterval(() => {
      if (!stopped) build();
    }, blockTime);
  }

  let saveTimer: NodeJS.Timeout | null = null;
  let saving: Promise<void> | null = null;
  const save = async () => {
    if (!options.statePath) return;
    if (saving) await saving;
    saving = saveSnapshot(options.statePath, chain.snapshot()).finally(() => {
      saving = null;
    });
    await saving;
  };
  if (options.statePath) {
    saveTimer = setInterval(() => {
      save().catch((e) => log?.error({ err: e }, 'devnet: saving the state failed'));
    }, options.saveIntervalMs ?? 10_000);
  }

  const urlHost = host.includes(':') ? `[${host}]` : host;
  log?.info({ url: `ws://${urlHost}:${port}`, genesis: chain.genesisHash }, 'devnet: listening');
  return {
    url: `ws://${urlHost}:${port}`,
    httpUrl: `http://${urlHost}:${port}`,
    port,
    genesisHash: chain.genesisHash,
    chain,
    bestNumber: () => chain.bestNumber(),
    produceBlock: () => chain.produceBlock().hash,
    produceBlocks: (count: number) => {
      let h = chain.best.hash;
      for (let i = 0; i < count; i++) h = chain.produceBlock().hash;
      return h;
    },
    save,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (saveTimer) clearInterval(saveTimer);
      if (saving) await saving.catch(() => {});
      if (options.statePath) saveSnapshotSync(options.statePath, chain.snapshot());
      await server.close();
      await chain.verifier?.close();
    },
  };
}
