/**
 * SubtensorClient: metagraph sync, hyperparameters, weights (direct or commit-reveal), serving,
 * registration, staking, transfers and block subscriptions over one WebSocket connection.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import {
  ChainValueError,
  checkWeightsAgainstChainRules,
  computeRevealRound,
  encodeWeightsTlockPayload,
  timelockEncrypt,
  encodeIp,
  epochIndex,
  firstBlockOfEpoch,
  netuidStorageIndex,
  type TempoPosition,
  tempoPosition,
  U16_MAX,
  weightCommitHash,
} from '@subnetkit/core';
import type { Logger } from 'pino';
import {
  type TxLike,
  buildAddStake,
  buildAdminUtils,
  buildBurnedRegister,
  buildCommitTimelockedWeights,
  buildCommitWeights,
  buildRegisterNetwork,
  buildRemoveStake,
  buildRevealWeights,
  buildServeAxon,
  buildSetCommitment,
  buildSetWeights,
  buildStartCall,
  buildSudo,
  buildTransfer,
} from './calls.js';
import { type CommitmentRecord, commitmentField, readCommitmentsAt } from './commitments.js';
import { type CommitStore, JsonFileCommitStore, type PendingCommit } from './commit-store.js';
import { type Connection, type ConnectionOptions, openConnection } from './connection.js';
import { commitTiming, randomSalt } from './commit-timing.js';
import { ChainError, type ErrorContext, explainChainError } from './errors.js';
import { type Hyperparameters, decodeHyperparameters, hyperparameterKeys } from './hyperparams.js';
import type { EpochInput } from '@subnetkit/core';
import { type EpochInputOptions, readEpochInputsAt } from './epoch-inputs.js';
import { type RuntimeShape, detectRuntimeShape, nextEpochBlock } from './runtime-shape.js';
import { type Metagraph, type SyncOptions, syncMetagraphAt } from './metagraph.js';
import { NonceManager } from './nonce.js';
import { StorageReader } from './storage.js';
import { type CommitMode, chooseCommitMode, estimateBlockTimeSeconds, readBeaconInfo } from './timelock.js';
import { type SubmitOptions, type TxResult, type WaitFor, signAndSubmit } from './submit.js';

/** How long a commit record whose transaction never confirmed is kept before it is dropped. */
const IN_FLIGHT_GRACE_MS = 10 * 60_000;

/** Options of {@link connect}. */
export interface ClientOptions extends ConnectionOptions {
  /** Where pending commit-reveal salts are kept. Default: JSON files under `~/.subnetkit/commits`. */
  commitStore?: CommitStore;
  /** Default wait for every submission. Default `inBlock`. */
  waitFor?: WaitFor;
  /** Default inclusion timeout. Default 120 s. */
  inclusionTimeoutMs?: number;
  /** Optional pino logger (debug lines per submission; never secrets). */
  logger?: Logger;
  /**
   * Commit-reveal flavour on subnets with commit-reveal on. `auto` (default) sends timelocked commits
   * (`commit_timelocked_weights`, revealed by the chain) when the runtime has them, v2 hash commits otherwise.
   */
  commitMode?: 'auto' | CommitMode;
  /** Seconds per block for the drand round of timelocked commits. Default: measured from `Timestamp.Now`. */
  blockTimeSeconds?: number;
}

/** A block reference. */
export interface BlockRef {
  number: number;
  hash: string;
}

/** Options of {@link SubtensorClient.setWeights}. */
export interface SetWeightsOptions extends SubmitOptions {
  /** Mechanism id (default 0). */
  mecid?: number;
  /** Check registration, rate limit, version key and payload rules locally first (default true). */
  preflight?: boolean;
}

/** Outcome of setWeights: either set directly or committed for a later reveal. */
export type SetWeightsResult =
  | (TxResult & { mode: 'set'; uids: number[]; values: number[] })
  | (TxResult & {
      mode: 'commit';
      uids: number[];
      values: number[];
      commitHash: string;
      revealAtBlock?: number;
      /** Timelocked commits: the drand round the payload is encrypted to. */
      revealRound?: bigint;
      /** True when an identical timelocked commit of this epoch was found in the store and not re-sent. */
      reused?: boolean;
    });

/** What happened to one pending commit in {@link SubtensorClient.revealDueCommits}. */
export interface RevealOutcome {
  commitHash: string;
  status: 'revealed' | 'waiting' | 'expired' | 'gone';
  /** For `waiting`: the first block of the reveal epoch. */
  revealAtBlock?: number;
  tx?: TxResult;
}

