/**
 * Sorting chain failures into kinds (for metrics and retry decisions) from their messages, which
 * carry subtensor's error names (`SettingWeightsTooFast`, `NeuronNoValidatorPermit`, ...).
 */

/** Kinds of chain error the validator counts. */
export type ChainErrorKind = 'connection' | 'rate_limited' | 'rejected' | 'other';

/** Subtensor errors that another attempt cannot fix without a human (register, stake, upgrade). */
const PERMANENT = [
  'HotKeyNotRegisteredInSubNet',
  'HotKeyNotRegisteredInNetwork',
  'NeuronNoValidatorPermit',
  'NotEnoughStakeToSetWeights',
  'IncorrectWeightVersionKey',
  'CanNotSetRootNetworkWeights',
  'SubNetworkDoesNotExist',
  'MechanismDoesNotExist',
];

/** Rejections that can pass on a later attempt. */
const RATE_LIMITED = [
  'SettingWeightsTooFast',
  'CommittingWeightsTooFast',
  'TooManyUnrevealedCommits',
  'Priority is too low',
];

const CONNECTION =
  /(disconnect|not connected|connection|socket|ECONNREFUSED|ECONNRESET|WebSocket|timed? ?out|No response received|abnormal closure)/i;

/** Classify an error thrown by `ValidatorChain`. */
export function classifyChainError(err: unknown): {
  kind: ChainErrorKind;
  permanent: boolean;
  message: string;
} {
  const base = err instanceof Error ? err.message : String(err);
  // @subnetkit/chain's ChainError carries the runtime error name and a code next to a prose message.
  const e = (err ?? {}) as { chainError?: unknown; code?: unknown };
  const name = typeof e.chainError === 'string' ? e.chainError : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'ConnectionFailed' || code === 'Timeout') {
    return { kind: 'connection', permanent: false, message: base };
  }
  const message = name && !base.includes(name) ? `${name}: ${base}` : base;
  if (PERMANENT.some((name) => message.includes(name))) return { kind: 'rejected', permanent: true, message };
  if (RATE_LIMITED.some((name) => message.includes(name)))
    return { kind: 'rate_limited', permanent: false, message };
  if (CONNECTION.test(message)) return { kind: 'connection', permanent: false, message };
  return { kind: 'other', permanent: false, message };
}
