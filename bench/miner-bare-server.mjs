// A bare Fastify server for bench/miner.bench.ts, as a child process like the `subnetkit miner` it is
// compared with: the axon's raw-body parser and one `POST /Compute` route answering a constant.
// BENCH_MODE=http: nothing else (the HTTP stack's own cost). BENCH_MODE=verify: the route first runs
// core's full btauth/1 verifyRequest (headers, receiver, freshness, body sha256, sr25519, an
// in-memory replay store) and answers 401 when it fails: the least a signed-request server does.
// Plain ESM on the built packages, so no TypeScript loader is needed.
import { MemoryReplayStore, verifyRequest } from '@subnetkit/core';
import Fastify from 'fastify';

const { BENCH_MODE, BENCH_RECEIVER } = process.env;
if (BENCH_MODE !== 'http' && BENCH_MODE !== 'verify') throw new Error('BENCH_MODE must be http or verify');
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
const options = { receiver: BENCH_RECEIVER, replayStore: new MemoryReplayStore() };
app.post('/Compute', async (request, reply) => {
  if (BENCH_MODE === 'verify') {
    const result = await verifyRequest(
      { method: request.method, target: request.raw.url, headers: request.headers, body: request.body },
      options,
    );
    if (!result.ok) return reply.code(401).type('application/json').send(JSON.stringify(result));
  }
  return reply.type('application/json').send('{"result":7}');
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ type: 'ready', port: app.server.address().port });
process.on('message', async (m) => {
  if (m?.type !== 'stop') return;
  await app.close();
  process.disconnect();
});
