/**
 * Turning chain failures into messages that name the cause and the fix. Pure: dispatch errors are decoded
 * by the caller (`api.registry.findMetaError`) and passed here by name, with whatever context is known.
 */
import { fixCommand, u16ToFloat } from '@subnetkit/core';

/** Broad kinds of chain failure. */
export type ChainErrorCode =
  | 'ConnectionFailed'
  | 'Timeout'
  | 'CallUnavailable'
  | 'StorageUnavailable'
  | 'Dispatch'
  | 'PoolRejected'
  | 'Preflight'
  | 'BadInput';

/**
 * Whether the same call can succeed later: `permanent` needs a person to act first (register, stake, fund,
 * upgrade, fix the input or the key); `rate_limited` passes once a chain limit or window has passed;
 * `transient` may pass on a plain retry (connection trouble, an unknown or state-dependent rejection).
 */
export type ChainErrorRetry = 'permanent' | 'rate_limited' | 'transient';

/** Runtime/pool error names whose retry class is not `transient`; kept beside {@link explainChainError}. */
const RETRY_BY_NAME: Readonly<Record<string, Exclude<ChainErrorRetry, 'transient'>>> = {
  // Rate limits and windows: wait, then the same call passes.
  SettingWeightsTooFast: 'rate_limited',
  CommittingWeightsTooFast: 'rate_limited',
  RateLimitExceeded: 'rate_limited',
  ServingRateLimitExceeded: 'rate_limited',
  NetworkTxRateLimitExceeded: 'rate_limited',
  TooManyUnrevealedCommits: 'rate_limited',
  TooManyRegistrationsThisBlock: 'rate_limited',
  TooManyRegistrationsThisInterval: 'rate_limited',
  RevealTooEarly: 'rate_limited',
  AdminActionProhibitedDuringWeightsWindow: 'rate_limited',
  NonceConflict: 'rate_limited',
  SpaceLimitExceeded: 'rate_limited',
  StaleMortality: 'rate_limited',
  // A person must act first (see each message in explainChainError for what).
  HotKeyNotRegisteredInSubNet: 'permanent',
  HotKeyNotRegisteredInNetwork: 'permanent',
  HotKeyAccountNotExists: 'permanent',
  NeuronNoValidatorPermit: 'permanent',
  NotEnoughStakeToSetWeights: 'permanent',
  IncorrectWeightVersionKey: 'permanent',
  CanNotSetRootNetworkWeights: 'permanent',
  SubnetNotExists: 'permanent',
  SubnetDoesNotExist: 'permanent',
  SubNetworkDoesNotExist: 'permanent',
  MechanismDoesNotExist: 'permanent',
  SubtokenDisabled: 'permanent',
  NotEnoughBalanceToStake: 'permanent',
  BalanceTooLow: 'permanent',
  InsufficientBalance: 'permanent',
  FundsUnavailable: 'permanent',
  CannotAffordLockCost: 'permanent',
  NonAssociatedColdKey: 'permanent',
  IncorrectCommitRevealVersion: 'permanent',
  BadOrigin: 'permanent',
  NotSubnetOwner: 'permanent',
  BadSignature: 'permanent',
  AccountNotAllowedCommit: 'permanent',
  TooManyFieldsInCommitmentInfo: 'permanent',
};

/** Retry class of a failure from its {@link ChainErrorCode} and, when known, the runtime error name. */
export function chainErrorRetry(code: ChainErrorCode, name?: string): ChainErrorRetry {
  if (code === 'ConnectionFailed' || code === 'Timeout') return 'transient';
  if (code === 'BadInput' || code === 'CallUnavailable' || code === 'StorageUnavailable') return 'permanent';
  return (name === undefined ? undefined : RETRY_BY_NAME[name]) ?? 'transient';
}

/**
 * A chain failure: `chainError` holds the runtime's error name (e.g. `SettingWeightsTooFast`) when known;
 * `retry` says whether trying again can help ({@link chainErrorRetry}), `retryable` is its boolean form.
 */
