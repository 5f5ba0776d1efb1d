// A validator process for the fault tests (test/validator.faults.test.ts): started with its
// configuration in $VALIDATOR_CHILD_CONFIG, killed with SIGKILL mid-round, started again.
// Plain ESM over the built packages, so it needs no TypeScript loader.
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect } from '@subnetkit/chain';
import { btauthSigner, startValidator, subtensorValidatorChain } from '@subnetkit/validator';
import { adderPlugin } from '@subnetkit/validator/testing';
import { pino } from 'pino';

const cfg = JSON.parse(process.env.VALIDATOR_CHILD_CONFIG ?? '{}');
await cryptoWaitReady();
const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(cfg.uri);
const client = await connect(cfg.chainUrl);
const logger = pino({ level: cfg.logLevel ?? 'warn' }, pino.destination(2));
const validator = await startValidator({
  plugin: adderPlugin,
  netuid: cfg.netuid,
  hotkey: hotkey.address,
  sign: btauthSigner(hotkey),
  chain: subtensorValidatorChain(client, hotkey),
  redis: cfg.redis,
  redisOptions: { retryStrategy: () => 100 },
  keyPrefix: cfg.prefix,
  emaAlpha: cfg.alpha,
  roundIntervalMs: cfg.roundIntervalMs,
  weightsCheckIntervalMs: cfg.weightsCheckIntervalMs,
  weightsBackoffMs: 200,
  weightsAttempts: 30,
  lockDurationMs: cfg.lockDurationMs,
  stalledIntervalMs: cfg.stalledIntervalMs,
  batchSize: 1,
  workers: 4,
  resyncBlocks: 5,
  logger,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void validator
    .stop()
    .then(() => client.close())
    .finally(() => process.exit(0));
});
