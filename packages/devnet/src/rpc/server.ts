/**
 * JSON-RPC 2.0 over WebSocket and HTTP POST on one port. Bad input gets a JSON-RPC error, never a crash:
 * -32700 parse error, -32600 invalid request, -32601 unknown method, -32602 invalid params.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { RpcError } from '../runtime/errors.js';
import type { RpcMethods, Subscriber } from './methods.js';

type Id = string | number | null;

interface Reply {
  jsonrpc: '2.0';
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const MAX_BODY = 16 * 1024 * 1024;

function errorReply(id: Id, code: number, message: string, data?: unknown): Reply {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

export class RpcServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly rpc: RpcMethods,
    private readonly log?: Logger,
  ) {
    this.http = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.http, maxPayload: MAX_BODY });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    // ws re-emits the HTTP server's errors (EADDRINUSE...); listen() reports them, so only log here.
    this.wss.on('error', (err) => this.log?.debug({ err }, 'devnet: server error'));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        const addr = this.http.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => {
      this.http.close(() => r());
      this.http.closeAllConnections();
    });
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.writeHead(req.method === 'GET' ? 200 : 405, { 'content-type': 'text/plain' });
      res.end(
        req.method === 'GET' ? 'subnetkit devnet: JSON-RPC over WebSocket or HTTP POST\n' : 'use POST\n',
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        aborted = true;
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorReply(null, -32600, 'Invalid Request', 'request body too large')));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (aborted) return;
      void this.handleText(Buffer.concat(chunks).toString('utf8'), null).then((out) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(out === null ? '' : JSON.stringify(out));
      });
    });
    req.on('error', () => {});
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    const subs = new Map<string, () => void>();
    const conn = { ws, subs };
    ws.on('message', (data) => {
      void this.handleText(data.toString(), conn).then((out) => {
        if (out !== null && ws.readyState === ws.OPEN) ws.send(JSON.stringify(out));
      });
    });
    ws.on('close', () => {
      this.sockets.delete(ws);
      for (const fn of subs.values()) fn();
      subs.clear();
    });
    ws.on('error', () => {});
  }

  /** Handles a request text; returns the reply (object, array for batches) or null for notifications. */
  async handleText(text: string, conn: Conn | null): Promise<Reply | Reply[] | null> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return errorReply(null, -32700, 'Parse error');
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0) return errorReply(null, -32600, 'Invalid Request', 'empty batch');
      const out = (await Promise.all(msg.map((m) => this.handleOne(m, conn)))).filter(
        (r): r is Reply => r !== null,
      );
      return out.length ? out : null;
    }
    return this.handleOne(msg, conn);
  }

  private async handleOne(msg: unknown, conn: Conn | null): Promise<Reply | null> {
    if (typeof msg !== 'object' || msg === null) return errorReply(null, -32600, 'Invalid Request');
    const m = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id: Id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null;
    if (m.jsonrpc !== '2.0' || typeof m.method !== 'string') return errorReply(id, -32600, 'Invalid Request');
    let params: unknown[];
    if (m.params === undefined || m.params === null) params = [];
    else if (Array.isArray(m.params)) params = m.params;
    else return errorReply(id, -32602, 'Invalid params', 'params must be an array');
    try {
      const result = await this.call(m.method, params, conn);
      return m.id === undefined ? null : { jsonrpc: '2.0', id, result };
    } catch (e) {
      if (e instanceof RpcError) return errorReply(id, e.code, e.message, e.data);
      this.log?.error({ err: e, method: m.method }, 'devnet: RPC method failed');
      return errorReply(id, -32603, 'Internal error', (e as Error).message);
    }
  }

  private call(method: string, params: unknown[], conn: Conn | null): unknown | Promise<unknown> {
    const fn = this.rpc.methods.get(method);
    if (fn) return fn(params);
    const sub = this.rpc.subscriptions.get(method);
    if (sub) {
      if (!conn) throw new RpcError(-32601, `Method not found: subscriptions need a WebSocket (${method})`);
      return this.subscribe(conn, sub.fn, params);
    }
    for (const s of this.rpc.subscriptions.values()) {
      if (s.unsubscribe === method) {
        const [yes, no] = s.unsubscribeReturnsNull ? [null, null] : [true, false];
        if (!conn) return no;
        const id = params[0];
        if (typeof id !== 'string')
          throw new RpcError(-32602, 'Invalid params', 'subscription id must be a string');
        const cleanup = conn.subs.get(id);
        if (!cleanup) return no;
        cleanup();
        conn.subs.delete(id);
        return yes;
      }
    }
    throw new RpcError(-32601, 'Method not found');
  }

  private async subscribe(
    conn: Conn,
    fn: (p: unknown[], s: Subscriber) => void | Promise<void>,
    params: unknown[],
  ): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const cleanups: (() => void)[] = [];
    let ready = false;
    const queue: string[] = [];
    const flush = (text: string) => {
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
    };
    const sub: Subscriber = {
      id,
      send: (method, result) => {
        const text = JSON.stringify({ jsonrpc: '2.0', method, params: { subscription: id, result } });
        // Notifications sent while subscribing must follow the reply that carries the id.
        if (ready) flush(text);
        else queue.push(text);
      },
      onClose: (f) => cleanups.push(f),
      end: () => {
        const c = conn.subs.get(id);
        if (c) {
          c();
          conn.subs.delete(id);
        }
      },
    };
    conn.subs.set(id, () => {
      for (const f of cleanups.splice(0)) f();
    });
    try {
      await fn(params, sub);
    } catch (e) {
      conn.subs.get(id)?.();
      conn.subs.delete(id);
      throw e;
    }
    setImmediate(() => {
      ready = true;
      for (const t of queue.splice(0)) flush(t);
    });
    return id;
  }
}

interface Conn {
  ws: WebSocket;
  subs: Map<string, () => void>;
}
