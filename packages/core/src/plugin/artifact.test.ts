import { createHash } from 'node:crypto';
import { blake2AsHex } from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import {
  ArtifactDefinitionError,
  ArtifactReceiver,
  artifactDefinition,
  artifactHashHex,
  checkArtifact,
} from './artifact.js';

const bytes = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
const sha = createHash('sha256').update(bytes).digest('hex');

describe('artifacts', () => {
  it('hashes with sha256 and blake2b-256 like the reference implementations', () => {
    expect(artifactHashHex(bytes)).toBe(sha);
    expect(`0x${artifactHashHex(bytes, 'blake2b-256')}`).toBe(blake2AsHex(bytes, 256));
  });

  it('accepts exactly the committed bytes (hash as hex, 0x-hex or bytes)', () => {
    for (const expected of [sha, `0x${sha}`, Buffer.from(sha, 'hex')]) {
      const r = checkArtifact(bytes, { maxBytes: 1000 }, expected);
      expect(r).toMatchObject({ ok: true, hashHex: sha });
    }
  });

  it('refuses other bytes, naming both hashes', () => {
    const other = bytes.slice();
    other[0]! ^= 1;
    const r = checkArtifact(other, { maxBytes: 1000 }, sha);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('hash_mismatch');
      expect(r.message).toContain(`does not match the committed ${sha}`);
    }
  });

  it('cuts a streamed artifact as soon as it crosses the cap', () => {
    const rx = new ArtifactReceiver({ maxBytes: 999 }, sha);
    expect(rx.push(bytes.subarray(0, 500))).toBe(true);
    expect(rx.push(bytes.subarray(500))).toBe(false);
    const r = rx.finish();
    expect(r).toMatchObject({ ok: false, reason: 'size_cap', received: 1000 });
    expect(checkArtifact(new Uint8Array(0), { maxBytes: 10 }, sha)).toMatchObject({
      ok: false,
      reason: 'empty',
    });
  });

  it('assembles chunks in order before hashing', () => {
    const rx = new ArtifactReceiver(
      { maxBytes: 1000, hash: 'blake2b-256' },
      artifactHashHex(bytes, 'blake2b-256'),
    );
    for (let i = 0; i < 1000; i += 300) rx.push(bytes.subarray(i, i + 300));
    expect(rx.finish().ok).toBe(true);
  });

  it('refuses unusable definitions and expected hashes with the fix', () => {
    expect(() => artifactDefinition({ maxBytes: 0 })).toThrow(ArtifactDefinitionError);
    expect(() => artifactDefinition({ maxBytes: 10, hash: 'md5' as never })).toThrow(
      /'sha256' or 'blake2b-256'/,
    );
    expect(() => checkArtifact(bytes, { maxBytes: 10 }, 'abc')).toThrow(/64 hex characters/);
    expect(artifactDefinition({ maxBytes: 5 })).toEqual({
      maxBytes: 5,
      hash: 'sha256',
      contentType: 'application/octet-stream',
    });
  });
});
