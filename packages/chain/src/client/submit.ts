/**
 * Signing and submitting extrinsics: nonce queue per signer, wait for inclusion (or finalization), decode
 * dispatch and pool errors into ChainErrors with cause and fix.
 */
import type { ApiPromise, SubmittableResult } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Call, DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { ChainError, type ErrorContext, explainChainError, poolErrorToChainError } from './errors.js';
import type { NonceManager } from './nonce.js';

/** Re-sign attempts after a nonce conflict before giving up. */
const NONCE_RETRIES = 2;

/** Which status ends the wait. */
export type WaitFor = 'inBlock' | 'finalized';

/** Submission tuning. */
export interface SubmitOptions {
  /** Default `inBlock`. */
  waitFor?: WaitFor;
  /** Fail when the transaction is not included within this long. Default 120 s. */
  timeoutMs?: number;
}

/** An included transaction. */
export interface TxResult {
  blockHash: string;
  blockNumber: number;
  txHash: string;
  /** The extrinsic's own events. */
  events: EventRecord[];
}

/** Decodes a runtime DispatchError into a ChainError whose message names the cause and the fix. */
export function dispatchErrorToChainError(api: ApiPromise, de: DispatchError, ctx: ErrorContext): ChainError {
  let name: string = de.type;
  let section: string | undefined;
  if (de.isModule) {
    try {
      const meta = api.registry.findMetaError(de.asModule);
      name = meta.name;
      section = meta.section;
    } catch {
      name = `Module(${de.asModule.index.toNumber()}, ${de.asModule.error.toHex()})`;
    }
  } else if (de.isToken) {
    name = de.asToken.type;
  } else if (de.isArithmetic) {
    name = de.asArithmetic.type;
  }
  const where = section ? `${section}.${name}` : name;
  return new ChainError(
    'Dispatch',
    `${ctx.call ?? 'transaction'} failed: ${explainChainError(name, ctx)} [${where}]`,
    {
      chainError: name,
      ...(section ? { section } : {}),
    },
  );
}

/** A `sudo.Sudid` event with an `Err` result means the wrapped call failed although the extrinsic succeeded. */
function sudoFailure(events: EventRecord[]): DispatchError | undefined {
  for (const { event } of events) {
    if (event.section === 'sudo' && event.method === 'Sudid') {
      const r = event.data[0] as unknown as { isErr: boolean; asErr: DispatchError };
      if (r?.isErr) return r.asErr;
    }
  }
  return undefined;
}

/**
 * Signs `tx` with `pair` (nonce from the queue), submits it and waits. Pool rejections, dispatch failures,
 * drops and timeouts all raise ChainErrors carrying `ctx` in their message.
 */
export async function signAndSubmit(
  api: ApiPromise,
  nonces: NonceManager,
  pair: KeyringPair,
  tx: SubmittableExtrinsic<'promise'>,
  ctx: ErrorContext,
  opts: SubmitOptions & { url?: string } = {},
): Promise<TxResult> {
  const waitFor = opts.waitFor ?? 'inBlock';
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const call = ctx.call ?? `${tx.method.section}.${tx.method.method}`;
  let settle!: { resolve: (r: SubmittableResult) => void; reject: (e: unknown) => void };
  const included = new Promise<SubmittableResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let unsub: (() => void) | undefined;
  let done = false;
  const finish = (fn: () => void) => {
    if (done) return;
    done = true;
    fn();
  };

  const onStatus = (result: SubmittableResult) => {
    const s = result.status;
    if ((waitFor === 'inBlock' && (s.isInBlock || s.isFinalized)) || s.isFinalized) {
      finish(() => settle.resolve(result));
    } else if (s.isDropped || s.isInvalid || s.isUsurped || s.isRetracted || s.isFinalityTimeout) {
      nonces.reset(pair.address);
      finish(() =>
        settle.reject(
          new ChainError(
            'PoolRejected',
            `${call} was ${s.type.toLowerCase()} by the node before inclusion; retry (the nonce is resynced)`,
          ),
        ),
      );
    }
  };

  // A nonce conflict (another process or client used the key) resyncs the nonce and re-signs.
  let sent = tx;
  for (let attempt = 0; ; attempt++) {
    const candidate =
      attempt === 0 ? tx : (api.tx(tx.method as unknown as Call) as SubmittableExtrinsic<'promise'>);
    try {
      await nonces.run(
        pair.address,
        async () => (await api.rpc.system.accountNextIndex(pair.address)).toNumber(),
        async (nonce) => {
          await candidate.signAsync(pair, { nonce });
          try {
            unsub = await candidate.send(onStatus);
          } catch (e) {
            throw poolErrorToChainError(e, { ...ctx, call });
          }
        },
      );
      sent = candidate;
      break;
    } catch (e) {
      if (attempt < NONCE_RETRIES && e instanceof ChainError && e.chainError === 'NonceConflict') continue;
      throw e;
    }
  }

  const timer = setTimeout(
    () =>
      finish(() =>
        settle.reject(
          new ChainError(
            'Timeout',
            `${call} (tx ${sent.hash.toHex()}) was not ${waitFor === 'finalized' ? 'finalized' : 'included'} within ` +
              `${timeoutMs} ms${opts.url ? ` on ${opts.url}` : ''}; check the node is producing blocks, then query the tx`,
          ),
        ),
      ),
    timeoutMs,
  );
  // The status subscription dies with the socket: without this a node killed (or a connection dropped)
  // mid-wait would leave the caller waiting for the whole timeout, whatever the reconnection does.
  const onDisconnected = () =>
    finish(() => {
      nonces.reset(pair.address);
      settle.reject(
        new ChainError(
          'ConnectionFailed',
          `the connection${opts.url ? ` to ${opts.url}` : ''} dropped while ${call} (tx ${sent.hash.toHex()}) waited to be ` +
            `${waitFor === 'finalized' ? 'finalized' : 'included'}; it may or may not be on chain: query the tx (or the ` +
            'state it changes) once reconnected before submitting again',
        ),
      );
    });
  api.on('disconnected', onDisconnected);
  if (!api.isConnected) onDisconnected();
  let result: SubmittableResult;
  try {
    result = await included;
  } finally {
    clearTimeout(timer);
    api.off('disconnected', onDisconnected);
    unsub?.();
  }
  if (result.dispatchError) throw dispatchErrorToChainError(api, result.dispatchError, { ...ctx, call });
  const sudoErr = sudoFailure(result.events);
  if (sudoErr) throw dispatchErrorToChainError(api, sudoErr, { ...ctx, call });
  const blockHash = (result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).toHex();
  const header = await api.rpc.chain.getHeader(blockHash);
  return {
    blockHash,
    blockNumber: header.number.toNumber(),
    txHash: sent.hash.toHex(),
    events: result.events,
  };
}
