export { WalletError, type WalletErrorCode } from './errors.js';
export {
  ARGON2I_MEMLIMIT_BYTES,
  ARGON2I_OPSLIMIT,
  NACL_PREFIX,
  NACL_SALT,
  type KeyfileEncoding,
  decryptKeyfile,
  deriveKeyfileKey,
  encryptKeyfile,
  isEncryptedKeyfile,
  keyfileEncoding,
} from './keyfile.js';
export {
  SS58_FORMAT,
  type KeyfileData,
  type LoadedKey,
  cryptoReady,
  generateMnemonic,
  keyFromKeyfileData,
  keyFromMnemonic,
  keyFromSeed,
  keyFromSs58,
  polkadotSecretToPrivateKey,
  privateKeyToPolkadotSecret,
  publicKeyfileData,
} from './keypair.js';
export {
  type CreatedKey,
  type KeySource,
  type WalletOptions,
  type WalletSummary,
  type WriteKeyOptions,
  Wallet,
  defaultWalletPath,
  listWallets,
  signMessage,
} from './wallet.js';
