import { describe, expect, it } from 'vitest';
import { FIX_COMMANDS, fixCommand } from './fix-command.js';

describe('fixCommand', () => {
  it('spells a command line from the table, skipping unset flags', () => {
    expect(
      fixCommand('subnet register', { '--netuid': 3, '--wallet': '<name>', '--hotkey': undefined }),
    ).toBe('subnetkit subnet register --netuid 3 --wallet <name>');
    expect(fixCommand('devnet fund', { '--amount': 10 }, ['5F...'])).toBe(
      'subnetkit devnet fund 5F... --amount 10',
    );
  });

  it('lists only long flags', () => {
    for (const flags of Object.values(FIX_COMMANDS))
      for (const f of flags) expect(f).toMatch(/^--[a-z][a-z-]*$/);
  });
});
