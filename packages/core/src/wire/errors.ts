/**
 * The wire-error catalogue: every failure an axon answers with, by kind. Both sides speak it: the
 * axon throws only these kinds (as {@link WireError}) and sends `{ error: kind, message, field? }`;
 * `/openapi.json` is generated from it; the dendrite reads the kind back to classify the answer.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { QueryOutcome } from '../plugin/types.js';

/** What one wire-error kind means on the wire and to the caller. */
export interface WireErrorSpec {
  /** HTTP status the axon answers with. */
  readonly status: number;
  /** Whether the caller may try again (with a freshly signed request) and possibly succeed. */
  readonly retryable: boolean;
  /** How a dendrite counts the answer. */
  readonly outcome: QueryOutcome;
  /** One line: what happened and what to do. */
  readonly meaning: string;
}

/** Every wire-error kind, in HTTP status order. */
export const WIRE_ERRORS = {
  InvalidRequest: {
    status: 400,
    retryable: false,
    outcome: 'http_error',
    meaning:
      'the body is not JSON or does not match the synapse request schema (`field` is the JSON pointer), or a legacy v10 body hash does not match; fix the request',
  },
  MalformedAuth: {
    status: 401,
    retryable: false,
    outcome: 'refused',
    meaning: 'btauth/1 headers are missing, duplicated or unparsable; sign with btauth/1',
  },
  WrongReceiver: {
    status: 401,
    retryable: false,
    outcome: 'refused',
    meaning: 'the request is signed for another hotkey (X-Bittensor-Receiver); sign for the miner you call',
  },
  StaleRequest: {
    status: 401,
    retryable: true,
    outcome: 'refused',
    meaning:
      'the nonce is too old or too far in the future; sign every attempt freshly and sync the clock (NTP)',
  },
  BadSignature: {
    status: 401,
    retryable: false,
    outcome: 'refused',
    meaning:
      'the signature does not verify over the method, target, body hash, nonce and receiver as received',
  },
  ReplayedRequest: {
    status: 401,
    retryable: true,
    outcome: 'refused',
    meaning:
      'this (hotkey, nonce) was already accepted; sign a fresh nonce for every attempt, retries included',
  },
  LegacyAuth: {
    status: 401,
    retryable: false,
    outcome: 'refused',
    meaning: 'legacy v10 bt_header_* verification failed (missing header, old nonce or bad signature)',
  },
  Denied: {
    status: 403,
    retryable: false,
    outcome: 'refused',
    meaning: "the verified hotkey is on the miner's deny list",
  },
  NotRegistered: {
    status: 403,
    retryable: false,
    outcome: 'refused',
    meaning: "the verified hotkey is not registered on the miner's netuid; register it",
  },
  NoValidatorPermit: {
    status: 403,
    retryable: false,
    outcome: 'refused',
    meaning: 'the verified hotkey has no validator permit and the miner answers validators only',
  },
  UnknownSynapse: {
    status: 404,
    retryable: false,
    outcome: 'http_error',
    meaning: 'the miner serves no such route; /openapi.json lists its synapses',
  },
  Timeout: {
    status: 408,
    retryable: true,
    outcome: 'timeout',
    meaning: "the answer took longer than the synapse's timeout",
  },
  PayloadTooLarge: {
    status: 413,
    retryable: false,
    outcome: 'http_error',
    meaning: "the body is over the miner's body limit",
  },
  ClientClosed: {
    status: 499,
    retryable: true,
    outcome: 'timeout',
    meaning:
      'the caller closed the connection before the answer; the work was cancelled (logged, nobody reads it)',
  },
  InternalError: {
    status: 500,
    retryable: true,
    outcome: 'http_error',
    meaning:
      'the subnet handler failed or returned an invalid response; the miner log has the cause by request id',
  },
  Overloaded: {
    status: 503,
    retryable: true,
    outcome: 'overloaded',
    meaning: 'the miner is saturated and this caller had the lowest stake priority; retry later',
  },
  ShuttingDown: {
    status: 503,
    retryable: true,
    outcome: 'overloaded',
    meaning: 'the miner is shutting down and takes no new work; retry later or another miner',
  },
  Unavailable: {
    status: 503,
    retryable: true,
    outcome: 'overloaded',
    meaning: 'the miner cannot check replays right now (its replay store is down); retry later',
  },
} as const satisfies Record<string, WireErrorSpec>;

