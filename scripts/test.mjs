#!/usr/bin/env node
/**
 * `npm test`: every package's Vitest suite through Turborepo. The suites need a Redis on
 * 127.0.0.1:6379 (BullMQ rounds, replay and score stores); when none answers there, this starts a
 * private memory-only redis-server on that port for the run and stops it afterwards. Without
 * redis-server installed it fails with one line naming the fix. Arguments are passed to turbo.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';

const HOST = '127.0.0.1';
const PORT = 6379;

/** Does something answer a Redis PING on HOST:PORT within `timeoutMs`? */
function redisAnswers(timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port: PORT });
    let reply = '';
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

function haveRedisServer() {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

async function startPrivateRedis() {
  const child = spawn(
    'redis-server',
    ['--port', String(PORT), '--bind', HOST, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (let i = 0; i < 100 && !exited; i++) {
    if (await redisAnswers(200)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(
    `npm test: redis-server did not start on ${HOST}:${PORT} (is the port taken by something else?); free the port or start Redis there yourself`,
  );
}

let redis;
if (!(await redisAnswers())) {
  if (!haveRedisServer()) {
    console.error(
      `npm test: the tests need Redis on ${HOST}:${PORT}; nothing answers there and redis-server is not installed: install it (apt-get install redis-server, or brew install redis) or start a Redis on ${HOST}:${PORT}`,
    );
    process.exit(1);
  }
  try {
    redis = await startPrivateRedis();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log(
    `npm test: no Redis answered on ${HOST}:${PORT}; started a private memory-only redis-server for this run`,
  );
}

const turbo = spawn(
  'npx',
  ['turbo', 'run', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
const stop = (signal) => turbo.kill(signal);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
turbo.on('exit', (code, signal) => {
  if (redis) redis.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});
