/**
 * Legacy v10 axon/dendrite request signing (Bittensor SDK <= 10): the body hash, the signed message,
 * the headers a Python dendrite sends, and an axon-side verifier. Accepted while validators migrate to
 * btauth/1; it signs neither method, path nor unlisted body fields.
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { freshNonce, type RequestSigner } from './btauth.js';
import {
  decodeHexExact,
  decodeSs58PublicKey,
  type HeaderBag,
  HeaderReader,
  parseDecimal,
  quoteForMessage,
  toHex,
} from './encoding.js';
import type { LegacyNonceStore } from './legacy-nonce-store.js';
import { PyFloat, type PyValue, pythonFloatRepr, pythonStr } from './python-str.js';
import { verifySignature } from './signature.js';

/** `version_as_int` of SDK 10.2.0 (major*1e6 + minor*1e3 + patch), what a current dendrite sends. */
export const LEGACY_SDK_VERSION_AS_INT = 10_002_000;
/** Dendrite version (7.2.0) from which the axon applies the first-request freshness window. */
export const LEGACY_FRESHNESS_MIN_VERSION = 7_002_000;
/** Body hash of a synapse without hash fields: sha3-256 of the empty string. */
export const LEGACY_EMPTY_BODY_HASH = 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a';
/** Default synapse timeout in seconds. */
export const LEGACY_DEFAULT_TIMEOUT_S = 12;
/** Fixed part of the first-request freshness window, in ns (the window is this plus the timeout). */
const LEGACY_BASE_WINDOW_NS = 4_000_000_000n;

const encoder = new TextEncoder();

function sha3Hex(text: string): string {
  return toHex(sha3_256(encoder.encode(text)));
}

/**
 * Body hash from the values of the synapse's `required_hash_fields`, in declared order:
 * `H(H(str(v1)) + H(str(v2)) + ...)` with `H` = lowercase hex SHA3-256 and `str` = Python `str()`.
 * Use this form when a field needs {@link PyFloat} markers.
 */
export function legacyBodyHashOfValues(values: readonly PyValue[]): string {
  return sha3Hex(values.map((value) => sha3Hex(pythonStr(value))).join(''));
}

/**
 * Body hash of a synapse as a JSON object: takes `synapse[field]` for each of `requiredHashFields`
 * (a missing field counts as `None`) and applies {@link legacyBodyHashOfValues}. Integral numbers
 * print as Python ints; use {@link legacyBodyHashOfValues} with {@link PyFloat} for float fields.
 */
export function legacyBodyHash(
  synapse: Readonly<Record<string, unknown>>,
  requiredHashFields: readonly string[],
): string {
  return legacyBodyHashOfValues(
    requiredHashFields.map((field) => (Object.hasOwn(synapse, field) ? synapse[field] : null) as PyValue),
  );
}

/** Parts of the legacy request signature message. */
export interface LegacyMessageFields {
  /** Dendrite nonce, unix ns. */
  readonly nonce: bigint | string;
  /** SS58 of the signing dendrite hotkey. */
  readonly dendriteHotkey: string;
  /** SS58 of the target axon hotkey. */
  readonly axonHotkey: string;
  /** The dendrite instance's uuid. */
  readonly uuid: string;
  /** Body hash (see {@link legacyBodyHash}). */
  readonly bodyHash: string;
}

/** The signed message `"{nonce}.{dendrite.hotkey}.{axon.hotkey}.{uuid}.{body_hash}"`. */
export function legacyMessage(fields: LegacyMessageFields): string {
  return `${fields.nonce}.${fields.dendriteHotkey}.${fields.axonHotkey}.${fields.uuid}.${fields.bodyHash}`;
}

/** Arguments of {@link buildLegacyHeaders}. */
export interface BuildLegacyHeadersArgs {
  /** The dendrite hotkey; must be sr25519 (a Python axon verifies sr25519 only). */
  readonly signer: RequestSigner;
  /** Synapse class name, also the route (`POST /{name}`). */
  readonly synapseName: string;
  /** The target axon as published on chain. */
  readonly axon: { readonly ip: string; readonly port: number; readonly hotkey: string };
  /** Dendrite identity: its external IP, one stable uuid per process, SDK version (default 10.2.0). */
  readonly dendrite: { readonly ip: string; readonly uuid: string; readonly version?: number };
  /** Body hash of the synapse being sent ({@link legacyBodyHash}). */
  readonly bodyHash: string;
  /** Timeout in seconds, sent as Python `str(float)` (default 12, i.e. `12.0`). */
  readonly timeout?: number;
  /**
   * The synapse's *required* fields and their values: each gets a `bt_header_input_obj_<field>`
   * placeholder (base64 JSON of an empty value of the same type), without which a Python axon fails
   * to parse the headers.
   */
  readonly requiredFields?: Readonly<Record<string, PyValue>>;
  /** Nonce to use instead of a fresh one; strictly increasing per uuid. */
  readonly nonce?: bigint;
}

