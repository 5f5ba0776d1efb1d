// The load generator of the miner benches, as a child process of its own (forked by
// ./miner-production.ts), so the miner processes being measured share no thread or heap with it.
// It receives batches of requests signed before the timed loop over IPC and sends each batch through
// an undici Pool (keep-alive connections, HTTP/1.1 pipelining), then reports the wall time, the
// answers by status and the CPU this process used for the batch (process.cpuUsage: every thread).
// Plain ESM, no TypeScript loader needed.
import { Pool } from 'undici';

const pools = new Map();

function poolFor(port, connections, pipelining) {
  const key = `${port}/${connections}/${pipelining}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining, keepAliveTimeout: 60_000 });
    pools.set(key, pool);
  }
  return pool;
}

async function run({ id, port, requests, connections, pipelining }) {
  const pool = poolFor(port, connections, pipelining);
  const inFlight = connections * pipelining;
  const statuses = {};
  // Headers and bodies as undici sends them, built before the clock starts.
  const prepared = requests.map((r) => ({
    path: r.path,
    method: 'POST',
    headers: r.headers,
    body: Buffer.from(r.body),
  }));
  let next = 0;
  let firstError;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const lane = async () => {
    while (next < prepared.length) {
      const r = prepared[next++];
      try {
        const res = await pool.request(r);
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      } catch (err) {
        firstError ??= err;
        statuses.error = (statuses.error ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, prepared.length) }, lane));
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  process.send({
    id,
    ms,
    statuses,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(firstError ? { error: String(firstError.message ?? firstError) } : {}),
  });
}

process.on('message', (m) => {
  if (m?.type === 'run') {
    run(m).catch((err) => process.send({ id: m.id, error: String(err?.message ?? err) }));
  } else if (m?.type === 'stop') {
    Promise.all([...pools.values()].map((p) => p.destroy())).finally(() => process.disconnect());
  }
});
process.send({ type: 'ready' });