/** A new head, with the tempo position of a subnet when one was asked for. */
export interface BlockEvent extends BlockRef {
  tempo?: TempoPosition;
}

/** Connects to a node (`ws://…`, `local`, `test`, `finney`) and returns a client. */
export async function connect(chain: string, opts: ClientOptions = {}): Promise<SubtensorClient> {
  return new SubtensorClient(await openConnection(chain, opts), opts);
}

/** The subtensor client. Create with {@link connect}; call {@link close} when done. */
export class SubtensorClient {
  readonly api: ApiPromise;
  readonly url: string;
  readonly storage: StorageReader;
  readonly nonces = new NonceManager();
  readonly commitStore: CommitStore;
  readonly #conn: Connection;
  readonly #opts: ClientOptions;

  constructor(conn: Connection, opts: ClientOptions = {}) {
    this.#conn = conn;
    this.#opts = opts;
    this.api = conn.api;
    this.url = conn.url;
    this.storage = new StorageReader(conn.api, conn.send);
    this.commitStore = opts.commitStore ?? new JsonFileCommitStore();
    // Cached nonces are only good for the node they came from: after a reconnect the node may be another
    // one, or the same one restarted from older state (a devnet state file), where a cached nonce would
    // be in the future and the transaction would wait in the pool forever.
    this.api.on('disconnected', () => this.nonces.reset());
  }

  /** Closes the connection (no reconnects afterwards). */
  async close(): Promise<void> {
    await this.#conn.close();
  }

  /** The SS58 prefix the chain reports (42 on subtensor). */
  get ss58Format(): number {
    return this.api.registry.chainSS58 ?? 42;
  }

  #shape?: { spec: number; shape: RuntimeShape };
  /** The connected runtime's shape (legacy spec ≤ 395 or spec 425), re-read after a runtime upgrade. */
  get runtimeShape(): RuntimeShape {
    const spec = this.api.runtimeVersion.specVersion.toNumber();
    if (this.#shape?.spec !== spec)
      this.#shape = { spec, shape: detectRuntimeShape(this.api.runtimeMetadata) };
    return this.#shape.shape;
  }

  /**
   * The block in which `netuid`'s next epoch runs, seen from the best block (or `at`): the legacy tempo rule,
   * or on spec-425 runtimes `LastEpochBlock + tempo` / `PendingEpochAt`. Undefined when tempo is 0.
   */
  async nextEpochBlock(netuid: number, at?: BlockRef): Promise<number | undefined> {
    const ref = at ?? (await this.block());
    const tempo = Number((await this.query('tempo', [netuid], ref))?.toString() ?? 0);
    const schedule = this.runtimeShape.epochSchedule;
    if (schedule === 'legacy') return nextEpochBlock(schedule, { block: ref.number, netuid, tempo });
    const [last, pending] = await Promise.all([
      this.query('lastEpochBlock', [netuid], ref),
      this.query('pendingEpochAt', [netuid], ref),
    ]);
    return nextEpochBlock(schedule, {
      block: ref.number,
      netuid,
      tempo,
      lastEpochBlock: Number(last?.toString() ?? 0),
      pendingEpochAt: Number(pending?.toString() ?? 0),
    });
  }

  get #tx(): TxLike<SubmittableExtrinsic<'promise'>> {
    return this.api.tx as unknown as TxLike<SubmittableExtrinsic<'promise'>>;
  }

  /** The best block, or block `number` when given. */
  async block(number?: number): Promise<BlockRef> {
    if (number === undefined) {
      const header = await this.api.rpc.chain.getHeader();
      return { number: header.number.toNumber(), hash: header.hash.toHex() };
    }
    const hash = await this.api.rpc.chain.getBlockHash(number);
    if (hash.isEmpty || /^0x0+$/.test(hash.toHex())) {
      throw new ChainError(
        'BadInput',
        `block ${number} is not known to ${this.url}; use a block at or below the head`,
      );
    }
    return { number, hash: hash.toHex() };
  }

