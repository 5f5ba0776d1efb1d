import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseBlockTime, registerDevnetCommand } from './devnet.js';

describe('subnetkit devnet', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses --block-time', () => {
    expect(parseBlockTime('instant')).toBe('instant');
    expect(parseBlockTime('250')).toBe(250);
    expect(() => parseBlockTime('fast')).toThrow(/'instant' or a positive number of milliseconds/);
    expect(() => parseBlockTime('0')).toThrow(/--block-time/);
  });

  it('prints the URL and the dev accounts, answers JSON-RPC and stops on SIGINT', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      lines.push(a.join(' '));
    });
    const program = new Command('subnetkit').exitOverride();
    registerDevnetCommand(program);
    const run = program.parseAsync(['devnet', '--port', '0', '--block-time', 'instant'], { from: 'user' });
    let url = '';
    for (let i = 0; i < 200 && !url; i++) {
      await new Promise((r) => setTimeout(r, 25));
      url = /listening on (ws:\/\/\S+)/.exec(lines.join('\n'))?.[1] ?? '';
    }
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const text = lines.join('\n');
    expect(text).toContain('//Alice');
    expect(text).toContain('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
    const res = await fetch(url.replace('ws://', 'http://'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"system_chain","params":[]}',
    });
    expect(((await res.json()) as { result: string }).result).toBe('subnetkit devnet');
    process.emit('SIGINT');
    await run;
    expect(lines.join('\n')).toContain('SIGINT: stopping the devnet');
    await expect(fetch(url.replace('ws://', 'http://'))).rejects.toThrow();
  });
});