function emptyInstanceJson(value: PyValue): string {
  if (typeof value === 'string') return '""';
  if (typeof value === 'boolean') return 'false';
  if (typeof value === 'bigint') return '0';
  if (typeof value === 'number') return Number.isInteger(value) ? '0' : '0.0';
  if (value instanceof PyFloat) return '0.0';
  if (Array.isArray(value)) return '[]';
  if (value === null || value === undefined) return 'null';
  return '{}';
}

/**
 * Signs a request the way a Python v10 dendrite does and returns its headers (all lowercase names):
 * `name`, `timeout`, `bt_header_axon_{ip,port,hotkey}`,
 * `bt_header_dendrite_{ip,version,nonce,uuid,hotkey,signature}`, `bt_header_input_obj_*`,
 * `header_size`, `total_size` (informational, never checked: sent as `0`) and `computed_body_hash`.
 * The body to send is the full synapse JSON, whose hash fields must hash to `bodyHash`.
 * @throws Error for a non-sr25519 signer or a signer returning a signature that is not 64 bytes.
 */
export async function buildLegacyHeaders(args: BuildLegacyHeadersArgs): Promise<Record<string, string>> {
  if (args.signer.type !== 'sr25519') {
    throw new Error(
      `legacy v10 requests are signed with an sr25519 hotkey, got ${quoteForMessage(args.signer.type)}`,
    );
  }
  const nonce = args.nonce ?? freshNonce();
  const message = legacyMessage({
    nonce,
    dendriteHotkey: args.signer.address,
    axonHotkey: args.axon.hotkey,
    uuid: args.dendrite.uuid,
    bodyHash: args.bodyHash,
  });
  const signature = await args.signer.sign(encoder.encode(message));
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new Error(
      `legacy signer returned a ${signature?.length ?? 'non-byte'}-byte signature, expected 64`,
    );
  }
  const headers: Record<string, string> = {
    name: args.synapseName,
    timeout: pythonFloatRepr(args.timeout ?? LEGACY_DEFAULT_TIMEOUT_S),
    bt_header_axon_ip: args.axon.ip,
    bt_header_axon_port: String(args.axon.port),
    bt_header_axon_hotkey: args.axon.hotkey,
    bt_header_dendrite_ip: args.dendrite.ip,
    bt_header_dendrite_version: String(args.dendrite.version ?? LEGACY_SDK_VERSION_AS_INT),
    bt_header_dendrite_nonce: nonce.toString(),
    bt_header_dendrite_uuid: args.dendrite.uuid,
    bt_header_dendrite_hotkey: args.signer.address,
    bt_header_dendrite_signature: `0x${toHex(signature)}`,
  };
  for (const [field, value] of Object.entries(args.requiredFields ?? {})) {
    headers[`bt_header_input_obj_${field}`] = btoa(emptyInstanceJson(value));
  }
  headers.header_size = '0';
  headers.total_size = '0';
  headers.computed_body_hash = args.bodyHash;
  return headers;
}

/** Options of {@link verifyLegacyRequest}. */
export interface VerifyLegacyOptions {
  /** This axon's hotkey (SS58): the `axon.hotkey` of the signed message is always this value. */
  readonly receiver: string;
  /** Last nonce per `hotkey:uuid`. */
  readonly nonceStore: LegacyNonceStore;
  /** The synapse's `required_hash_fields`, in declared order (default none). */
  readonly requiredHashFields?: readonly string[];
  /** Custom body hash of the parsed synapse, replacing `requiredHashFields` (e.g. float fields). */
  readonly computeBodyHash?: (synapse: Readonly<Record<string, unknown>>) => string;
  /** Current time in unix ns (default `Date.now()` x 1e6). */
  readonly now?: () => bigint;
  /**
   * Cap on the request's own `timeout` header when sizing the first-request window (default 60 s).
   * The header is not signed, so without a cap a replayed request could claim any window.
   */
  readonly maxTimeoutS?: number;
  /** Reject nonces further than this in the future (default: no bound, like the Python axon). */
  readonly maxFutureMs?: number;
}

