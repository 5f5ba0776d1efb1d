/** Named networks and their WebSocket endpoints (the same names btcli uses). */
import { ChainError } from './errors.js';

/** Network presets for `--chain`. */
export const NETWORKS = {
  local: 'ws://127.0.0.1:9944',
  test: 'wss://test.finney.opentensor.ai:443',
  finney: 'wss://entrypoint-finney.opentensor.ai:443',
} as const;

/** A preset name. */
export type NetworkName = keyof typeof NETWORKS;

/** Resolves a `--chain` value (a preset name or a ws(s):// URL) to a URL. */
export function resolveChainUrl(chain: string | undefined): string {
  const c = (chain ?? 'local').trim();
  if (c in NETWORKS) return NETWORKS[c as NetworkName];
  if (c === 'testnet') return NETWORKS.test;
  if (/^wss?:\/\//.test(c)) return c;
  throw new ChainError(
    'BadInput',
    `unknown chain ${JSON.stringify(c)}: use a ws:// or wss:// URL or one of ${Object.keys(NETWORKS).join(', ')}`,
  );
}
