/**
 * How a query ended, decided from what the dendrite saw: pure functions so every branch is
 * tested without sockets.
 */
import {
  classifyWireAnswer,
  type HeaderBag,
  type QueryOutcome,
  readLegacyAnswer,
  readWireError,
  type WireErrorKind,
} from '@subnetkit/core';

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

/**
 * Decides the outcome of a response that arrived. A non-2xx answer is classified by the wire-error
 * kind in its body (core's catalogue: 408 Timeout counts as `timeout`, 401/403 as `refused`, 503 as
 * `overloaded`, ...), or by its status when the axon sent no known kind (a Python axon). A 2xx
 * answer must be JSON matching the response schema.
 */
export function classifyResponse(
  status: number,
  bodyText: string,
  validate: (body: unknown) => string | undefined,
): { outcome: QueryOutcome; response?: unknown; error?: string; kind?: WireErrorKind } {
  if (status < 200 || status >= 300) {
    const { kind } = readWireError(bodyText);
    const msg = axonMessage(bodyText);
    const label = kind === undefined ? `HTTP ${status}` : `HTTP ${status} ${kind}`;
    const out = {
      outcome: classifyWireAnswer(status, kind).outcome,
      error: msg ? `${label}: ${msg}` : label,
    };
    return kind === undefined ? out : { ...out, kind };
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

/** A classified answer (see {@link classifyResponse}). */
export type Verdict = { outcome: QueryOutcome; response?: unknown; error?: string; kind?: WireErrorKind };

/**
 * Decides the outcome of a legacy v10 (Python SDK) answer: the SDK's failures by their status (the
 * HTTP one, or `axon.status_code` on a 200), a 200 synapse's subnet fields (only the response
 * schema's keys, since a Python synapse echoes its inputs) checked by `validate`, and headers or a
 * body the SDK could not read as `protocol_mismatch`.
 */
export function classifyLegacyResponse(
  status: number,
  headers: HeaderBag,
  bodyText: string,
  options: {
    synapse: string;
    responseFields?: readonly string[];
    validate: (body: unknown) => string | undefined;
  },
): Verdict {
  const answer = readLegacyAnswer(status, headers, bodyText, { synapse: options.synapse });
  if (answer.kind === 'mismatch') return { outcome: 'protocol_mismatch', error: answer.reason };
  if (answer.kind === 'failed') {
    // A subnetkit axon also names its wire-error kind next to the SDK's `message`.
    const { kind } = status === answer.status ? readWireError(bodyText) : {};
    const label = `v10 axon status ${answer.status}${kind ? ` ${kind}` : ''}`;
    const out: Verdict = {
      outcome: classifyWireAnswer(answer.status, kind).outcome,
      error: answer.message ? `${label}: ${answer.message.slice(0, 300)}` : label,
    };
    if (kind !== undefined) out.kind = kind;
    return out;
  }
  const keys = options.responseFields;
  const body = keys
    ? Object.fromEntries(
        keys.filter((k) => Object.hasOwn(answer.fields, k)).map((k) => [k, answer.fields[k]]),
      )
    : answer.fields;
  const problem = options.validate(body);
  if (problem !== undefined) return { outcome: 'invalid_response', error: problem };
  return { outcome: 'ok', response: body };
}

/**
 * Whether a non-2xx answer to a btauth/1 request says the axon speaks legacy v10 only: a Python
 * SDK axon's JSON `{ message }` without a catalogue kind, or a subnetkit axon in legacy-only mode
 * answering `LegacyAuth` (`--protocol auto` then retries the miner in legacy v10 and remembers it).
 */
export function looksLikeLegacyAxon(status: number, bodyText: string): boolean {
  if (status >= 200 && status < 300) return false;
  const { kind, message } = readWireError(bodyText);
  return kind === 'LegacyAuth' || (kind === undefined && message !== undefined);
}

/**
 * Whether another attempt (with a fresh nonce) may succeed. A network failure (no `status`): on
 * timeouts and refusals. An HTTP answer: as the catalogue says for its kind, else for its status.
 */
export function isRetryable(outcome: QueryOutcome, status?: number, kind?: WireErrorKind): boolean {
  if (outcome === 'ok' || outcome === 'invalid_response') return false;
  if (status === undefined) return outcome === 'timeout' || outcome === 'refused';
  return classifyWireAnswer(status, kind).retryable;
}
