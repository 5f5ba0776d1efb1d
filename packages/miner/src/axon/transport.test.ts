/**
 * Slow senders and oversized bodies over real sockets on 127.0.0.1: thousands of sockets that
 * trickle headers or declare more body than they send are closed at the configured timeouts while
 * signed callers keep being served, and a client uploading 64 MiB reads the 413.
 */
import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { signRequest } from '@subnetkit/core';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AxonPolicy, type AxonServer, createAxon } from '../axon.js';
import { staticMetagraph } from '../metagraph.js';
import {
  BODY_TIMEOUT_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
  transportServerOptions,
} from './transport.js';

let miner: KeyringPair;
let validator: KeyringPair;
const apps: AxonServer[] = [];

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  miner = keyring.addFromUri('//Bob');
  validator = keyring.addFromUri('//Alice');
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function startAxon(policy: AxonPolicy): Promise<{ app: AxonServer; port: number }> {
  const app = createAxon({
    plugin: echo,
    model: makeEchoModel({}),
    hotkey: miner,
    netuid: 1,
    metagraph: staticMetagraph({
      hotkeys: [miner.address, validator.address],
      stake: [0, 1000],
      validatorPermit: [false, true],
    }),
    logger: pino({ level: 'silent' }),
    policy,
  });
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

async function signedCall(port: number): Promise<number> {
  const body = JSON.stringify({ a: 1, b: 2, op: 'add' });
  const headers = await signRequest({
    signer: validator,
    method: 'POST',
    target: '/Compute',
    body,
    receiver: miner.address,
  });
  const res = await fetch(`http://127.0.0.1:${port}/Compute`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Opens a socket that sends `first` and then stays silent; resolves with it once connected. */
function openSlow(port: number, first: string): Promise<{ socket: Socket; closedAfter: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.on('data', () => {}); // the 408 Node writes before closing
    const closedAfter = new Promise<number>((r) =>
      socket.once('close', () => r(performance.now() - started)),
    );
    socket.once('error', () => {});
    socket.once('connect', () => {
      socket.write(first);
      resolve({ socket, closedAfter });
    });
    socket.once('error', reject);
  });
}

describe('axon transport limits', () => {
  it('defaults to the stated timeouts', () => {
    expect(transportServerOptions()).toEqual({
      requestTimeout: BODY_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      http: {
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: BODY_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
    });
    expect([HEADERS_TIMEOUT_MS, BODY_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS]).toEqual([10_000, 30_000, 15_000]);
    expect(() => transportServerOptions({ headersTimeoutMs: 5000, bodyTimeoutMs: 1000 })).toThrow(
      /must not exceed bodyTimeoutMs/,
    );
    expect(() => transportServerOptions({ keepAliveTimeoutMs: 0 })).toThrow(/positive integer/);
  });

  it('applies them to the listening server', async () => {
    const { app } = await startAxon({
      headersTimeoutMs: 4000,
      bodyTimeoutMs: 9000,
      keepAliveTimeoutMs: 7000,
    });
    expect(app.server.headersTimeout).toBe(4000);
    expect(app.server.requestTimeout).toBe(9000);
    expect(app.server.keepAliveTimeout).toBe(7000);
  });

  it('closes 2000 slow sockets (trickled headers, short bodies) within the timeouts while serving signed callers', async () => {
    const headersTimeoutMs = 2000;
    const bodyTimeoutMs = 3000;
    const { port } = await startAxon({ headersTimeoutMs, bodyTimeoutMs });
    const slow: { socket: Socket; closedAfter: Promise<number>; kind: 'headers' | 'body' }[] = [];
    for (let i = 0; i < 2000; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          (i + j) % 2 === 0
            ? openSlow(port, 'POST /Compute HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ').then((s) => ({
                ...s,
                kind: 'headers' as const,
              }))
            : openSlow(
                port,
                'POST /Compute HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
              ).then((s) => ({ ...s, kind: 'body' as const })),
        ),
      );
      slow.push(...batch);
    }
    // Half of the trickling sockets keep sending a header byte every 500 ms: activity must not
    // extend the header timeout.
    const trickle = setInterval(() => {
      for (const [n, s] of slow.entries()) {
        if (s.kind === 'headers' && n % 4 === 0 && !s.socket.destroyed) s.socket.write('x');
      }
    }, 500);
    try {
      // Signed callers are served while the slow sockets are open (before the first one closes).
      let firstClosed = false;
      void Promise.race(slow.map((s) => s.closedAfter)).then(() => {
        firstClosed = true;
      });
      const whileOpen: number[] = [];
      for (let i = 0; i < 5 && !firstClosed; i++) whileOpen.push(await signedCall(port));
      expect(whileOpen.length).toBeGreaterThan(0);
      expect(whileOpen.every((s) => s === 200)).toBe(true);

      const closed = await Promise.race([
        Promise.all(slow.map((s) => s.closedAfter.then((ms) => ({ ms, kind: s.kind })))),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('slow sockets still open 15 s in')), 15_000),
        ),
      ]);
      const worst = (kind: 'headers' | 'body') =>
        Math.max(...closed.filter((c) => c.kind === kind).map((c) => c.ms));
      // Node checks every second; allow the check interval plus scheduling slack on a busy machine.
      expect(worst('headers')).toBeLessThan(headersTimeoutMs + TIMEOUT_CHECK_INTERVAL_MS + 3000);
      expect(worst('body')).toBeLessThan(bodyTimeoutMs + TIMEOUT_CHECK_INTERVAL_MS + 3000);
      expect(await signedCall(port)).toBe(200);
    } finally {
      clearInterval(trickle);
      for (const s of slow) s.socket.destroy();
    }
  }, 60_000);

  it('a client uploading 64 MiB reads the 413 every time (content-length and chunked)', async () => {
    const { port } = await startAxon({});
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const upload = (chunked: boolean) =>
      new Promise<string>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/Compute',
          agent: false,
          headers: {
            'content-type': 'application/json',
            ...(chunked ? {} : { 'content-length': String(64 << 20) }),
          },
        });
        let status: number | undefined;
        req.on('response', (res) => {
          status = res.statusCode;
          res.resume();
          res.on('end', () => resolve(`status ${status}`));
        });
        req.on('error', (err: NodeJS.ErrnoException) =>
          resolve(status ? `status ${status}` : `error ${err.code}`),
        );
        let sent = 0;
        const write = () => {
          while (sent < 64) {
            sent++;
            if (!req.write(chunk)) {
              req.once('drain', write);
              return;
            }
          }
          req.end();
        };
        write();
      });
    // A raw socket pacing its upload (1 MiB every 5 ms), the client that met a reset before the fix.
    const paced = () =>
      new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        let got = '';
        socket.on('data', (d: Buffer) => {
          got += d.toString('latin1');
        });
        const status = () => /^HTTP\/1\.1 (\d+)/.exec(got)?.[1];
        socket.on('error', (err: NodeJS.ErrnoException) =>
          resolve(status() ? `status ${status()}` : `error ${err.code}`),
        );
        socket.on('close', () => resolve(status() ? `status ${status()}` : 'closed without an answer'));
        socket.on('connect', async () => {
          socket.write(
            `POST /Compute HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${64 << 20}\r\n\r\n`,
          );
          for (let i = 0; i < 64 && !socket.destroyed; i++) {
            if (!socket.write(chunk)) {
              await new Promise((r) => {
                socket.once('drain', r);
                socket.once('close', r);
              });
            }
            await new Promise((r) => setTimeout(r, 5));
          }
          socket.end();
        });
      });
    const results: string[] = [];
    for (let i = 0; i < 6; i++) results.push(await upload(i % 2 === 1));
    for (let i = 0; i < 6; i++) results.push(await paced());
    expect(results).toEqual(Array(12).fill('status 413'));
    const viaFetch = await fetch(`http://127.0.0.1:${port}/Compute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(64 << 20, 0x20),
    });
    expect(viaFetch.status).toBe(413);
    expect(((await viaFetch.json()) as { error: string }).error).toBe('PayloadTooLarge');
    expect(await signedCall(port)).toBe(200);
  }, 60_000);
});
