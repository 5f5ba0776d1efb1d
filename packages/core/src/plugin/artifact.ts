/**
 * Binary artifacts: a synapse may answer with a large byte string (a model update, a dataset shard)
 * instead of a JSON response. The validator knows beforehand which bytes it accepts: a size cap and the
 * content hash the miner committed (on chain, before the round's deadline). These are the pure pieces both
 * sides share: the definition, the hash, and the incremental check that cuts an oversized artifact as soon
 * as it crosses the cap and refuses bytes whose hash differs from the expected one.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Hash functions an artifact may be committed with (both give 32 bytes). */
export type ArtifactHashAlgorithm = 'sha256' | 'blake2b-256';

/** What a synapse that answers with an artifact declares. */
export interface ArtifactDefinition {
  /** Larger artifacts are cut while they arrive and count as invalid. */
  maxBytes: number;
  /** Hash the miner commits and the validator checks (default sha256). */
  hash?: ArtifactHashAlgorithm;
  /** Content type on the wire (default `application/octet-stream`). */
  contentType?: string;
}

/** Why an artifact was refused. */
export type ArtifactRejection = 'size_cap' | 'hash_mismatch' | 'empty';

export type ArtifactCheck =
  | { ok: true; bytes: Uint8Array; hashHex: string }
  | { ok: false; reason: ArtifactRejection; message: string; received: number };

/** Raised by {@link artifactDefinition} for a definition that cannot work. */
export class ArtifactDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactDefinitionError';
  }
}

/** Validates a definition and fills the defaults. */
export function artifactDefinition(def: ArtifactDefinition): Required<ArtifactDefinition> {
  if (!Number.isSafeInteger(def.maxBytes) || def.maxBytes < 1)
    throw new ArtifactDefinitionError(
      `artifact.maxBytes must be a positive whole number of bytes, got ${def.maxBytes}; set it to the largest artifact you accept`,
    );
  const hash = def.hash ?? 'sha256';
  if (hash !== 'sha256' && hash !== 'blake2b-256')
    throw new ArtifactDefinitionError(
      `artifact.hash must be 'sha256' or 'blake2b-256', got '${String(hash)}'`,
    );
  return { maxBytes: def.maxBytes, hash, contentType: def.contentType ?? 'application/octet-stream' };
}

/** The 32-byte content hash of an artifact. */
export function artifactHash(bytes: Uint8Array, algorithm: ArtifactHashAlgorithm = 'sha256'): Uint8Array {
  return algorithm === 'sha256' ? sha256(bytes) : blake2b(bytes, { dkLen: 32 });
}

/** Lowercase hex (no 0x) of {@link artifactHash}. */
export function artifactHashHex(bytes: Uint8Array, algorithm: ArtifactHashAlgorithm = 'sha256'): string {
  return bytesToHex(artifactHash(bytes, algorithm));
}

function normaliseHash(expected: Uint8Array | string): string {
  if (typeof expected !== 'string') return bytesToHex(expected);
  const hex = expected.startsWith('0x') ? expected.slice(2) : expected;
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new ArtifactDefinitionError(
      `expected artifact hash must be 32 bytes (64 hex characters), got '${expected}'`,
    );
  return bytesToHex(hexToBytes(hex.toLowerCase()));
}

/**
 * Receives an artifact chunk by chunk: `push` returns false once the size cap is crossed (stop reading),
 * `finish` checks the hash against the expected one.
 */
export class ArtifactReceiver {
  readonly #def: Required<ArtifactDefinition>;
  readonly #expected: string;
  readonly #chunks: Uint8Array[] = [];
  #received = 0;

  constructor(def: ArtifactDefinition, expectedHash: Uint8Array | string) {
    this.#def = artifactDefinition(def);
    this.#expected = normaliseHash(expectedHash);
  }

  /** Bytes received so far (also past the cap, counted until the caller stops). */
  get received(): number {
    return this.#received;
  }

  /** Adds a chunk; false when the artifact is now over the cap (the caller should stop reading). */
  push(chunk: Uint8Array): boolean {
    this.#received += chunk.length;
    if (this.#received > this.#def.maxBytes) return false;
    this.#chunks.push(chunk);
    return true;
  }

  finish(): ArtifactCheck {
    const received = this.#received;
    if (received > this.#def.maxBytes)
      return {
        ok: false,
        reason: 'size_cap',
        received,
        message: `artifact is over the ${this.#def.maxBytes}-byte cap (${received} bytes received); the miner must serve the committed artifact within the cap`,
      };
    if (received === 0)
      return {
        ok: false,
        reason: 'empty',
        received,
        message: 'artifact is empty; the miner served no bytes',
      };
    const bytes = new Uint8Array(received);
    let off = 0;
    for (const c of this.#chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    const hashHex = artifactHashHex(bytes, this.#def.hash);
    if (hashHex !== this.#expected)
      return {
        ok: false,
        reason: 'hash_mismatch',
        received,
        message: `artifact ${this.#def.hash} ${hashHex} does not match the committed ${this.#expected}; the miner must serve exactly the bytes it committed`,
      };
    return { ok: true, bytes, hashHex };
  }
}

/** Checks a whole artifact at once (see {@link ArtifactReceiver}). */
export function checkArtifact(
  bytes: Uint8Array,
  def: ArtifactDefinition,
  expectedHash: Uint8Array | string,
): ArtifactCheck {
  const r = new ArtifactReceiver(def, expectedHash);
  r.push(bytes);
  return r.finish();
}
