/**
 * btauth/1: hotkey-signed HTTP requests between validators and miners (the Bittensor v11 wire format,
 * `docs/guides/signed-requests` of the Bittensor monorepo). Pure functions: the caller supplies the
 * raw body bytes, the request target as sent, a clock and a replay store.
 */
import { createHash } from 'node:crypto';
import {
  decodeHexExact,
  decodeSs58PublicKey,
  type HeaderBag,
  HeaderReader,
  parseDecimal,
  quoteForMessage,
  toHex,
} from './encoding.js';
import type { ReplayStore } from './replay-store.js';
import { type SignatureScheme, verifySignature } from './signature.js';

/** First line of every btauth/1 signed payload. */
export const BTAUTH_TAG = 'btauth/1';

/** Header names of btauth/1 (matched case-insensitively on receipt). */
export const BTAUTH_HEADERS = {
  version: 'X-Bittensor-Version',
  hotkey: 'X-Bittensor-Hotkey',
  receiver: 'X-Bittensor-Receiver',
  nonce: 'X-Bittensor-Nonce',
  crypto: 'X-Bittensor-Crypto',
  signature: 'X-Bittensor-Signature',
} as const;

/** HTTP status for every btauth/1 verification failure (a verified but unwelcome caller gets 403). */
export const BTAUTH_FAILURE_STATUS = 401;

/** Default oldest accepted nonce age (ms). */
export const BTAUTH_DEFAULT_MAX_AGE_MS = 10_000;
/** Default furthest accepted nonce into the future (ms), for client clocks running ahead. */
export const BTAUTH_DEFAULT_MAX_FUTURE_MS = 2_000;

/**
 * Schemes the btauth/1 spec names that this implementation does not verify, with the reason sent
 * back. The spec (RaoFoundation/subtensor docs/guides/signed-requests.mdx and wallet-crypto-types.mdx)
 * says both sign the payload inside "domain-separated message envelopes" of the native
 * bittensor-core package and gives neither the envelope layout nor golden vectors for them, and
 * both addresses are account ids that do not carry the signing public key. Guessing an envelope
 * would mean accepting signatures no one can check against the spec, so they are refused by name.
 */
const UNSUPPORTED_SCHEMES: Readonly<Record<string, string>> = {
  hashed:
    'is not supported by this server: hashed (rotating-key) accounts sign with a generation key inside a ' +
    'message envelope the public btauth/1 spec does not define, and their SS58 address does not carry that key',
  mldsa:
    'is not supported by this server: ML-DSA-65 signatures come in a 5,303-byte message envelope the public ' +
    'btauth/1 spec does not define (no layout, no golden vectors), and the SS58 address does not carry the ' +
    '1,952-byte public key needed to verify it',
};

/** Nonces are u64 nanoseconds: at most 20 decimal digits. */
const NONCE_MAX_DIGITS = 20;

const encoder = new TextEncoder();

/** Fields of the btauth/1 signed payload. */
export interface BtAuthPayloadFields {
  /** Signature scheme of the sender's key; line 2 of the payload. */
  readonly scheme: SignatureScheme;
  /** HTTP method; uppercased. */
  readonly method: string;
  /** Request target exactly as sent: percent-encoded path plus `?query`. */
  readonly target: string;
  /** Lowercase hex sha256 of the raw body bytes. */
  readonly bodySha256Hex: string;
  /** Unix time in nanoseconds, as bigint or canonical decimal string (never a JS number). */
  readonly nonce: bigint | string;
  /** Sender hotkey, SS58. */
  readonly sender: string;
  /** Receiver hotkey, SS58; `undefined`, `null` or `-` for an unbound request. */
  readonly receiver?: string | null;
}

function payloadLines(f: {
  scheme: string;
  method: string;
  target: string;
  bodySha256Hex: string;
  nonce: string;
  sender: string;
  receiver: string;
}): string {
  return [BTAUTH_TAG, f.scheme, f.method, f.target, f.bodySha256Hex, f.nonce, f.sender, f.receiver].join(
    '\n',
  );
}

function hasLineBreak(value: string): boolean {
  return /[\r\n]/.test(value);
}

/**
 * Builds the exact btauth/1 payload: eight lines joined by `\n`, no trailing newline (`btauth/1`,
 * scheme, uppercase method, target, body sha256 hex, nonce, sender, receiver or `-`). Sign or verify
 * `new TextEncoder().encode(payload)`.
 * @throws Error when a field is malformed (line break in a field, bad hash or nonce): a caller bug.
 */