/** Outcome of {@link verifyLegacyRequest}; `message` is the Python axon's status message. */
export type LegacyVerifyResult =
  | {
      readonly ok: true;
      readonly hotkey: string;
      readonly uuid: string;
      readonly nonce: bigint;
      /** `hotkey:uuid`, the nonce bookkeeping key. */
      readonly endpointKey: string;
    }
  | { readonly ok: false; readonly status: 400 | 401; readonly message: string };

function notVerified(inner: string): LegacyVerifyResult {
  return { ok: false, status: 401, message: `Not Verified with error: ${inner}` };
}

const UUID_RE = /^[\x21-\x2d\x2f-\x7e]{1,64}$/; // printable ASCII without '.', the message separator

function parseSynapse(body: unknown): Readonly<Record<string, unknown>> | undefined {
  let value = body;
  try {
    if (typeof body === 'string') value = JSON.parse(body);
    else if (body instanceof Uint8Array)
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Verifies a legacy v10 request as `Axon.default_verify` does (per-`hotkey:uuid` strictly increasing
 * nonces; for dendrite version >= 7.2.0 a first request must be newer than 4 s + timeout), with these
 * deliberate differences: the signature is required (Python skips the check when it is absent); the
 * body hash is recomputed from the body and must equal the `computed_body_hash` header (status 400,
 * where Python answers 500 later); a `bt_header_axon_hotkey` naming another axon is rejected; the
 * nonce store is touched only after the signature verified; the unsigned `timeout` header is capped.
 * `body` is the raw JSON body or the parsed synapse. Never throws on anything a caller can send.
 */
export async function verifyLegacyRequest(
  headers: HeaderBag,
  body: Uint8Array | string | Readonly<Record<string, unknown>>,
  options: VerifyLegacyOptions,
): Promise<LegacyVerifyResult> {
  const h = new HeaderReader(headers);
  const read = (name: string): string | undefined | null => {
    const found = h.get(name);
    return found.state === 'present' ? found.value : found.state === 'duplicate' ? null : undefined;
  };
  const hotkey = read('bt_header_dendrite_hotkey');
  const nonceText = read('bt_header_dendrite_nonce');
  const uuid = read('bt_header_dendrite_uuid');
  const signatureText = read('bt_header_dendrite_signature');
  const versionText = read('bt_header_dendrite_version');
  const timeoutText = read('timeout');
  const bodyHashHeader = read('computed_body_hash');
  const axonHotkey = read('bt_header_axon_hotkey');
  for (const [name, value] of Object.entries({
    bt_header_dendrite_hotkey: hotkey,
    bt_header_dendrite_nonce: nonceText,
    bt_header_dendrite_uuid: uuid,
    bt_header_dendrite_signature: signatureText,
    bt_header_dendrite_version: versionText,
    timeout: timeoutText,
    computed_body_hash: bodyHashHeader,
    bt_header_axon_hotkey: axonHotkey,
  })) {
    if (value === null) return notVerified(`header ${name} was sent more than once`);
  }
  if (nonceText === undefined) return notVerified('Missing Nonce');
  if (hotkey === undefined)
    return notVerified('Missing bt_header_dendrite_hotkey (the dendrite hotkey, SS58)');
  if (uuid === undefined)
    return notVerified('Missing bt_header_dendrite_uuid (one uuid per dendrite instance)');
  if (signatureText === undefined) {
    return notVerified('Missing Signature: this axon requires bt_header_dendrite_signature');
  }
  if (bodyHashHeader === undefined) return notVerified('Missing computed_body_hash header');
  const nonce = parseDecimal(nonceText!, 20);
  if (nonce === undefined)
    return notVerified(`Invalid Nonce ${quoteForMessage(nonceText!)}: send unix time in ns`);
  const publicKey = decodeSs58PublicKey(hotkey!);
  if (publicKey === undefined)
    return notVerified(`Invalid dendrite hotkey ${quoteForMessage(hotkey!)}: not SS58`);
  if (!UUID_RE.test(uuid!))
    return notVerified('Invalid dendrite uuid: 1-64 printable characters without "."');
  const signature = decodeHexExact(signatureText!, 64);
  if (signature === undefined)
    return notVerified('Invalid Signature: expected 0x followed by 128 hex characters');
  if (!/^[0-9a-f]{64}$/.test(bodyHashHeader!)) {
    return notVerified('Invalid computed_body_hash: expected 64 lowercase hex characters');
  }
  let version: bigint | undefined;
  if (versionText !== undefined) {
    version = parseDecimal(versionText!, 12);
    if (version === undefined)
      return notVerified(`Invalid dendrite version ${quoteForMessage(versionText!)}`);
  }
  let timeoutS = LEGACY_DEFAULT_TIMEOUT_S;
  if (timeoutText !== undefined) {
    timeoutS = Number(timeoutText);
    if (timeoutText!.trim() === '' || !Number.isFinite(timeoutS) || timeoutS < 0) {
      return notVerified(`Invalid timeout ${quoteForMessage(timeoutText!)}: seconds as a number`);
    }
  }
  if (axonHotkey !== undefined && axonHotkey !== options.receiver) {
    return notVerified(
      `request is addressed to axon hotkey ${quoteForMessage(axonHotkey!)} but this axon is ${options.receiver}`,
    );
  }

  // Body integrity: the signature covers the header hash, so the header must describe this body.
  const synapse = parseSynapse(body);
  if (synapse === undefined) {
    return { ok: false, status: 400, message: 'Request body is not a JSON synapse object' };
  }
  let computed: string;
  try {
    computed = options.computeBodyHash
      ? options.computeBodyHash(synapse)
      : legacyBodyHash(synapse, options.requiredHashFields ?? []);
  } catch {
    return {
      ok: false,
      status: 400,
      message: 'Request body hash fields cannot be hashed (nested too deeply?)',
    };
  }
  if (computed !== bodyHashHeader) {
    return {
      ok: false,
      status: 400,
      message: 'Body hash mismatch: computed_body_hash does not match the hash fields of the body',
    };
  }

  const now = (options.now ?? (() => BigInt(Date.now()) * 1_000_000n))();
  if (
    options.maxFutureMs !== undefined &&
    nonce - now > BigInt(Math.round(options.maxFutureMs)) * 1_000_000n
  ) {
    return notVerified('Nonce is in the future: the dendrite clock runs ahead, sync it (NTP)');
  }

  const message = legacyMessage({
    nonce: nonceText!,
    dendriteHotkey: hotkey!,
    axonHotkey: options.receiver,
    uuid: uuid!,
    bodyHash: computed,
  });
  if (!verifySignature('sr25519', encoder.encode(message), signature, publicKey)) {
    return notVerified(`Signature mismatch with ${message} and ${signatureText}`);
  }

  const endpointKey = `${hotkey}:${uuid}`;
  const timeoutCapS = Math.min(timeoutS, options.maxTimeoutS ?? 60);
  const windowNs = LEGACY_BASE_WINDOW_NS + BigInt(Math.round(timeoutCapS * 1e9));
  const fresh = version !== undefined && version >= BigInt(LEGACY_FRESHNESS_MIN_VERSION);
  const verdict = await options.nonceStore.advance(endpointKey, nonce, fresh ? now - windowNs : undefined);
  if (verdict === 'too-old-first') {
    const delta = (Number(windowNs / 1_000_000n) / 1000).toFixed(2);
    const age = (Number((now - nonce) / 1_000_000n) / 1000).toFixed(2);
    return notVerified(
      `Nonce is too old: acceptable delta is ${delta} seconds but request was ${age} seconds old`,
    );
  }
  if (verdict === 'not-increasing') return notVerified('Nonce is too old, a newer one was last processed');
  return { ok: true, hotkey: hotkey!, uuid: uuid!, nonce, endpointKey };
}

/** An HTTP failure response in the legacy axon's shape. */
export interface LegacyFailureResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers: JSON content type plus the axon status the Python dendrite merges in. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text `{"message": ...}`, plus `"error": kind` when the failure has a wire-error kind. */
  readonly body: string;
}

/**
 * Builds a failure response as the Python axon sends it: JSON body `{"message": message}` (plus
 * `error` when a wire-error `kind` is given), with
 * `bt_header_axon_status_code` / `bt_header_axon_status_message` headers so a Python dendrite reports
 * the same status (header text reduced to printable ASCII, as headers require).
 */
export function legacyFailure(status: number, message: string, kind?: string): LegacyFailureResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      bt_header_axon_status_code: String(status),
      bt_header_axon_status_message: message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024),
    },
    // A Python dendrite reads `message` only; the extra `error` names the wire-error kind for others.
    body: JSON.stringify(kind === undefined ? { message } : { error: kind, message }),
  };
}