  async #read(keys: string[], at: string): Promise<(Uint8Array | null)[]> {
    return this.storage.fetchRaw(keys, at);
  }

  /** Reads one storage value (decoded with the runtime's type) at the best block or `at`. */
  async query(item: string, args: unknown[] = [], at?: BlockRef, section = 'subtensorModule') {
    const ref = at ?? (await this.block());
    const [raw] = await this.#read([this.storage.key(item, args, section)], ref.hash);
    return this.storage.decode(item, raw ?? null, section);
  }

  /** True when the subnet exists (NetworksAdded). */
  async subnetExists(netuid: number, at?: BlockRef): Promise<boolean> {
    return (await this.query('networksAdded', [netuid], at))?.toJSON() === true;
  }

  /** A subnet's hyperparameters, read from storage at the best block (or `block`). */
  async hyperparameters(netuid: number, opts: { block?: number } = {}): Promise<Hyperparameters> {
    const at = await this.block(opts.block);
    await this.#requireSubnet(netuid, at);
    const raw = await this.#read(hyperparameterKeys(this.storage, netuid), at.hash);
    return decodeHyperparameters(this.storage, netuid, raw);
  }

  async #requireSubnet(netuid: number, at: BlockRef): Promise<void> {
    if (this.storage.has('networksAdded') && !(await this.subnetExists(netuid, at))) {
      throw new ChainError(
        'BadInput',
        `netuid ${netuid} does not exist on ${this.url}; check --netuid and --chain`,
        {
          chainError: 'SubnetNotExists',
        },
      );
    }
  }

  /** Syncs a subnet's metagraph (batched storage reads; weights/bonds on request). */
  async syncMetagraph(netuid: number, opts: SyncOptions = {}): Promise<Metagraph> {
    const at = await this.block(opts.block);
    await this.#requireSubnet(netuid, at);
    return syncMetagraphAt(this.storage, netuid, at, opts, this.ss58Format);
  }

  /**
   * The inputs of the epoch that ran in block `epochBlock` (read from its parent block's state), for
   * re-running it with @subnetkit/core's `runEpoch` and explaining its outputs.
   */
  async readEpochInputs(
    netuid: number,
    epochBlock: number,
    opts: Omit<EpochInputOptions, 'currentBlock'> = {},
  ): Promise<EpochInput> {
    const at = await this.block(epochBlock - 1);
    await this.#requireSubnet(netuid, at);
    return readEpochInputsAt(this.storage, netuid, at, { ...opts, currentBlock: epochBlock });
  }

  /** The uid of a hotkey on a subnet, or null when it is not registered there. */
  async uidOf(netuid: number, hotkey: string, at?: BlockRef): Promise<number | null> {
    const v = await this.query('uids', [netuid, hotkey], at);
    return v === null ? null : Number(v.toString());
  }

  /** Free balance of an account, in rao. */
  async balance(ss58: string, at?: BlockRef): Promise<bigint> {
    const acct = (await this.query('account', [ss58], at, 'system'))?.toJSON() as {
      data?: { free?: unknown };
    } | null;
    return BigInt(String(acct?.data?.free ?? 0));
  }

  /** A hotkey's total alpha stake on a subnet (TotalHotkeyAlpha), in rao. */
  async hotkeyStake(hotkey: string, netuid: number, at?: BlockRef): Promise<bigint> {
    return BigInt((await this.query('totalHotkeyAlpha', [hotkey, netuid], at))?.toString() ?? '0');
  }

  #submit(
    pair: KeyringPair,
    tx: SubmittableExtrinsic<'promise'>,
    ctx: ErrorContext,
    opts: SubmitOptions = {},
  ) {
    this.#opts.logger?.debug(
      { call: ctx.call, signer: pair.address, netuid: ctx.netuid },
      'submitting extrinsic',
    );
    return signAndSubmit(this.api, this.nonces, pair, tx, ctx, {
      waitFor: opts.waitFor ?? this.#opts.waitFor ?? 'inBlock',
      timeoutMs: opts.timeoutMs ?? this.#opts.inclusionTimeoutMs ?? 120_000,
      url: this.url,
    });
  }

  /**
   * Sets weights for `hotkey` on `netuid`: checks registration, version key, the rate limit and the chain's
   * payload rules (core's checkWeightsAgainstChainRules), then submits `set_weights` and waits. On subnets
   * with commit-reveal enabled it commits instead (salt persisted in the commit store) and
   * {@link revealDueCommits} reveals later.
   *
   * `values` are the u16 weights to send, as they are: the client is the transport and never reshapes
   * weights. Turning scores into them (min-allowed weights, max weight limit, u16 quantisation) is the
   * caller's job, done once: the validator does it (`computeWeights`), a script calls core's
   * processWeightsForNetuid + convertWeightsAndUidsForEmit. See docs/core-weights.md.
   */
  async setWeights(
    hotkey: KeyringPair,
    netuid: number,
    uids: ArrayLike<number>,
    values: ArrayLike<number>,
    versionKey: bigint | number,
    opts: SetWeightsOptions = {},
  ): Promise<SetWeightsResult> {
    const out = { uids: u16List(uids, 'uids'), values: u16List(values, 'values') };
    const at = await this.block();
    const hp = await this.hyperparameters(netuid, { block: at.number });
    const mecid = opts.mecid ?? 0;
    const index = netuidStorageIndex(netuid, mecid);
    const preflight = opts.preflight ?? true;
    const ctx: ErrorContext = {
      call: hp.commitRevealWeightsEnabled ? 'commitWeights' : 'setWeights',
      netuid,
      hotkey: hotkey.address,
      block: at.number,
      rateLimit: hp.weightsSetRateLimit,
      versionKey,
      chainVersionKey: hp.weightsVersionKey,
      minAllowedWeights: hp.minAllowedWeights,
      n: hp.n,
      maxWeightsLimit: hp.maxWeightsLimit,
    };
    if (hp.stakeThreshold !== undefined) ctx.stakeThreshold = hp.stakeThreshold;

    ctx.weightsCount = out.uids.length;

    const uid = await this.uidOf(netuid, hotkey.address, at);
    let last = 0;
    if (uid !== null) {
      ctx.uid = uid;
      // Read even without preflight: a chain-side rate-limit error then still says when to retry.
      const lastUpdate = await this.query('lastUpdate', [index], at);
      last = Number((lastUpdate?.toJSON() as number[] | null)?.[uid] ?? 0);
      if (last !== 0) ctx.lastUpdate = last;
    }
    if (preflight) {
      const fail = (name: string) =>
        new ChainError('Preflight', `${ctx.call} not sent: ${explainChainError(name, ctx)}`, {
          chainError: name,
        });
      if (uid === null) throw fail('HotKeyNotRegisteredInSubNet');
      if (hp.weightsVersionKey !== 0n && BigInt(versionKey) < hp.weightsVersionKey)
        throw fail('IncorrectWeightVersionKey');
      // The extrinsic executes in the next block: it passes when next - last >= limit.
      if (last !== 0 && at.number + 1 - last < hp.weightsSetRateLimit) {
        throw fail(hp.commitRevealWeightsEnabled ? 'CommittingWeightsTooFast' : 'SettingWeightsTooFast');
      }
      const violation = checkWeightsAgainstChainRules({
        uids: out.uids,
        values: out.values,
        n: hp.n,
        minAllowedWeights: hp.minAllowedWeights,
        maxWeightsLimit: hp.maxWeightsLimit,
        selfUid: uid,
      });
      if (violation) throw fail(violation.error);
    }

    if (!hp.commitRevealWeightsEnabled) {
      const tx = buildSetWeights(this.#tx, { netuid, uids: out.uids, values: out.values, versionKey, mecid });
      const r = await this.#submit(hotkey, tx, ctx, opts);
      return { ...r, mode: 'set', ...out };
    }
    if (this.commitMode() === 'timelock') {
      return this.#commitTimelocked(hotkey, netuid, mecid, at, out, versionKey, hp, ctx, opts);
    }
    return this.#commit(hotkey, netuid, index, out, versionKey, hp, ctx, opts);
  }

  /** The commit-reveal flavour this client sends on commit-reveal subnets (see `ClientOptions.commitMode`). */
  commitMode(): CommitMode {
    const m = this.#opts.commitMode ?? 'auto';
    return m === 'auto' ? chooseCommitMode(this.api) : m;
  }

  /**
   * Timelocked commit (CR v3/v4), as the Python SDK makes it: the SCALE `WeightsTlockPayload` encrypted to
   * the drand round of the reveal epoch's 3rd block, with the beacon key and clock of the connected chain.
   * The record goes to the commit store first; an identical commit already made this epoch is not repeated.
   */
  async #commitTimelocked(
    hotkey: KeyringPair,
    netuid: number,
    mecid: number,
    at: BlockRef,
    out: { uids: number[]; values: number[] },
    versionKey: bigint | number,
    hp: Hyperparameters,
    ctx: ErrorContext,
    opts: SubmitOptions,
  ): Promise<SetWeightsResult> {
    ctx.call = 'commitTimelockedWeights';
    const commitEpoch = epochIndex(at.number + 1, netuid, hp.tempo);
    const revealAtBlock = firstBlockOfEpoch(commitEpoch + hp.revealPeriodEpochs, netuid, hp.tempo);
    const same = (await this.commitStore.load(hotkey.address, netuid)).find(
      (c) =>
        c.revealRound !== undefined &&
        c.commitEpoch === commitEpoch &&
        c.versionKey === BigInt(versionKey).toString() &&
        c.uids.join() === out.uids.join() &&
        c.values.join() === out.values.join(),
    );
    // Reuse only a commit this chain really holds: a record from another chain (or one pruned since) is
    // dropped by #timelockedStatus and the weights are committed afresh.
    const onChain =
      same && same.commitBlock > 0 && same.commitBlock <= at.number
        ? (await this.#timelockedStatus(same, hp, at)).status === 'waiting'
        : false;
    if (same && onChain) {
      const block = await this.block(same.commitBlock);
      return {
        blockHash: block.hash,
        blockNumber: block.number,
        txHash: '',
        events: [],
        mode: 'commit',
        ...out,
        commitHash: same.commitHash,
        revealAtBlock,
        revealRound: BigInt(same.revealRound!),
        reused: true,
      };
    }
    const beacon = await readBeaconInfo(this.api, at.hash);
    const blockTime = this.#opts.blockTimeSeconds ?? (await estimateBlockTimeSeconds(this.api, at));
    const { revealRound } = computeRevealRound({
      currentBlock: at.number,
      netuid,
      tempo: hp.tempo,
      revealPeriodEpochs: hp.revealPeriodEpochs,
      blockTimeSeconds: blockTime,
      nowSeconds: Date.now() / 1000,
      genesisTime: beacon.genesisTime,
      period: beacon.period,
    });
    const payload = encodeWeightsTlockPayload({
      hotkey: decodeAddress(hotkey.address),
      uids: out.uids,
      values: out.values,
      versionKey: BigInt(versionKey),
    });
    const commit = timelockEncrypt(payload, revealRound, beacon.publicKey);
    const commitHash = u8aToHex(blake2AsU8a(commit, 256));
    const pending: PendingCommit = {
      netuid,
      hotkey: hotkey.address,
      commitHash,
      ...out,
      salt: [],
      versionKey: BigInt(versionKey).toString(),
      commitBlock: 0,
      savedAt: Date.now(),
      revealRound: revealRound.toString(),
      commitEpoch,
    };
    await this.commitStore.save(pending);
    const version = hp.commitRevealVersion ?? 4;
    let r: TxResult;
    try {
      r = await this.#submit(
        hotkey,
        buildCommitTimelockedWeights(this.#tx, { netuid, mecid, commit, revealRound, version }),
        ctx,
        opts,
      );
    } catch (e) {
      await this.commitStore.delete(commitHash);
      throw e;
    }
    await this.commitStore.save({ ...pending, commitBlock: r.blockNumber });
    return { ...r, mode: 'commit', ...out, commitHash, revealAtBlock, revealRound };
  }

  async #commit(
    hotkey: KeyringPair,
    netuid: number,
    index: number,
    out: { uids: number[]; values: number[] },
    versionKey: bigint | number,
    hp: Hyperparameters,
    ctx: ErrorContext,
    opts: SubmitOptions,
  ): Promise<SetWeightsResult> {
    const salt = randomSalt();
    const commitHash = weightCommitHash({
      hotkeyPublicKey: decodeAddress(hotkey.address),
      netuidIndex: index,
      uids: out.uids,
      values: out.values,
      salt,
      versionKey: BigInt(versionKey),
    });
    const pending: PendingCommit = {
      netuid,
      hotkey: hotkey.address,
      commitHash,
      ...out,
      salt,
      versionKey: BigInt(versionKey).toString(),
      commitBlock: 0,
      savedAt: Date.now(),
    };
    // Persist before sending: a crash after inclusion must still be able to reveal.
    await this.commitStore.save(pending);
    let r: TxResult;
    try {
      r = await this.#submit(hotkey, buildCommitWeights(this.#tx, { netuid, commitHash }), ctx, opts);
    } catch (e) {
      await this.commitStore.delete(commitHash);
      throw e;
    }
    await this.commitStore.save({ ...pending, commitBlock: r.blockNumber });
    const commitEpoch = epochIndex(r.blockNumber, netuid, hp.tempo);
    const revealAtBlock = firstBlockOfEpoch(commitEpoch + hp.revealPeriodEpochs, netuid, hp.tempo);
    return { ...r, mode: 'commit', ...out, commitHash, revealAtBlock };
  }

  /** Reveals one stored commit now (`reveal_weights`), deleting it from the store on success. */
  async revealWeights(
    hotkey: KeyringPair,
    commit: PendingCommit,
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const tx = buildRevealWeights(this.#tx, {
      netuid: commit.netuid,
      uids: commit.uids,
      values: commit.values,
      salt: commit.salt,
      versionKey: BigInt(commit.versionKey),
    });
    const r = await this.#submit(
      hotkey,
      tx,
      { call: 'revealWeights', netuid: commit.netuid, hotkey: hotkey.address },
      opts,
    );
    await this.commitStore.delete(commit.commitHash);
    return r;
  }

  /**
   * Reveals every stored commit of `hotkey` on `netuid` whose reveal epoch has come; reports the others
   * (waiting, or expired/gone and dropped from the store). Call it every block or every few blocks.
   */
  async revealDueCommits(
    hotkey: KeyringPair,
    netuid: number,
    opts: SubmitOptions = {},
  ): Promise<RevealOutcome[]> {
    const pending = await this.commitStore.load(hotkey.address, netuid);
    if (pending.length === 0) return [];
    const at = await this.block();
    const hp = await this.hyperparameters(netuid, { block: at.number });
    const onChain = (await this.query('weightCommits', [netuid, hotkey.address], at))?.toJSON() as
      | [string, number, number, number][]
      | null;
    const next = at.number + 1;
    const current = this.storage.has('subnetEpochIndex')
      ? Number((await this.query('subnetEpochIndex', [netuid], at))?.toString() ?? 0)
      : epochIndex(next, netuid, hp.tempo);
    const outcomes: RevealOutcome[] = [];
    for (const c of pending) {
      if (c.revealRound !== undefined) {
        outcomes.push(await this.#timelockedStatus(c, hp, at));
        continue;
      }
      const entry = onChain?.find(([h]) => h.toLowerCase() === c.commitHash.toLowerCase());
      if (!entry) {
        // Not (or no longer) on chain: revealed elsewhere, expired and pruned, or never included.
        // A record still marked in flight may belong to a submission in progress: keep it for a while.
        const inFlight = c.commitBlock === 0 && Date.now() - (c.savedAt ?? 0) < IN_FLIGHT_GRACE_MS;
        if (!inFlight && c.commitBlock <= at.number) await this.commitStore.delete(c.commitHash);
        outcomes.push({ commitHash: c.commitHash, status: 'gone' });
        continue;
      }
      const timing = commitTiming(entry, next, {
        netuid,
        tempo: hp.tempo,
        revealPeriodEpochs: hp.revealPeriodEpochs,
        currentEpoch: current,
      });
      if (timing.status === 'waiting') {
        outcomes.push({ commitHash: c.commitHash, status: 'waiting', revealAtBlock: timing.revealAtBlock });
      } else if (timing.status === 'expired') {
        await this.commitStore.delete(c.commitHash);
        outcomes.push({ commitHash: c.commitHash, status: 'expired' });
      } else {
        try {
          outcomes.push({
            commitHash: c.commitHash,
            status: 'revealed',
            tx: await this.revealWeights(hotkey, c, opts),
          });
        } catch (e) {
          if (e instanceof ChainError && e.chainError === 'RevealTooEarly') {
            outcomes.push({ commitHash: c.commitHash, status: 'waiting' });
          } else throw e;
        }
      }
    }
    return outcomes;
  }

  /**
   * A timelocked commit is revealed by the chain: while it is in `TimelockedWeightCommits` it is `waiting`
   * (an in-flight record found there gets its block); once gone from there the chain has applied or dropped
   * it, and the record is removed (`gone`).
   */
  async #timelockedStatus(c: PendingCommit, hp: Hyperparameters, at: BlockRef): Promise<RevealOutcome> {
    const epoch = c.commitEpoch ?? epochIndex(c.commitBlock, c.netuid, hp.tempo);
    const entries = ((await this.query('timelockedWeightCommits', [c.netuid, epoch], at))?.toJSON() ??
      []) as [string, number, string, number][];
    const found = entries.find(
      ([, , ct]) => u8aToHex(blake2AsU8a(hexToU8a(ct), 256)) === c.commitHash.toLowerCase(),
    );
    const revealAtBlock = firstBlockOfEpoch(epoch + hp.revealPeriodEpochs, c.netuid, hp.tempo);
    if (found) {
      if (c.commitBlock === 0) await this.commitStore.save({ ...c, commitBlock: Number(found[1]) });
      return { commitHash: c.commitHash, status: 'waiting', revealAtBlock };
    }
    const inFlight = c.commitBlock === 0 && Date.now() - (c.savedAt ?? 0) < IN_FLIGHT_GRACE_MS;
    if (!inFlight) await this.commitStore.delete(c.commitHash);
    return { commitHash: c.commitHash, status: 'gone' };
  }

  /** Publishes the hotkey's axon (`serve_axon`). IPv4/IPv6 text is encoded as subtensor expects. */
  async serveAxon(
    hotkey: KeyringPair,
    a: { netuid: number; ip: string; port: number; version?: number; protocol?: number },
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const { ip, ipType } = badInput(() => encodeIp(a.ip));
    if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) {
      throw new ChainError('BadInput', `invalid axon port ${a.port}: use 1-65535`);
    }
    const tx = buildServeAxon(this.#tx, {
      netuid: a.netuid,
      version: a.version ?? 0,
      ip,
      port: a.port,
      ipType,
      protocol: a.protocol ?? 4,
    });
    return this.#submit(hotkey, tx, { call: 'serveAxon', netuid: a.netuid, hotkey: hotkey.address }, opts);
  }

  /**
   * Commits `data` (at most 512 bytes, e.g. a content hash) for the hotkey on `netuid`
   * (`Commitments.set_commitment`, fee-free, signed by the hotkey). The chain allows `MaxSpace` bytes per
   * hotkey per tempo epoch (each commitment counts at least 100); going over fails with
   * `SpaceLimitExceeded`, whose message names the block to retry at.
   */
  async setCommitment(
    hotkey: KeyringPair,
    netuid: number,
    data: Uint8Array,
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const tx = buildSetCommitment(this.#tx, { netuid, fields: [commitmentField(data)] });
    const ctx: ErrorContext = { call: 'setCommitment', netuid, hotkey: hotkey.address };
    try {
      return await this.#submit(hotkey, tx, ctx, opts);
    } catch (e) {
      if (!(e instanceof ChainError) || e.chainError !== 'SpaceLimitExceeded') throw e;
      // Name the block at which the space resets (the subnet's next epoch) and the limit.
      const ref = await this.block();
      const [next, max] = await Promise.all([
        this.nextEpochBlock(netuid, ref),
        this.query('maxSpace', [], ref, 'commitments'),
      ]);
      const full: ErrorContext = { ...ctx, block: ref.number, maxSpace: Number(max?.toString() ?? 0) };
      if (next !== undefined) full.nextEpochBlock = next;
      throw new ChainError(
        'Dispatch',
        `setCommitment failed: ${explainChainError('SpaceLimitExceeded', full)}`,
        {
          chainError: 'SpaceLimitExceeded',
          section: e.section,
          cause: e,
        },
      );
    }
  }

  /** Every hotkey's commitment on `netuid` at the best block (or `block`), oldest commitment first. */
  async commitments(netuid: number, opts: { block?: number } = {}): Promise<CommitmentRecord[]> {
    const at = await this.block(opts.block);
    await this.#requireSubnet(netuid, at);
    return readCommitmentsAt(this.storage, netuid, at.hash, this.ss58Format);
  }

  /** Registers `hotkey` on `netuid` by burning TAO from `coldkey`. Returns the new uid. */
  async burnedRegister(
    coldkey: KeyringPair,
    netuid: number,
    hotkey: string,
    opts: SubmitOptions = {},
  ): Promise<TxResult & { uid: number }> {
    const tx = buildBurnedRegister(this.#tx, { netuid, hotkey });
    const r = await this.#submit(
      coldkey,
      tx,
      { call: 'burnedRegister', netuid, hotkey, coldkey: coldkey.address },
      opts,
    );
    const ev = r.events.find(
      (e) => e.event.section === 'subtensorModule' && e.event.method === 'NeuronRegistered',
    );
    const uid = ev ? Number(ev.event.data[1]?.toString()) : await this.uidOf(netuid, hotkey);
    if (uid === null || Number.isNaN(uid)) {
      throw new ChainError(
        'Dispatch',
        `burnedRegister was included but ${hotkey} has no uid on netuid ${netuid}`,
      );
    }
    return { ...r, uid };
  }

  /** Creates a subnet owned by `coldkey` with `hotkey` as owner hotkey. Returns the new netuid. */
  async registerNetwork(
    coldkey: KeyringPair,
    hotkey: string,
    opts: SubmitOptions = {},
  ): Promise<TxResult & { netuid: number }> {
    const tx = buildRegisterNetwork(this.#tx, { hotkey });
    const r = await this.#submit(
      coldkey,
      tx,
      { call: 'registerNetwork', hotkey, coldkey: coldkey.address },
      opts,
    );
    const ev = r.events.find(
      (e) => e.event.section === 'subtensorModule' && e.event.method === 'NetworkAdded',
    );
    if (!ev)
      throw new ChainError('Dispatch', 'registerNetwork was included but emitted no NetworkAdded event');
    return { ...r, netuid: Number(ev.event.data[0]?.toString()) };
  }

  /** The subnet owner starts emissions and staking on a new subnet (`start_call`). */
  async startCall(coldkey: KeyringPair, netuid: number, opts: SubmitOptions = {}): Promise<TxResult> {
    return this.#submit(coldkey, buildStartCall(this.#tx, { netuid }), { call: 'startCall', netuid }, opts);
  }

  /** Stakes `amountRao` TAO from `coldkey` to `hotkey` on `netuid`. */
  async addStake(
    coldkey: KeyringPair,
    hotkey: string,
    netuid: number,
    amountRao: bigint,
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const tx = buildAddStake(this.#tx, { hotkey, netuid, amountRao });
    return this.#submit(coldkey, tx, { call: 'addStake', netuid, hotkey, coldkey: coldkey.address }, opts);
  }

  /** Unstakes `amountRao` alpha of `coldkey` from `hotkey` on `netuid`. */
  async removeStake(
    coldkey: KeyringPair,
    hotkey: string,
    netuid: number,
    amountRao: bigint,
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const tx = buildRemoveStake(this.#tx, { hotkey, netuid, amountRao });
    return this.#submit(coldkey, tx, { call: 'removeStake', netuid, hotkey, coldkey: coldkey.address }, opts);
  }

  /** Transfers `amountRao` TAO (keep-alive by default, as btcli). */
  async transfer(
    from: KeyringPair,
    dest: string,
    amountRao: bigint,
    opts: SubmitOptions & { keepAlive?: boolean } = {},
  ): Promise<TxResult> {
    const tx = buildTransfer(this.#tx, {
      dest,
      amountRao,
      ...(opts.keepAlive === undefined ? {} : { keepAlive: opts.keepAlive }),
    });
    return this.#submit(from, tx, { call: 'transfer', coldkey: from.address }, opts);
  }

  /**
   * Runs an AdminUtils call through `Sudo.sudo` (local chains: the sudo key is //Alice). A failure of the
   * wrapped call is raised like any dispatch error.
   */
  async sudo(
    sudoKey: KeyringPair,
    method: string,
    args: unknown[],
    opts: SubmitOptions = {},
  ): Promise<TxResult> {
    const inner = buildAdminUtils(this.#tx, method, args);
    const n = typeof args[0] === 'number' ? { netuid: args[0] } : {};
    return this.#submit(sudoKey, buildSudo(this.#tx, inner), { call: `sudo(${method})`, ...n }, opts);
  }

  /**
   * Calls `onBlock` for every new head; with `netuid`, each event carries the subnet's tempo position.
   * Returns the unsubscribe function.
   */
  async subscribeBlocks(
    onBlock: (b: BlockEvent) => void,
    opts: { netuid?: number } = {},
  ): Promise<() => void> {
    let tempo: number | undefined;
    if (opts.netuid !== undefined) tempo = (await this.hyperparameters(opts.netuid)).tempo;
    const netuid = opts.netuid;
    return this.api.rpc.chain.subscribeNewHeads((h) => {
      const b: BlockEvent = { number: h.number.toNumber(), hash: h.hash.toHex() };
      if (netuid !== undefined && tempo !== undefined) b.tempo = tempoPosition(b.number, netuid, tempo);
      onBlock(b);
    });
  }
}

/** Runs a core chain-fact conversion, reporting a bad value as this client's `ChainError('BadInput')`. */
function badInput<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChainValueError) throw new ChainError('BadInput', e.message, { cause: e });
    throw e;
  }
}

/** Copies a list of u16 integers, or names the first value that is not one and how to get u16 weights. */
function u16List(xs: ArrayLike<number>, what: 'uids' | 'values'): number[] {
  const out = Array.from(xs);
  const i = out.findIndex((x) => !Number.isInteger(x) || x < 0 || x > U16_MAX);
  if (i >= 0) {
    const fix =
      what === 'values'
        ? 'setWeights sends u16 weight values as given; turn scores into them with processWeightsForNetuid ' +
          'and convertWeightsAndUidsForEmit from @subnetkit/core'
        : 'a uid is an integer in [0, 65535]';
    throw new ChainError('BadInput', `${what}[${i}] is ${String(out[i])}: ${fix}`);
  }
  return out;
}
