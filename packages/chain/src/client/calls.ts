/**
 * Builders for every call the client submits. Pure: each takes the decorated `tx` object (`api.tx`, or
 * `expandMetadata(registry, metadata).tx` offline) and returns what it returns, so the same code is checked
 * against the real subtensor metadata in tests and used against a live node.
 */
import { ChainError } from './errors.js';

// biome-ignore lint/suspicious/noExplicitAny: call factories take SCALE-codable values of many shapes
type CallFactory<R> = (...args: any[]) => R;
/** The shape shared by `api.tx` and `expandMetadata(...).tx`. */
export type TxLike<R> = Record<string, Record<string, CallFactory<R>> | undefined>;

function call<R>(tx: TxLike<R>, section: string, method: string): CallFactory<R> {
  const fn = tx[section]?.[method];
  if (typeof fn !== 'function') {
    throw new ChainError(
      'CallUnavailable',
      `the chain's runtime has no ${section}.${method} call; check that the URL points to a subtensor node ` +
        '(or the subnetkit devnet) with a recent runtime',
    );
  }
  return fn;
}

/** `SubtensorModule.set_weights` (mechanism 0) or `set_mechanism_weights` when `mecid` > 0. */
export function buildSetWeights<R>(
  tx: TxLike<R>,
  a: {
    netuid: number;
    uids: ArrayLike<number>;
    values: ArrayLike<number>;
    versionKey: bigint | number;
    mecid?: number;
  },
): R {
  const uids = Array.from(a.uids);
  const values = Array.from(a.values);
  if (a.mecid !== undefined && a.mecid > 0) {
    return call(tx, 'subtensorModule', 'setMechanismWeights')(a.netuid, a.mecid, uids, values, a.versionKey);
  }
  return call(tx, 'subtensorModule', 'setWeights')(a.netuid, uids, values, a.versionKey);
}

/**
 * `SubtensorModule.commit_timelocked_weights(netuid, commit, reveal_round, commit_reveal_version)`, or
 * `commit_timelocked_mechanism_weights` when `mecid` > 0 (commit-reveal v3/v4, drand timelock).
 */
export function buildCommitTimelockedWeights<R>(
  tx: TxLike<R>,
  a: { netuid: number; mecid?: number; commit: Uint8Array; revealRound: bigint; version: number },
): R {
  // Hex, not the Uint8Array: @polkadot/types reads a Uint8Array given for `Bytes` as already length-prefixed.
  const commit = `0x${Buffer.from(a.commit).toString('hex')}`;
  if (a.mecid !== undefined && a.mecid > 0) {
    return call(tx, 'subtensorModule', 'commitTimelockedMechanismWeights')(
      a.netuid,
      a.mecid,
      commit,
      a.revealRound,
      a.version,
    );
  }
  return call(tx, 'subtensorModule', 'commitTimelockedWeights')(a.netuid, commit, a.revealRound, a.version);
}

/** `SubtensorModule.commit_weights(netuid, commit_hash)` (commit-reveal v2). */
export function buildCommitWeights<R>(tx: TxLike<R>, a: { netuid: number; commitHash: string }): R {
  return call(tx, 'subtensorModule', 'commitWeights')(a.netuid, a.commitHash);
}

/** `SubtensorModule.reveal_weights(netuid, uids, values, salt, version_key)`. */
export function buildRevealWeights<R>(
  tx: TxLike<R>,
  a: {
    netuid: number;
    uids: ArrayLike<number>;
    values: ArrayLike<number>;
    salt: ArrayLike<number>;
    versionKey: bigint | number;
  },
): R {
  return call(tx, 'subtensorModule', 'revealWeights')(
    a.netuid,
    Array.from(a.uids),
    Array.from(a.values),
    Array.from(a.salt),
    a.versionKey,
  );
}

/** Arguments of `serve_axon` after encoding the IP (see {@link encodeIp}). */
export interface ServeAxonArgs {
  netuid: number;
  version: number;
  ip: bigint;
  port: number;
  ipType: 4 | 6;
  protocol: number;
}

/** `SubtensorModule.serve_axon(netuid, version, ip, port, ip_type, protocol, placeholder1, placeholder2)`. */
export function buildServeAxon<R>(tx: TxLike<R>, a: ServeAxonArgs): R {
  return call(tx, 'subtensorModule', 'serveAxon')(
    a.netuid,
    a.version,
    a.ip,
    a.port,
    a.ipType,
    a.protocol,
    0,
    0,
  );
}

/** `SubtensorModule.burned_register(netuid, hotkey)`, signed by the coldkey. */
export function buildBurnedRegister<R>(tx: TxLike<R>, a: { netuid: number; hotkey: string }): R {
  return call(tx, 'subtensorModule', 'burnedRegister')(a.netuid, a.hotkey);
}

/** `SubtensorModule.register_network(hotkey)`, signed by the coldkey. */
export function buildRegisterNetwork<R>(tx: TxLike<R>, a: { hotkey: string }): R {
  return call(tx, 'subtensorModule', 'registerNetwork')(a.hotkey);
}

/** `SubtensorModule.start_call(netuid)`: the owner enables emissions and staking on a new subnet. */
export function buildStartCall<R>(tx: TxLike<R>, a: { netuid: number }): R {
  return call(tx, 'subtensorModule', 'startCall')(a.netuid);
}

/** `SubtensorModule.add_stake(hotkey, netuid, amount_staked)`; amount in TAO rao. */
export function buildAddStake<R>(tx: TxLike<R>, a: { hotkey: string; netuid: number; amountRao: bigint }): R {
  return call(tx, 'subtensorModule', 'addStake')(a.hotkey, a.netuid, a.amountRao);
}

/** `SubtensorModule.remove_stake(hotkey, netuid, amount_unstaked)`; amount in alpha rao. */
export function buildRemoveStake<R>(
  tx: TxLike<R>,
  a: { hotkey: string; netuid: number; amountRao: bigint },
): R {
  return call(tx, 'subtensorModule', 'removeStake')(a.hotkey, a.netuid, a.amountRao);
}

/** `Balances.transfer_keep_alive` (default, as btcli) or `transfer_allow_death`; amount in rao. */
export function buildTransfer<R>(
  tx: TxLike<R>,
  a: { dest: string; amountRao: bigint; keepAlive?: boolean },
): R {
  const method = a.keepAlive === false ? 'transferAllowDeath' : 'transferKeepAlive';
  return call(tx, 'balances', method)({ Id: a.dest }, a.amountRao);
}

/** `Commitments.set_commitment(netuid, info)` with the given `Data` fields (see `commitmentField`). */
export function buildSetCommitment<R>(
  tx: TxLike<R>,
  a: { netuid: number; fields: Record<string, unknown>[] },
): R {
  return call(tx, 'commitments', 'setCommitment')(a.netuid, { fields: a.fields });
}

/** `Sudo.sudo(call)`: wraps a root-only call (AdminUtils setters on a local chain). */
export function buildSudo<R>(tx: TxLike<R>, inner: unknown): R {
  return call(tx, 'sudo', 'sudo')(inner);
}

/** Any `AdminUtils` call by its camelCase name, e.g. `sudoSetWeightsSetRateLimit`. */
export function buildAdminUtils<R>(tx: TxLike<R>, method: string, args: unknown[]): R {
  return call(tx, 'adminUtils', method)(...args);
}
