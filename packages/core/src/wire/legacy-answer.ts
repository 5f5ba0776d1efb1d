/**
 * Reading a legacy v10 (Python SDK) axon's answer as the SDK's dendrite does
 * (`bittensor/core/dendrite.py`, `process_server_response`; `bittensor/core/synapse.py`,
 * `Synapse.from_headers`): the JSON synapse body on 200, `{ message }` otherwise, and the
 * `bt_header_axon_*` headers merged over the body's `axon`. An answer whose headers or body the SDK
 * could not parse is a `mismatch`, its own outcome kind, never an exception.
 */
import { type HeaderBag, HeaderReader } from '../auth/encoding.js';
import { LEGACY_BASE_FIELDS } from '../auth/legacy.js';

/** What a legacy answer says. */
export type LegacyAnswer =
  /** The axon served the synapse: the subnet's fields of the returned synapse (base fields removed). */
  | { readonly kind: 'served'; readonly fields: Record<string, unknown> }
  /** The axon reported a failure (HTTP status, or `axon.status_code` on a 200), with its message. */
  | { readonly kind: 'failed'; readonly status: number; readonly message: string }
  /** Headers or body are not what a Python axon sends. */
  | { readonly kind: 'mismatch'; readonly reason: string };

/** Options of {@link readLegacyAnswer}. */
export interface ReadLegacyAnswerOptions {
  /** The synapse (class) name the request was for. */
  readonly synapse: string;
  /** The answer streamed (`text/event-stream`): the body is the stream, not a synapse. */
  readonly streaming?: boolean;
}

function header(h: HeaderReader, name: string): string | undefined | null {
  const found = h.get(name);
  return found.state === 'present' ? found.value : found.state === 'duplicate' ? null : undefined;
}

const INT_RE = /^-?\d{1,9}$/;

/**
 * Classifies a legacy answer from its HTTP status, headers and body text. For a streamed answer
 * (`streaming`), pass an empty body: only the status and headers are checked.
 */
export function readLegacyAnswer(
  status: number,
  headers: HeaderBag,
  bodyText: string,
  options: ReadLegacyAnswerOptions,
): LegacyAnswer {
  const h = new HeaderReader(headers);
  const codeText = header(h, 'bt_header_axon_status_code');
  const processTime = header(h, 'bt_header_axon_process_time');
  if (codeText === null || processTime === null) {
    return { kind: 'mismatch', reason: 'a bt_header_axon_* header was sent more than once' };
  }
  if (codeText !== undefined && !INT_RE.test(codeText.trim())) {
    return {
      kind: 'mismatch',
      reason: `bt_header_axon_status_code "${codeText.slice(0, 40)}" is not an integer`,
    };
  }
  if (processTime !== undefined && !Number.isFinite(Number(processTime))) {
    return { kind: 'mismatch', reason: 'bt_header_axon_process_time is not a number of seconds' };
  }
  const contentType = (header(h, 'content-type') ?? '').toLowerCase();
  const statusMessage = header(h, 'bt_header_axon_status_message') ?? undefined;

  if (status !== 200) {
    // The SDK takes the HTTP status and the body's `message` (FastAPI's 422 has none).
    let message = statusMessage ?? '';
    try {
      const parsed = JSON.parse(bodyText) as unknown;
      if (
        parsed &&
        typeof parsed === 'object' &&
        typeof (parsed as { message?: unknown }).message === 'string'
      )
        message = (parsed as { message: string }).message;
    } catch {
      return { kind: 'mismatch', reason: `HTTP ${status} answer whose body is not JSON` };
    }
    return { kind: 'failed', status, message };
  }

  if (options.streaming) {
    if (!contentType.startsWith('text/event-stream')) {
      return {
        kind: 'mismatch',
        reason: `a streaming synapse answered with content-type "${contentType}", not text/event-stream`,
      };
    }
    const code = codeText === undefined ? 200 : Number(codeText);
    if (code !== 200) return { kind: 'failed', status: code, message: statusMessage ?? '' };
    return { kind: 'served', fields: {} };
  }

  if (!contentType.startsWith('application/json')) {
    return { kind: 'mismatch', reason: `HTTP 200 with content-type "${contentType}", not application/json` };
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { kind: 'mismatch', reason: 'HTTP 200 whose body is not JSON' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'mismatch', reason: 'HTTP 200 whose body is not a synapse object' };
  }
  const synapse = body as Record<string, unknown>;
  if (synapse.name !== undefined && synapse.name !== null && synapse.name !== options.synapse) {
    return {
      kind: 'mismatch',
      reason: `the body is a ${String(synapse.name).slice(0, 60)} synapse, not ${options.synapse}`,
    };
  }
  for (const key of ['axon', 'dendrite'] as const) {
    const v = synapse[key];
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
      return { kind: 'mismatch', reason: `the body's ${key} is not a TerminalInfo object` };
    }
  }
  // The SDK copies the body's axon, then lets non-null headers override it; success means 200.
  const axon = (synapse.axon ?? {}) as Record<string, unknown>;
  let code: number | undefined;
  if (codeText !== undefined) code = Number(codeText);
  else if (axon.status_code !== undefined && axon.status_code !== null) {
    code = Number(axon.status_code);
    if (!Number.isInteger(code))
      return { kind: 'mismatch', reason: "the body's axon.status_code is not an integer" };
  }
  if (code === undefined) {
    return {
      kind: 'mismatch',
      reason:
        'no axon status code (bt_header_axon_status_code or axon.status_code): not a Python axon answer',
    };
  }
  if (code !== 200) {
    const message = statusMessage ?? (typeof axon.status_message === 'string' ? axon.status_message : '');
    return { kind: 'failed', status: code, message };
  }
  return {
    kind: 'served',
    fields: Object.fromEntries(Object.entries(synapse).filter(([k]) => !LEGACY_BASE_FIELDS.includes(k))),
  };
}
