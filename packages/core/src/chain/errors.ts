/** The one error the chain facts throw: an input that cannot be a chain value (an amount, an IP address). */
export class ChainValueError extends Error {
  /** Same code as `@subnetkit/chain`'s `ChainError` uses for bad input. */
  readonly code = 'BadInput' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ChainValueError';
  }
}