/**
 * The base fields of every Python synapse body (`bittensor/core/synapse.py`, `Synapse`), besides the
 * subnet's own: a dendrite reads the subnet's answer from the rest; an axon strips them before the
 * subnet's schema sees the request.
 */
export const LEGACY_BASE_FIELDS: readonly string[] = [
  'name',
  'timeout',
  'total_size',
  'header_size',
  'dendrite',
  'axon',
  'computed_body_hash',
  'required_hash_fields',
];

/** `TerminalInfo` keys in the SDK's declaration order (`bittensor/core/synapse.py`). */
export const LEGACY_TERMINAL_FIELDS = [
  'status_code',
  'status_message',
  'process_time',
  'ip',
  'port',
  'version',
  'nonce',
  'uuid',
  'hotkey',
  'signature',
] as const;

/** Arguments of {@link buildLegacyRequest}. */
export interface BuildLegacyRequestArgs
  extends Omit<BuildLegacyHeadersArgs, 'bodyHash' | 'requiredFields' | 'nonce'> {
  /** The subnet's request fields (the synapse subclass's fields). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The synapse's `required_hash_fields`, in declared order (default none). */
  readonly requiredHashFields?: readonly string[];
  /** The fields the synapse class requires (they get `bt_header_input_obj_*` placeholders). */
  readonly requiredFieldNames?: readonly string[];
  readonly nonce?: bigint;
}