export function buildBtAuthPayload(fields: BtAuthPayloadFields): string {
  const nonce = typeof fields.nonce === 'bigint' ? fields.nonce.toString() : fields.nonce;
  if (
    typeof fields.nonce === 'bigint' ? fields.nonce < 0n : parseDecimal(nonce, NONCE_MAX_DIGITS) === undefined
  ) {
    throw new Error(
      `btauth/1 nonce must be a non-negative decimal integer (unix ns), got ${quoteForMessage(nonce)}`,
    );
  }
  if (!/^[0-9a-fA-F]{64}$/.test(fields.bodySha256Hex)) {
    throw new Error('btauth/1 bodySha256Hex must be 64 hex characters (sha256 of the raw body)');
  }
  const receiver = fields.receiver === undefined || fields.receiver === null ? '-' : fields.receiver;
  for (const [name, value] of [
    ['method', fields.method],
    ['target', fields.target],
    ['sender', fields.sender],
    ['receiver', receiver],
  ] as const) {
    if (value.length === 0 || hasLineBreak(value)) {
      throw new Error(
        `btauth/1 ${name} must be non-empty and free of line breaks, got ${quoteForMessage(value)}`,
      );
    }
  }
  return payloadLines({
    scheme: fields.scheme,
    method: fields.method.toUpperCase(),
    target: fields.target,
    bodySha256Hex: fields.bodySha256Hex.toLowerCase(),
    nonce,
    sender: fields.sender,
    receiver,
  });
}

