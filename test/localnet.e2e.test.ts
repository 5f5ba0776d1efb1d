/**
 * `subnetkit localnet` end to end: the one-command local subnet (devnet, a staked validator,
 * three echo miners of different quality, rounds on Redis, weights on chain) ranks the miners,
 * and it falls back to a private redis-server when nothing answers at the given Redis URL.
 */
import { ensureRedis, type Localnet, redisAnswers, startLocalnet } from '@subnetkit/cli';
import echo from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';

const quiet = pino({ level: 'silent' });

describe('subnetkit localnet', () => {
  let net: Localnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('starts devnet, miners and validator, and the weights on chain rank the miners by quality', async () => {
    net = await startLocalnet({
      plugin: echo,
      miners: 3,
      port: 0,
      blockTimeMs: 200,
      tempo: 5,
      logger: quiet,
    });
    const deadline = Date.now() + 90_000;
    let snap = await net.snapshot();
    for (;;) {
      const w = snap.neurons.map((n) => n.weight);
      // uid 0 is the validator; uids 1..3 are the honest, slow and faulty miners
      if ((await net.roundsScored()) >= 4 && w[1]! > w[2]! && w[2]! > w[3]!) break;
      if (Date.now() > deadline) throw new Error(`weights never ranked the miners: ${JSON.stringify(snap)}`);
      await new Promise((r) => setTimeout(r, 500));
      snap = await net.snapshot();
    }
    expect(snap.neurons.map((n) => n.role)).toEqual([
      'validator',
      'miner (honest)',
      'miner (slow)',
      'miner (faulty)',
    ]);
    expect(snap.neurons[1]!.weight).toBe(65535);
    expect(snap.neurons[3]!.weight).toBe(0);
    expect(snap.neurons.slice(1).every((n) => n.axon.startsWith('127.0.0.1:'))).toBe(true);
    expect(snap.neurons[1]!.score!).toBeGreaterThan(snap.neurons[3]!.score!);
    const stopped = net;
    net = undefined;
    await stopped.stop();
    // Everything is closed: the devnet no longer accepts connections.
    await expect(fetch(stopped.devnet.httpUrl, { method: 'POST' })).rejects.toThrow();
  });

  it('starts a private redis-server when nothing answers at the Redis URL, and stops it again', async () => {
    const messages: string[] = [];
    const redis = await ensureRedis('redis://127.0.0.1:1', (m) => messages.push(m));
    try {
      expect(redis.private).toBe(true);
      expect(await redisAnswers(redis.url)).toBe(true);
      expect(messages[0]).toMatch(/started a private memory-only redis-server/);
    } finally {
      await redis.stop();
    }
    expect(await redisAnswers(redis.url, 300)).toBe(false);
  });
});
