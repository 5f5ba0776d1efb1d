/** Error codes a wallet operation can fail with. */
export type WalletErrorCode =
  | 'WrongPassword'
  | 'PasswordRequired'
  | 'KeyfileNotFound'
  | 'KeyfileExists'
  | 'BadKeyfile'
  | 'UnsupportedKeyfile'
  | 'BadMnemonic'
  | 'BadSeed'
  | 'PublicOnly';

/** A wallet failure whose message names the cause and the fix. Never carries secret material. */
export class WalletError extends Error {
  readonly code: WalletErrorCode;
  constructor(code: WalletErrorCode, message: string) {
    super(message);
    this.name = 'WalletError';
    this.code = code;
  }
}
