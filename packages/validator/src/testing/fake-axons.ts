/**
 * Local fake axons: plain Node HTTP servers on 127.0.0.1 that answer a synapse after a set delay,
 * for dendrite tests and the round benchmark. They do not verify signatures (the miner package does).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAxonReply {
  status?: number;
  body: unknown;
}

export interface FakeAxonsOptions {
  count: number;
  /** Delay before answering (ms), per axon index or for all. */
  delayMs?: number | ((index: number) => number);
  /** The answer of axon `index` to `synapse` with decoded `body` (default: echo the body). */
  respond?: (
    index: number,
    synapse: string,
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
  ) => FakeAxonReply | Promise<FakeAxonReply>;
}

export interface FakeAxons {
  axons: { ip: string; port: number }[];
  /** Requests each axon received. */
  hits: number[];
  close(): Promise<void>;
}

export async function startFakeAxons(options: FakeAxonsOptions): Promise<FakeAxons> {
  const servers: Server[] = [];
  const hits = new Array<number>(options.count).fill(0);
  const delayOf = (i: number) =>
    typeof options.delayMs === 'function' ? options.delayMs(i) : (options.delayMs ?? 0);
  for (let i = 0; i < options.count; i++) {
    const server = createServer((req, res) => {
      hits[i]!++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const synapse = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '');
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        const answer = async () => {
          const reply = options.respond ? await options.respond(i, synapse, body, req.headers) : { body };
          const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          if (!res.destroyed)
            res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(text);
        };
        const d = delayOf(i);
        const run = () => void answer().catch(() => res.destroy());
        if (d > 0) setTimeout(run, d);
        else run();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    axons: servers.map((s) => ({ ip: '127.0.0.1', port: (s.address() as AddressInfo).port })),
    hits,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