/** Lowercase hex sha256 of the raw body bytes (a string body is UTF-8 encoded first). */
export function bodySha256Hex(body: Uint8Array | string): string {
  // node:crypto (OpenSSL) hashes a large body about 10x faster than a JS sha256; strings as UTF-8.
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Anything that signs with a hotkey. A `@polkadot/keyring` `KeyringPair` satisfies it directly
 * (sr25519 pairs sign with the `substrate` context). `sign` may also be async (remote signers).
 */
export interface RequestSigner {
  /** SS58 address of the signing hotkey. */
  readonly address: string;
  /** Key type; btauth/1 signing supports `sr25519` and `ed25519`. */
  readonly type: string;
  /** Signs the exact message bytes and returns the 64-byte signature. */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

let lastNonce = 0n;

/**
 * A fresh nonce: unix time in nanoseconds (ms resolution from `Date.now()`), bumped so that it is
 * strictly greater than every nonce this process handed out before. Two calls never share one.
 */
export function freshNonce(): bigint {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastNonce = now > lastNonce ? now : lastNonce + 1n;
  return lastNonce;
}

/** Arguments of {@link signRequest}. */
export interface SignRequestArgs {
  /** The sender hotkey. */
  readonly signer: RequestSigner;
  /** HTTP method (uppercased in the payload). */
  readonly method: string;
  /** Request target exactly as it will be sent: percent-encoded path plus `?query`. */
  readonly target: string;
  /** Raw body bytes, or a string sent as UTF-8. Empty for a bodyless request. */
  readonly body: Uint8Array | string;
  /** Receiver hotkey SS58; omit only for servers that accept unbound requests. */
  readonly receiver?: string | undefined;
  /** Nonce (unix ns) to use instead of {@link freshNonce}; tests pin it. */
  readonly nonce?: bigint | string | undefined;
}

function signerScheme(type: string): SignatureScheme {
  if (type === 'sr25519' || type === 'ed25519') return type;
  throw new Error(
    `btauth/1 cannot sign with a ${quoteForMessage(type)} key: use an sr25519 (default) or ed25519 hotkey`,
  );
}

/**
 * Signs one request attempt and returns the btauth/1 headers to add to it (`X-Bittensor-Crypto` only
 * for non-sr25519 keys; signature `0x` + lowercase hex). Sign again for every retry: a resent
 * signature is a replay.
 * @throws Error for an unsupported key type, a malformed field, or a signer that returns a
 * signature that is not 64 bytes.
 */
export async function signRequest(args: SignRequestArgs): Promise<Record<string, string>> {
  const scheme = signerScheme(args.signer.type);
  const nonce = args.nonce ?? freshNonce();
  const nonceText = typeof nonce === 'bigint' ? nonce.toString() : nonce;
  const receiver = args.receiver === undefined || args.receiver === '-' ? undefined : args.receiver;
  const payload = buildBtAuthPayload({
    scheme,
    method: args.method,
    target: args.target,
    bodySha256Hex: bodySha256Hex(args.body),
    nonce: nonceText,
    sender: args.signer.address,
    receiver,
  });
  const signature = await args.signer.sign(encoder.encode(payload));
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new Error(
      `btauth/1 signer returned a ${signature?.length ?? 'non-byte'}-byte signature, expected 64`,
    );
  }
  const headers: Record<string, string> = {
    [BTAUTH_HEADERS.version]: '1',
    [BTAUTH_HEADERS.hotkey]: args.signer.address,
  };
  if (receiver !== undefined) headers[BTAUTH_HEADERS.receiver] = receiver;
  headers[BTAUTH_HEADERS.nonce] = nonceText;
  if (scheme !== 'sr25519') headers[BTAUTH_HEADERS.crypto] = scheme;
  headers[BTAUTH_HEADERS.signature] = `0x${toHex(signature)}`;
  return headers;
}

/** A received request, as the server framework hands it over. */
export interface BtAuthRequest {
  /** HTTP method as received. */
  readonly method: string;
  /** Request target as received on the wire (raw, percent-encoded path plus `?query`). */
  readonly target: string;
  /** Request headers (Node `IncomingHttpHeaders` or any case-insensitive name -> value map). */
  readonly headers: HeaderBag;
  /** Raw body bytes exactly as received, before any parsing. */
  readonly body: Uint8Array;
}

/** Options of {@link verifyRequest}. */
export interface VerifyRequestOptions {
  /** This server's hotkey (SS58); requests must be addressed to it. */
  readonly receiver: string;
  /** Remembers accepted (hotkey, nonce) pairs; shared across processes of one server. */
  readonly replayStore: ReplayStore;
  /** Current time in unix nanoseconds. Defaults to `Date.now()` x 1e6. */
  readonly now?: () => bigint;
  /** Oldest accepted nonce, ms in the past (default 10 000). */
  readonly maxAgeMs?: number;
  /** Furthest accepted nonce, ms in the future (default 2 000). */
  readonly maxFutureMs?: number;
  /**
   * The scheme this server trusts for a sender, from its own configuration or registry; `undefined`
   * means sr25519. The `X-Bittensor-Crypto` header must agree with it: it is never trusted alone.
   */
  readonly schemeFor?: (hotkey: string) => SignatureScheme | undefined;
  /** Reject requests without `X-Bittensor-Receiver` (default true). */
  readonly requireReceiver?: boolean;
}

/** Why a request failed btauth/1 verification (the spec's error classes). */
export type BtAuthFailureKind =
  | 'MalformedAuth'
  | 'WrongReceiver'
  | 'StaleRequest'
  | 'BadSignature'
  | 'ReplayedRequest';

/** Outcome of {@link verifyRequest}. Failure messages are safe to send back (status 401). */
export type BtAuthResult =
  | { readonly ok: true; readonly hotkey: string; readonly nonce: bigint; readonly scheme: SignatureScheme }
  | { readonly ok: false; readonly kind: BtAuthFailureKind; readonly message: string };

function fail(kind: BtAuthFailureKind, message: string): BtAuthResult {
  return { ok: false, kind, message };
}

function msToNs(ms: number, name: string): bigint {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${ms}`);
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

function seconds(ns: bigint): string {
  return (Number(ns / 1_000_000n) / 1000).toFixed(3);
}

function defaultNow(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

const HOW_TO_SIGN =
  'sign with btauth/1: X-Bittensor-Version: 1, X-Bittensor-Hotkey, X-Bittensor-Receiver, X-Bittensor-Nonce ' +
  '(unix ns) and X-Bittensor-Signature (0x + hex)';

/**
 * Verifies a btauth/1 request, in the spec's order: shape, receiver, freshness, signature (over the
 * payload rebuilt from the received method, target and raw body, whose hash is always recomputed),
 * then replay (the store is consulted only after the signature verified). Never throws on anything
 * a caller can send; it throws only for invalid options or when `schemeFor` or the replay store
 * throws (a server fault, not an auth failure).
 */
export async function verifyRequest(
  request: BtAuthRequest,
  options: VerifyRequestOptions,
): Promise<BtAuthResult> {
  const maxAgeNs = msToNs(options.maxAgeMs ?? BTAUTH_DEFAULT_MAX_AGE_MS, 'maxAgeMs');
  const maxFutureNs = msToNs(options.maxFutureMs ?? BTAUTH_DEFAULT_MAX_FUTURE_MS, 'maxFutureMs');
  const headers = new HeaderReader(request.headers);

  // 1. Shape.
  const values: Partial<Record<keyof typeof BTAUTH_HEADERS, string>> = {};
  for (const key of Object.keys(BTAUTH_HEADERS) as (keyof typeof BTAUTH_HEADERS)[]) {
    const name = BTAUTH_HEADERS[key];
    const found = headers.get(name);
    if (found.state === 'duplicate') {
      return fail('MalformedAuth', `header ${name} was sent more than once; send it exactly once`);
    }
    if (found.state === 'present') values[key] = found.value;
    else if (key !== 'receiver' && key !== 'crypto') {
      return fail('MalformedAuth', `missing header ${name}; ${HOW_TO_SIGN}`);
    }
  }
  if (values.version !== '1') {
    return fail(
      'MalformedAuth',
      `unsupported ${BTAUTH_HEADERS.version} ${quoteForMessage(values.version ?? '')}; this server speaks btauth/1 (send 1)`,
    );
  }
  const hotkey = values.hotkey!;
  const publicKey = decodeSs58PublicKey(hotkey);
  if (publicKey === undefined) {
    return fail(
      'MalformedAuth',
      `${BTAUTH_HEADERS.hotkey} ${quoteForMessage(hotkey)} is not a valid SS58 address of a 32-byte key`,
    );
  }
  const nonceText = values.nonce!;
  const nonce = parseDecimal(nonceText, NONCE_MAX_DIGITS);
  if (nonce === undefined) {
    return fail(
      'MalformedAuth',
      `${BTAUTH_HEADERS.nonce} ${quoteForMessage(nonceText)} is not a decimal integer of unix nanoseconds ` +
        '(no sign, no leading zeros, at most 20 digits)',
    );
  }
  const claimed = values.crypto ?? 'sr25519';
  if (claimed !== 'sr25519' && claimed !== 'ed25519') {
    // Checked before the signature's length: an ML-DSA signature is 5,303 bytes, and the caller
    // must learn that its scheme is the problem, not the header's size.
    const why =
      UNSUPPORTED_SCHEMES[claimed] ?? 'is unknown (btauth/1 names sr25519, ed25519, hashed and mldsa)';
    return fail(
      'MalformedAuth',
      `${BTAUTH_HEADERS.crypto} ${quoteForMessage(claimed)} ${why}; sign with an sr25519 hotkey (header absent) or an ed25519 one`,
    );
  }
  const signature = decodeHexExact(values.signature!, 64);
  if (signature === undefined) {
    return fail(
      'MalformedAuth',
      `${BTAUTH_HEADERS.signature} must be 0x followed by 128 hex characters (64 bytes)`,
    );
  }
  const trusted = options.schemeFor?.(hotkey) ?? 'sr25519';
  if (claimed !== trusted) {
    return fail(
      'MalformedAuth',
      `${BTAUTH_HEADERS.crypto} says ${claimed} but this server knows ${hotkey} as ${trusted}; ` +
        `sign with that hotkey's ${trusted} key${trusted === 'sr25519' ? ' and omit the header' : ''}`,
    );
  }
  if (request.method.length === 0 || hasLineBreak(request.method) || hasLineBreak(request.target)) {
    return fail('MalformedAuth', 'request method or target contains a line break');
  }

  // 2. Receiver.
  const receiverHeader = values.receiver;
  const bound = receiverHeader !== undefined && receiverHeader !== '-';
  if (bound && receiverHeader !== options.receiver) {
    return fail(
      'WrongReceiver',
      `request is addressed to ${quoteForMessage(receiverHeader)} but this server is ${options.receiver}; ` +
        'sign with the receiver set to the hotkey you are calling',
    );
  }
  if (!bound && (options.requireReceiver ?? true)) {
    return fail(
      'WrongReceiver',
      `request is not bound to a receiver; set ${BTAUTH_HEADERS.receiver} to ${options.receiver} and sign it`,
    );
  }

  // 3. Freshness.
  const now = (options.now ?? defaultNow)();
  const age = now - nonce;
  if (age > maxAgeNs) {
    return fail(
      'StaleRequest',
      `nonce is ${seconds(age)} s old; requests are accepted for ${seconds(maxAgeNs)} s. Sign every attempt ` +
        'with a fresh nonce (unix time in ns) and check the client clock (NTP)',
    );
  }
  if (-age > maxFutureNs) {
    return fail(
      'StaleRequest',
      `nonce is ${seconds(-age)} s in the future; at most ${seconds(maxFutureNs)} s of clock skew is accepted. ` +
        'The client clock runs ahead: sync it (NTP) and make sure the nonce is unix time in nanoseconds',
    );
  }

  // 4. Signature over the payload rebuilt from what was received.
  const payload = payloadLines({
    scheme: trusted,
    method: request.method.toUpperCase(),
    target: request.target,
    bodySha256Hex: bodySha256Hex(request.body),
    nonce: nonceText,
    sender: hotkey,
    receiver: bound ? receiverHeader : '-',
  });
  if (!verifySignature(trusted, encoder.encode(payload), signature, publicKey)) {
    return fail(
      'BadSignature',
      `${trusted} signature does not verify for ${hotkey}. Sign the btauth/1 payload over the exact method, ` +
        'request target as sent (percent-encoded path + query), sha256 of the exact body bytes, nonce and receiver',
    );
  }

  // 5. Replay, only now that the sender is authenticated.
  const ttlMs = Math.ceil(Number(maxAgeNs + maxFutureNs) / 1e6);
  if (!(await options.replayStore.remember(hotkey, nonceText, ttlMs))) {
    return fail(
      'ReplayedRequest',
      `nonce ${nonceText} from ${hotkey} was already accepted; sign a fresh nonce for every attempt, retries included`,
    );
  }
  return { ok: true, hotkey, nonce, scheme: trusted };
}
