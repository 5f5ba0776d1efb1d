/**
 * Where a node keeps update and model bytes by their sha256, and which subnet model each round started
 * from, so a restart neither refetches nor recomputes them. Bytes are checked against their hash when
 * read back, so a damaged file is a miss, never a wrong model.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateHash } from './weights.js';

/** Bytes by hash, and each round's base model hash. */
export interface UpdateStore {
  /** Stores `bytes`; returns their hash (hex). */
  put(bytes: Uint8Array): string;
  /** The bytes of `hash`, when held (and intact). */
  get(hash: string): Uint8Array | undefined;
  /** The hash of the subnet model round `round` started from, when known. */
  baseOf(round: number): string | undefined;
  setBase(round: number, hash: string): void;
  /** Every round with a known base, ascending. */
  baseRounds(): number[];
}

/** An in-memory {@link UpdateStore}. */
export class MemoryUpdateStore implements UpdateStore {
  protected readonly blobs = new Map<string, Uint8Array>();
  protected readonly bases = new Map<number, string>();

  put(bytes: Uint8Array): string {
    const hash = updateHash(bytes);
    this.blobs.set(hash, bytes);
    return hash;
  }

  get(hash: string): Uint8Array | undefined {
    return this.blobs.get(hash.toLowerCase());
  }

  baseOf(round: number): string | undefined {
    return this.bases.get(round);
  }

  setBase(round: number, hash: string): void {
    this.bases.set(round, hash);
  }

  baseRounds(): number[] {
    return [...this.bases.keys()].sort((a, b) => a - b);
  }
}

/** A {@link MemoryUpdateStore} backed by a directory: `<hash>.bin` files and `bases.json`. */
export class DirUpdateStore extends MemoryUpdateStore {
  readonly #dir: string;

  constructor(dir: string) {
    super();
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
    try {
      const saved = JSON.parse(readFileSync(join(dir, 'bases.json'), 'utf8')) as Record<string, string>;
      for (const [round, hash] of Object.entries(saved))
        if (/^\d+$/.test(round) && /^[0-9a-f]{64}$/.test(hash)) this.bases.set(Number(round), hash);
    } catch {
      // No bases yet (first start) or an unreadable file: rebuilt from the chain.
    }
  }

  override put(bytes: Uint8Array): string {
    const hash = super.put(bytes);
    const file = join(this.#dir, `${hash}.bin`);
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    return hash;
  }

  override get(hash: string): Uint8Array | undefined {
    const held = super.get(hash);
    if (held) return held;
    const key = hash.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(key)) return undefined;
    try {
      const bytes = new Uint8Array(readFileSync(join(this.#dir, `${key}.bin`)));
      if (updateHash(bytes) !== key) return undefined;
      this.blobs.set(key, bytes);
      return bytes;
    } catch {
      return undefined;
    }
  }

  override setBase(round: number, hash: string): void {
    super.setBase(round, hash);
    const file = join(this.#dir, 'bases.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(this.bases)));
    renameSync(`${file}.tmp`, file);
  }
}