export class ChainError extends Error {
  readonly code: ChainErrorCode;
  readonly chainError: string | undefined;
  readonly section: string | undefined;
  readonly retry: ChainErrorRetry;
  constructor(
    code: ChainErrorCode,
    message: string,
    extra: { chainError?: string; section?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ChainError';
    this.code = code;
    this.chainError = extra.chainError;
    this.section = extra.section;
    this.retry = chainErrorRetry(code, extra.chainError);
  }

  /** False when a person must act before the same call can succeed. */
  get retryable(): boolean {
    return this.retry !== 'permanent';
  }
}

/** What the client knew when a call failed; every field optional, used to make messages concrete. */
export interface ErrorContext {
  call?: string;
  netuid?: number;
  hotkey?: string;
  coldkey?: string;
  uid?: number;
  block?: number;
  lastUpdate?: number;
  rateLimit?: number;
  versionKey?: bigint | number;
  chainVersionKey?: bigint | number;
  weightsCount?: number;
  minAllowedWeights?: number;
  n?: number;
  maxWeightsLimit?: number;
  stakeThreshold?: bigint;
  servingRateLimit?: number;
  /** Commitments: `MaxSpace` and the first block of the subnet's next epoch (when the space resets). */
  maxSpace?: number;
  nextEpochBlock?: number;
}

/** `Invalid Transaction: Custom error: N` codes from SubtensorTransactionExtension (protocol facts 2.0). */
export const SUBTENSOR_CUSTOM_ERRORS: Readonly<Record<number, string>> = {
  1: 'NotEnoughStakeToSetWeights',
  2: 'BalanceTooLow',
  3: 'SubnetNotExists',
  4: 'HotKeyAccountNotExists',
  5: 'NotEnoughStakeToWithdraw',
  6: 'RateLimitExceeded',
  7: 'InsufficientLiquidity',
  8: 'SlippageTooHigh',
  9: 'TransferDisallowed',
  10: 'HotKeyNotRegisteredInNetwork',
  11: 'InvalidIpAddress',
  12: 'ServingRateLimitExceeded',
  13: 'InvalidPort',
  14: 'ZeroMaxStakeAmount',
  15: 'InvalidRevealRound',
  16: 'NoWeightsCommitFound',
  17: 'CommitBlockNotInRevealRange',
  18: 'InputLengthsUnequal',
  19: 'HotKeyNotRegisteredInSubNet',
  20: 'EvmKeyAssociateRateLimitExceeded',
  21: 'ColdkeySwapDisputed',
  22: 'InvalidRealAccount',
  23: 'FailedShieldedTxParsing',
  24: 'InvalidShieldedTxPubKeyHash',
  25: 'NonAssociatedColdKey',
  26: 'DelegateTakeTooLow',
  27: 'DelegateTakeTooHigh',
  255: 'BadRequest',
};

const on = (c: ErrorContext) => (c.netuid === undefined ? 'the subnet' : `netuid ${c.netuid}`);
const hk = (c: ErrorContext) => (c.hotkey ? `hotkey ${c.hotkey}` : 'the hotkey');
const ck = (c: ErrorContext) => (c.coldkey ? `coldkey ${c.coldkey}` : 'the coldkey');
const n = (c: ErrorContext) => (c.netuid === undefined ? '<netuid>' : String(c.netuid));
// How to get TAO onto a coldkey: from another wallet, or from the devnet faucet.
const fundHint = (c: ErrorContext) => {
  const dest = c.coldkey ?? '<ss58>';
  return `\`${fixCommand('wallet transfer', { '--dest': dest, '--amount': '<tao>' })}\` from a funded wallet, or on a devnet \`${fixCommand('devnet fund', {}, [dest])}\``;
};

function rateLimitText(c: ErrorContext, what: string): string {
  const limit = c.rateLimit === undefined ? '' : ` every ${c.rateLimit} blocks`;
  if (c.lastUpdate !== undefined && c.rateLimit !== undefined) {
    const retry = c.lastUpdate + c.rateLimit;
    const now = c.block === undefined ? '' : ` (now ${c.block})`;
    return (
      `${on(c)} allows ${what}${limit}; last update was at block ${c.lastUpdate}, ` +
      `retry at block ${retry} or later${now}`
    );
  }
  return `${on(c)} allows ${what}${limit}; wait for the rate limit to pass and retry`;
}

/** Cause + fix for a runtime error name (SubtensorModule, Balances, or a pool custom error). */
export function explainChainError(name: string, c: ErrorContext = {}): string {
  switch (name) {
    case 'SettingWeightsTooFast':
    case 'RateLimitExceeded':
      if (c.call === 'serveAxon') return explainChainError('ServingRateLimitExceeded', c);
      return `weights set too fast: ${rateLimitText(c, 'weights')}`;
    case 'CommittingWeightsTooFast':
      return `weight commits too fast: ${rateLimitText(c, 'weight commits')}`;
    case 'HotKeyNotRegisteredInSubNet':
    case 'HotKeyNotRegisteredInNetwork':
      return (
        `${hk(c)} is not registered on ${on(c)}; register it first ` +
        `(\`${fixCommand('subnet register', { '--netuid': n(c) })}\`) or use a registered hotkey`
      );
    case 'IncorrectWeightVersionKey': {
      const need = c.chainVersionKey === undefined ? '' : ` (the chain requires >= ${c.chainVersionKey})`;
      const got = c.versionKey === undefined ? '' : ` ${c.versionKey}`;
      return (
        `weights version key${got} is too old for ${on(c)}${need}; update the validator to the subnet's ` +
        'current release, or pass the version key the subnet owner set'
      );
    }
    case 'WeightVecLengthIsLow': {
      const need =
        c.minAllowedWeights === undefined
          ? ''
          : ` at least ${c.n === undefined ? c.minAllowedWeights : Math.min(c.n, c.minAllowedWeights)}`;
      const got = c.weightsCount === undefined ? '' : ` (got ${c.weightsCount})`;
      return (
        `too few weights for ${on(c)}: the chain requires${need} non-self entries${got}; ` +
        'score more miners, or let processWeightsForNetuid fill in the minimum'
      );
    }
    case 'NotEnoughStakeToSetWeights': {
      const t = c.stakeThreshold === undefined ? '' : ` (threshold ${c.stakeThreshold} rao)`;
      return `${hk(c)} has too little stake to set weights on ${on(c)}${t}; add stake to it (\`${fixCommand('stake add', { '--netuid': n(c), '--amount': '<tao>' })}\`)`;
    }
    case 'NeuronNoValidatorPermit':
      return (
        `${hk(c)} has no validator permit on ${on(c)}; only the top-stake validators may set weights on others ` +
        '(add stake and wait for the next epoch)'
      );
    case 'CommitRevealEnabled':
      return `${on(c)} has commit-reveal enabled, so set_weights is refused; commit the weights and reveal them later`;
    case 'CommitRevealDisabled':
      return `${on(c)} has commit-reveal disabled; call set_weights directly instead of committing`;
    case 'MaxWeightExceeded': {
      const lim =
        c.maxWeightsLimit === undefined ? '' : ` (limit ${u16ToFloat(c.maxWeightsLimit).toFixed(4)})`;
      return `one weight exceeds ${on(c)}'s max weight limit${lim}; normalise with normalizeMaxWeight before sending`;
    }
    case 'DuplicateUids':
      return 'the weights list a uid more than once; merge duplicate uids before sending';
    case 'UidVecContainInvalidOne':
    case 'UidsLengthExceedUidsInSubNet':
      return `the weights name uids that do not exist on ${on(c)}; re-sync the metagraph and drop unknown uids`;
    case 'WeightVecNotEqualSize':
    case 'InputLengthsUnequal':
      return 'uids and weights differ in length; pass one weight per uid';
    case 'CanNotSetRootNetworkWeights':
      return 'weights cannot be set on the root network (netuid 0); use a subnet netuid';
    case 'SubnetNotExists':
    case 'SubnetDoesNotExist':
    case 'SubNetworkDoesNotExist':
      return `${on(c)} does not exist on this chain; check --netuid and --chain`;
    case 'MechanismDoesNotExist':
      return `the mechanism does not exist on ${on(c)}; use mecid 0`;
    case 'ServingRateLimitExceeded': {
      const lim = c.servingRateLimit === undefined ? '' : ` (every ${c.servingRateLimit} blocks)`;
      return `axon served too often on ${on(c)}${lim}; the axon info is already on chain, retry later if it changed`;
    }
    case 'InvalidIpAddress':
      return 'the axon IP is not routable (0.0.0.0/127.0.0.1/255.255.255.255 are refused); pass the public IP';
    case 'InvalidIpType':
      return 'the axon IP type must be 4 or 6';
    case 'InvalidPort':
      return 'the axon port must be between 1 and 65535';
    case 'HotKeyAlreadyRegisteredInSubNet':
      return `${hk(c)} is already registered on ${on(c)}; nothing to do`;
    case 'NotEnoughBalanceToStake':
    case 'BalanceTooLow':
    case 'InsufficientBalance':
    case 'FundsUnavailable':
      return `${ck(c)} has too little free balance for this call (amount plus fees); transfer TAO to it first (${fundHint(c)})`;
    case 'NonAssociatedColdKey':
      return `${hk(c)} is owned by another coldkey; use that coldkey or a fresh hotkey`;
    case 'SubtokenDisabled':
      return `${on(c)} has not been started yet; its owner must run start_call (\`${fixCommand('subnet start', { '--netuid': n(c) })}\`)`;
    case 'AmountTooLow':
      return 'the stake amount is below the minimum (about 0.002 TAO plus the swap fee); stake more';
    case 'NotEnoughStakeToWithdraw':
      return `${hk(c)} has less stake from ${ck(c)} on ${on(c)} than requested; unstake a smaller amount`;
    case 'HotKeyAccountNotExists':
      return `${hk(c)} is not registered anywhere; register it on a subnet before staking to it`;
    case 'CannotAffordLockCost':
      return `${ck(c)} cannot pay the subnet lock cost; fund the coldkey (${fundHint(c)})`;
    case 'NetworkTxRateLimitExceeded':
      return `${ck(c)} registered a subnet too recently; wait for the network rate limit to pass`;
    case 'SubNetRegistrationDisabled':
      return `registration is disabled on ${on(c)}; ask the subnet owner or try later`;
    case 'NoNeuronIdAvailable':
      return `${on(c)} is full and no neuron can be pruned yet; try again after the immunity period`;
    case 'TooManyRegistrationsThisBlock':
    case 'TooManyRegistrationsThisInterval':
      return `${on(c)} hit its registration limit; retry in a later block`;
    case 'TooManyUnrevealedCommits':
      return `${hk(c)} has 10 unrevealed commits on ${on(c)}; reveal (or let expire) older commits first`;
    case 'NoWeightsCommitFound':
      return `no weight commit of ${hk(c)} is pending on ${on(c)}; commit weights before revealing`;
    case 'InvalidRevealCommitHashNotMatch':
      return 'the revealed weights/salt/version key do not hash to any pending commit; reveal exactly what was committed';
    case 'ExpiredWeightCommit':
      return `the weight commit on ${on(c)} expired (its reveal epoch passed); commit again`;
    case 'RevealTooEarly':
      return `the reveal on ${on(c)} is too early; wait for the commit's reveal epoch`;
    case 'IncorrectCommitRevealVersion':
      return 'the commit-reveal version does not match the chain; upgrade subnetkit';
    case 'AdminActionProhibitedDuringWeightsWindow':
      return 'hyperparameter changes are frozen near the epoch boundary; retry after the next epoch starts';
    case 'SpaceLimitExceeded': {
      const max =
        c.maxSpace === undefined ? '' : ` (MaxSpace ${c.maxSpace}; each commitment counts at least 100)`;
      const retry =
        c.nextEpochBlock === undefined
          ? 'retry after the next epoch starts'
          : `retry at block ${c.nextEpochBlock} (the next epoch) or later${c.block === undefined ? '' : ` (now ${c.block})`}`;
      return `commitment rate limit: ${hk(c)} has used its commitment space on ${on(c)} for this tempo epoch${max}; ${retry}`;
    }
    case 'AccountNotAllowedCommit':
      return (
        `${hk(c)} may not commit on ${on(c)}: only hotkeys registered there can; register it first ` +
        `(\`${fixCommand('subnet register', { '--netuid': n(c) })}\`) or sign with a registered hotkey`
      );
    case 'TooManyFieldsInCommitmentInfo':
      return 'a commitment holds at most 3 fields; commit fewer fields (e.g. one hash of all the data)';
    case 'BadOrigin':
      return 'the call was signed by the wrong key (e.g. a hotkey where the coldkey or sudo key is required)';
    case 'NotSubnetOwner':
      return `the signer does not own ${on(c)}; sign with the subnet owner's coldkey`;
    default:
      return `the chain rejected the call with ${name}`;
  }
}

/** Parses the text of a pool (RPC 1010/1014) rejection into a ChainError with cause and fix. */
export function poolErrorToChainError(err: unknown, c: ErrorContext = {}): ChainError {
  const text = err instanceof Error ? err.message : String(err);
  const custom = /Custom error:\s*(\d+)/i.exec(text);
  if (custom) {
    const code = Number(custom[1]);
    const name = SUBTENSOR_CUSTOM_ERRORS[code] ?? `CustomError${code}`;
    return new ChainError(
      'PoolRejected',
      `${c.call ?? 'transaction'} rejected: ${explainChainError(name, c)}`,
      {
        chainError: name,
        cause: err,
      },
    );
  }
  const known: [RegExp, string, string][] = [
    [/Inability to pay some fees|Payment/i, 'InsufficientBalance', ''],
    [/outdated|Priority is too low|1014/i, 'NonceConflict', ''],
    [/bad signature|BadProof/i, 'BadSignature', ''],
    [/AncientBirthBlock|ancient birth/i, 'StaleMortality', ''],
  ];
  for (const [re, name] of known) {
    if (re.test(text)) {
      const msg =
        name === 'NonceConflict'
          ? 'another transaction from the same key used this nonce; the client resyncs its nonce, retry'
          : name === 'BadSignature'
            ? 'the chain refused the signature; check that --chain points at the intended network (genesis/spec mismatch)'
            : name === 'StaleMortality'
              ? 'the transaction era is too old; retry'
              : explainChainError(name, c);
      return new ChainError('PoolRejected', `${c.call ?? 'transaction'} rejected: ${msg}`, {
        chainError: name,
        cause: err,
      });
    }
  }
  return new ChainError('PoolRejected', `${c.call ?? 'transaction'} rejected by the node: ${text}`, {
    cause: err,
  });
}
