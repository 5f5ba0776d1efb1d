/** Decoding an axon as subtensor stores it (protocol facts 2.5; the IP codec is core's). Pure. */
import { type AxonEndpoint, decodeIp } from '@subnetkit/core';

/** An axon as published on chain, decoded. */
export interface AxonInfo extends AxonEndpoint {
  /** Block of the last serve_axon (0 when never served). */
  block: number;
  version: number;
  ipType: number;
  protocol: number;
}

/** Reads a little-endian unsigned integer of `len` bytes. */
export function readUintLE(bytes: Uint8Array, offset: number, len: number): bigint {
  let v = 0n;
  for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0);
  return v;
}

/**
 * Decodes the SCALE bytes of `AxonInfo { block u64, version u32, ip u128, port u16, ip_type u8, protocol u8,
 * placeholder1 u8, placeholder2 u8 }` (34 bytes). Returns null for absent/short values.
 */
export function decodeAxonInfo(bytes: Uint8Array | null | undefined): AxonInfo | null {
  if (!bytes || bytes.length < 34) return null;
  const ipType = bytes[30]!;
  return {
    block: Number(readUintLE(bytes, 0, 8)),
    version: Number(readUintLE(bytes, 8, 4)),
    ip: decodeIp(readUintLE(bytes, 12, 16), ipType),
    port: Number(readUintLE(bytes, 28, 2)),
    ipType,
    protocol: bytes[31]!,
  };
}
