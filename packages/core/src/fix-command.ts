/**
 * The one home of "how to fix it" hints that name a `subnetkit` command. Every package builds such
 * hints with {@link fixCommand}, so a hint can only name a command and flags listed here, and the
 * CLI's tests run each listed command's `--help` and check that it takes every listed flag.
 */

/** Each command a hint may name, with the flags a hint may pass to it. */
export const FIX_COMMANDS = {
  'wallet create': ['--wallet', '--hotkey', '--wallet-path'],
  'wallet regen': ['--wallet', '--hotkey', '--key', '--mnemonic', '--seed'],
  'wallet balance': ['--wallet', '--chain'],
  'wallet transfer': ['--wallet', '--dest', '--amount', '--chain'],
  'devnet fund': ['--amount', '--chain'],
  'subnet create': ['--wallet', '--chain'],
  'subnet start': ['--netuid', '--wallet', '--chain'],
  'subnet register': ['--netuid', '--wallet', '--hotkey', '--chain'],
  'subnet metagraph': ['--netuid', '--chain'],
  'stake add': ['--netuid', '--wallet', '--hotkey', '--amount', '--chain'],
} as const satisfies Record<string, readonly string[]>;

/** A command a hint may name. */
export type FixCommandName = keyof typeof FIX_COMMANDS;

/** The flags a hint may give `C`, with their values (`<name>` placeholders are fine). */
export type FixCommandFlags<C extends FixCommandName> = Partial<
  Record<(typeof FIX_COMMANDS)[C][number], string | number>
>;

/**
 * The command line a user should run, e.g. `fixCommand('subnet register', { '--netuid': 1 })` is
 * `subnetkit subnet register --netuid 1`. `args` are positional arguments (`devnet fund <ss58>`).
 */
export function fixCommand<C extends FixCommandName>(
  command: C,
  flags: FixCommandFlags<C> = {},
  args: readonly string[] = [],
): string {
  const parts: string[] = ['subnetkit', command, ...args];
  for (const [flag, value] of Object.entries(flags) as [string, string | number | undefined][]) {
    if (value !== undefined) parts.push(flag, String(value));
  }
  return parts.join(' ');
}