/** A wire-error kind: the `error` field of every failure body an axon sends. */
export type WireErrorKind = keyof typeof WIRE_ERRORS;

/** Every kind, in catalogue order. */
export const WIRE_ERROR_KINDS = Object.keys(WIRE_ERRORS) as WireErrorKind[];

/** Whether `value` names a catalogue kind. */
export function isWireErrorKind(value: unknown): value is WireErrorKind {
  return typeof value === 'string' && Object.hasOwn(WIRE_ERRORS, value);
}

/** The JSON body of every failure answer (the legacy v10 shape aside). */
export const WireErrorBodySchema = Type.Object({
  error: Type.Union(
    WIRE_ERROR_KINDS.map((kind) => Type.Literal(kind)),
    { description: 'The wire-error kind (see the catalogue), e.g. BadSignature' },
  ),
  message: Type.String({ description: 'What went wrong and how to fix it' }),
  field: Type.Optional(Type.String({ description: 'JSON pointer of the offending field (InvalidRequest)' })),
});

/** A failure body: `{ error: kind, message, field? }`. */
export type WireErrorBody = Static<typeof WireErrorBodySchema>;

/** A failure the axon answers with: one catalogue kind and a message naming the cause and the fix. */
export class WireError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  /** JSON pointer of the offending request field (InvalidRequest only). */
  readonly field: string | undefined;

  constructor(
    readonly kind: WireErrorKind,
    message: string,
    options: { field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WireError';
    this.status = WIRE_ERRORS[kind].status;
    this.retryable = WIRE_ERRORS[kind].retryable;
    this.field = options.field;
  }

  /** The JSON body to send. */
  body(): WireErrorBody {
    const body: WireErrorBody = { error: this.kind, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    return body;
  }
}

/** The kinds answered with each HTTP status, in status order. */
export function wireErrorsByStatus(): Map<number, WireErrorKind[]> {
  const byStatus = new Map<number, WireErrorKind[]>();
  for (const kind of WIRE_ERROR_KINDS) {
    const status = WIRE_ERRORS[kind].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), kind]);
  }
  return byStatus;
}

/** The kind and message a failure body carries (`kind` only when it names a catalogue kind). */
export function readWireError(bodyText: string): { kind?: WireErrorKind; message?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object') return {};
  const { error, message } = parsed as Record<string, unknown>;
  const out: { kind?: WireErrorKind; message?: string } = {};
  if (isWireErrorKind(error)) out.kind = error;
  if (typeof message === 'string') out.message = message;
  return out;
}

/**
 * How a caller should count a non-2xx answer: by its catalogue kind when the body names one, else
 * by its status (the outcome and retry flag all catalogue kinds of that status share; an axon that
 * does not speak the catalogue, such as a Python one, is judged by status alone). Statuses the
 * catalogue does not decide count as `http_error`, retryable from 500 up.
 */
export function classifyWireAnswer(
  status: number,
  kind?: WireErrorKind,
): { outcome: QueryOutcome; retryable: boolean } {
  if (kind !== undefined)
    return { outcome: WIRE_ERRORS[kind].outcome, retryable: WIRE_ERRORS[kind].retryable };
  const specs: WireErrorSpec[] = Object.values(WIRE_ERRORS).filter((s) => s.status === status);
  const outcome = specs[0]?.outcome;
  const sameOutcome = outcome !== undefined && specs.every((s) => s.outcome === outcome);
  const retryable =
    specs.length > 0 && specs.every((s) => s.retryable === specs[0]!.retryable)
      ? specs[0]!.retryable
      : status >= 500;
  return { outcome: sameOutcome ? outcome : 'http_error', retryable };
}
