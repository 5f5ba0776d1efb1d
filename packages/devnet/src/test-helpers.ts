/**
 * Helpers for the devnet's own tests (not exported from the package): connect an unmodified ApiPromise,
 * sign and send an extrinsic and wait for its block, decode the dispatch error name.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { SUBTENSOR_SIGNED_EXTENSIONS } from '@subnetkit/core';

/** An ApiPromise whose storage and calls are decorated at run time (there is no api-augment for subtensor). */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type DevApi = any;

export async function connect(url: string): Promise<DevApi> {
  return ApiPromise.create({
    provider: new WsProvider(url, 500),
    signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
    noInitWarn: true,
    throwOnConnect: true,
  });
}

export interface Sent {
  ok: boolean;
  /** `Pallet.ErrorName` of a failed dispatch, e.g. `subtensorModule.SettingWeightsTooFast`. */
  error?: string;
  /** Events of this extrinsic as `section.method`. */
  events: string[];
  result: ISubmittableResult;
}

/** Signs and sends; resolves when the extrinsic is in a block. */
export function send(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    tx.signAndSend(signer, (r: ISubmittableResult) => {
      if (!(r.status.isInBlock || r.status.isFinalized)) {
        if (r.isError) reject(new Error(`extrinsic ${r.status.type}`));
        return;
      }
      unsub?.();
      let error: string | undefined;
      if (r.dispatchError) {
        if (r.dispatchError.isModule) {
          const meta = api.registry.findMetaError(r.dispatchError.asModule);
          error = `${meta.section}.${meta.name}`;
        } else error = r.dispatchError.type;
      }
      resolve({
        ok: !r.dispatchError,
        error,
        events: r.events.map((e) => `${e.event.section}.${e.event.method}`),
        result: r,
      });
    })
      .then((u) => {
        unsub = u;
      })
      .catch(reject);
  });
}

/** The decoded error name of the inner call of Sudo.sudo (from the Sudid event), or null on success. */
export function sudoError(api: ApiPromise, s: Sent): string | null {
  const ev = s.result.events.find((e) => e.event.section === 'sudo' && e.event.method === 'Sudid');
  if (!ev) throw new Error('no Sudid event');
  const res = ev.event.data[0] as unknown as {
    isErr: boolean;
    asErr: { isModule: boolean; asModule: Parameters<typeof api.registry.findMetaError>[0]; type: string };
  };
  if (!res.isErr) return null;
  if (!res.asErr.isModule) return res.asErr.type;
  const meta = api.registry.findMetaError(res.asErr.asModule);
  return `${meta.section}.${meta.name}`;
}

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

export function key(uri: string): KeyringPair {
  return keyring.addFromUri(uri);
}
