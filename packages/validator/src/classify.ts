/**
 * How a query ended, decided from what the dendrite saw: pure functions so every branch is
 * tested without sockets.
 */
import type { QueryOutcome } from '@subnetkit/core';

/** Error codes that mean "too slow" rather than "unreachable". */
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

/** The error code of an undici/Node network error, looking through `cause`. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A request that threw before a response arrived: `timeout` when our deadline fired or the
 * transport reports a timeout, otherwise `refused` (connection refused or reset, host
 * unreachable, socket closed).
 */
export function classifyNetworkError(
  err: unknown,
  deadlinePassed: boolean,
): { outcome: QueryOutcome; error: string } {
  const code = errorCode(err);
  if (deadlinePassed) return { outcome: 'timeout', error: 'no complete response before the timeout' };
  if (code && TIMEOUT_CODES.has(code)) return { outcome: 'timeout', error: code };
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: 'refused', error: code ? `${code}: ${message}` : message };
}

/** The axon's own explanation of a non-2xx answer: `message`/`error` of a JSON body, or the text. */
export function axonMessage(bodyText: string, max = 300): string {
  const text = bodyText.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const msg = o.message ?? o.error;
      if (typeof msg === 'string') return msg.slice(0, max);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, max);
}

/** Decides the outcome of a response that arrived: `http_error` for non-2xx, else a schema check. */
export function classifyResponse(
  status: number,
  bodyText: string,
  validate: (body: unknown) => string | undefined,
): { outcome: QueryOutcome; response?: unknown; error?: string } {
  if (status < 200 || status >= 300) {
    const msg = axonMessage(bodyText);
    return { outcome: 'http_error', error: msg ? `HTTP ${status}: ${msg}` : `HTTP ${status}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { outcome: 'invalid_response', error: 'response body is not JSON' };
  }
  const problem = validate(body);
  if (problem !== undefined) return { outcome: 'invalid_response', error: problem };
  return { outcome: 'ok', response: body };
}

/** Outcomes worth another attempt (with a fresh nonce): the miner may answer next time. */
export function isRetryable(outcome: QueryOutcome, status?: number): boolean {
  return outcome === 'timeout' || outcome === 'refused' || (outcome === 'http_error' && (status ?? 0) >= 500);
}
