/**
 * The runtime version as the devnet reports it everywhere: `Core_version`, `state_getRuntimeVersion`, the
 * `System.Version` constant and chainHead's runtime spec all list the same runtime APIs (the ones served).
 */
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';
import { CodecRegistry } from '../scale/codec.js';
import { RUNTIME_APIS, RUNTIME_DEFS, RUNTIME_VERSION } from './spec.js';

/** SCALE of `sp_version::RuntimeVersion`. */
export function runtimeVersionBytes(): Uint8Array {
  return new CodecRegistry(RUNTIME_DEFS).encode('sp_version::RuntimeVersion', {
    spec_name: RUNTIME_VERSION.specName,
    impl_name: RUNTIME_VERSION.implName,
    authoring_version: RUNTIME_VERSION.authoringVersion,
    spec_version: RUNTIME_VERSION.specVersion,
    impl_version: RUNTIME_VERSION.implVersion,
    apis: RUNTIME_APIS.map(([name, version]) => [blake2AsU8a(name, 64), version]),
    transaction_version: RUNTIME_VERSION.transactionVersion,
    system_version: RUNTIME_VERSION.stateVersion,
  });
}

/** `[blake2-64 of the API name (hex), version]` of every served runtime API. */
export function runtimeApiIds(): [string, number][] {
  return RUNTIME_APIS.map(([name, version]) => [blake2AsHex(name, 64), version]);
}

/** RuntimeVersion as the JSON of state_getRuntimeVersion. */
export function runtimeVersionJson() {
  return { ...RUNTIME_VERSION, apis: runtimeApiIds(), systemVersion: RUNTIME_VERSION.stateVersion };
}

/** The runtime spec of chainHead_v1_follow's `initialized` / `newBlock` events. */
export function chainHeadRuntimeSpec() {
  return {
    specName: RUNTIME_VERSION.specName,
    implName: RUNTIME_VERSION.implName,
    specVersion: RUNTIME_VERSION.specVersion,
    implVersion: RUNTIME_VERSION.implVersion,
    transactionVersion: RUNTIME_VERSION.transactionVersion,
    apis: Object.fromEntries(runtimeApiIds()),
  };
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const CODE_SECTION_NAME = 'subnetkit-devnet-runtime';

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/**
 * What the well-known `:code` key holds. The devnet runtime is TypeScript, so this is a valid, empty wasm
 * module whose one custom section carries the runtime version and the blake2-256 of the metadata: the bytes
 * (and so the code hash clients key runtimes by) change exactly when the runtime description changes.
 */
export function runtimeCode(metadata: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode(CODE_SECTION_NAME);
  const payload = [...leb128(name.length), ...name, ...runtimeVersionBytes(), ...blake2AsU8a(metadata, 256)];
  return Uint8Array.from([...WASM_MAGIC, 0x00, ...leb128(payload.length), ...payload]);
}
