/**
 * Sorting chain failures into kinds for metrics and retry decisions. The retry class comes from
 * `@subnetkit/chain` (`ChainError.retry`, kept beside `explainChainError`): the validator does not
 * match error names itself.
 */
import { ChainError } from '@subnetkit/chain';

/** Kinds of chain error the validator counts. */
export type ChainErrorKind = 'connection' | 'rate_limited' | 'rejected' | 'other';

const CONNECTION =
  /(disconnect|not connected|connection|socket|ECONNREFUSED|ECONNRESET|WebSocket|timed? ?out|No response received|abnormal closure)/i;

/** Transport trouble shows in the text of a transient failure (a node dropping the socket mid-submit). */
function connectionKind(message: string): 'connection' | 'other' {
  return CONNECTION.test(message) ? 'connection' : 'other';
}

/**
 * Classify an error thrown by `ValidatorChain`: a `ChainError` by its code and retry class; a transient
 * failure (a `ChainError` or any other error) counts as `connection` when its message says so.
 */
export function classifyChainError(err: unknown): {
  kind: ChainErrorKind;
  permanent: boolean;
  message: string;
} {
  const base = err instanceof Error ? err.message : String(err);
  if (err instanceof ChainError) {
    const name = err.chainError;
    const message = name && !base.includes(name) ? `${name}: ${base}` : base;
    if (err.code === 'ConnectionFailed' || err.code === 'Timeout') {
      return { kind: 'connection', permanent: false, message };
    }
    if (err.retry === 'permanent') return { kind: 'rejected', permanent: true, message };
    if (err.retry === 'rate_limited') return { kind: 'rate_limited', permanent: false, message };
    return { kind: connectionKind(message), permanent: false, message };
  }
  return { kind: connectionKind(base), permanent: false, message: base };
}
