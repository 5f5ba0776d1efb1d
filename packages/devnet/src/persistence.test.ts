import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevnet } from './devnet.js';
import { connect, type DevApi, key, send } from './test-helpers.js';

await cryptoWaitReady();
const alice = key('//Alice');
const dave = key('//Dave');
const TAO = 10n ** 9n;

const dir = mkdtempSync(join(tmpdir(), 'devnet-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freeOf(api: DevApi, address: string): Promise<bigint> {
  return (await api.query.system.account(address)).data.free.toBigInt();
}

/** Retries until the (reconnecting) api answers. */
async function eventually<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('persistence with --state', () => {
  it('keeps the chain across a restart and an ApiPromise reconnects to it', async () => {
    const statePath = join(dir, 'restart.json');
    let dn = await startDevnet({ port: 0, blockTime: 'instant', statePath });
    const port = dn.port;
    const genesisHash = dn.genesisHash;
    const api = await connect(dn.url);
    try {
      const before = await freeOf(api, dave.address);
      expect((await send(api, api.tx.balances.transferKeepAlive(dave.address, 7n * TAO), alice)).ok).toBe(
        true,
      );
      const best = dn.bestNumber();
      await dn.stop();
      expect(existsSync(statePath)).toBe(true);

      dn = await startDevnet({ port, blockTime: 'instant', statePath });
      expect(dn.genesisHash).toBe(genesisHash);
      expect(dn.bestNumber()).toBe(best);
      // The same ApiPromise reconnects on its own and sees the state.
      expect(await eventually(() => freeOf(api, dave.address))).toBe(before + 7n * TAO);
      await eventually(async () => {
        if (!api.isConnected) throw new Error('not reconnected yet');
      });
      const again = await eventually(() =>
        send(api, api.tx.balances.transferKeepAlive(dave.address, TAO), alice),
      );
      expect(again.ok).toBe(true);
      expect(await freeOf(api, dave.address)).toBe(before + 8n * TAO);
      expect((await api.query.system.account(alice.address)).nonce.toNumber()).toBe(2);
    } finally {
      await api.disconnect();
      await dn.stop();
    }
  });

  it('loses at most the last save interval after kill -9', async () => {
    const statePath = join(dir, 'kill.json');
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(entry), 'build the package first (npx tsc -b packages/devnet)').toBe(true);
    const script = `
      import { startDevnet } from ${JSON.stringify(entry)};
      const dn = await startDevnet({ port: 0, blockTime: 'instant', statePath: ${JSON.stringify(statePath)}, saveIntervalMs: 100 });
      console.log('URL ' + dn.url);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /URL (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`devnet child exited with ${code}`)));
      });
      const api = await connect(url);
      const before = await freeOf(api, dave.address);
      expect((await send(api, api.tx.balances.transferKeepAlive(dave.address, 3n * TAO), alice)).ok).toBe(
        true,
      );
      await api.disconnect();
      // Wait for more than one save interval, then kill without any shutdown path.
      await new Promise((r) => setTimeout(r, 600));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const dn = await startDevnet({ port: 0, blockTime: 'instant', statePath });
      try {
        const api2 = await connect(dn.url);
        expect(await freeOf(api2, dave.address)).toBe(before + 3n * TAO);
        await api2.disconnect();
      } finally {
        await dn.stop();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
