/**
 * Request authentication: btauth/1 signing and verification (native), the legacy v10 axon/dendrite
 * scheme (accepted during migration), and the signature verifiers both use.
 */
export * from './btauth.js';
export {
  decodeHexExact,
  decodeSs58PublicKey,
  type HeaderBag,
  type HeaderLookup,
  HeaderReader,
  toHex,
} from './encoding.js';
export * from './legacy.js';
export * from './legacy-nonce-store.js';
export * from './python-str.js';
export * from './replay-store.js';
export * from './signature.js';