/** JSON of one TerminalInfo with all ten keys (nulls included); `nonce` stays an exact integer. */
function terminalJson(values: Partial<Record<(typeof LEGACY_TERMINAL_FIELDS)[number], unknown>>): string {
  const parts = LEGACY_TERMINAL_FIELDS.map((key) => {
    const value = values[key];
    const text = typeof value === 'bigint' ? value.toString() : JSON.stringify(value ?? null);
    return `${JSON.stringify(key)}: ${text}`;
  });
  return `{${parts.join(', ')}}`;
}

/**
 * A whole legacy v10 request as the Python dendrite sends it (`Dendrite.call`): the signed headers of
 * {@link buildLegacyHeaders} and the JSON body `synapse.model_dump()` — `name`, `timeout`,
 * `total_size`, `header_size`, `dendrite` and `axon` (TerminalInfo objects with all ten keys),
 * `computed_body_hash: ""`, then the subnet's fields. The nonce is written as an exact integer (it
 * exceeds 2^53).
 */
export async function buildLegacyRequest(
  args: BuildLegacyRequestArgs,
): Promise<{ headers: Record<string, string>; body: string }> {
  const nonce = args.nonce ?? freshNonce();
  const bodyHash = legacyBodyHash(args.fields, args.requiredHashFields ?? []);
  const requiredFields: Record<string, PyValue> = {};
  for (const name of args.requiredFieldNames ?? []) {
    if (Object.hasOwn(args.fields, name)) requiredFields[name] = args.fields[name] as PyValue;
  }
  const headers = await buildLegacyHeaders({ ...args, nonce, bodyHash, requiredFields });
  const version = args.dendrite.version ?? LEGACY_SDK_VERSION_AS_INT;
  const base = [
    `"name": ${JSON.stringify(args.synapseName)}`,
    `"timeout": ${pythonFloatRepr(args.timeout ?? LEGACY_DEFAULT_TIMEOUT_S)}`,
    '"total_size": 0',
    '"header_size": 0',
    `"dendrite": ${terminalJson({
      ip: args.dendrite.ip,
      version,
      nonce,
      uuid: args.dendrite.uuid,
      hotkey: args.signer.address,
      signature: headers.bt_header_dendrite_signature,
    })}`,
    `"axon": ${terminalJson({ ip: args.axon.ip, port: args.axon.port, hotkey: args.axon.hotkey })}`,
    '"computed_body_hash": ""',
  ];
  const own = Object.entries(args.fields)
    .filter(([key]) => !LEGACY_BASE_FIELDS.includes(key))
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return { headers, body: `{${[...base, ...own].join(', ')}}` };
}
