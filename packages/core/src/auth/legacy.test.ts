import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeHexExact } from './encoding.js';
import {
  buildLegacyHeaders,
  LEGACY_EMPTY_BODY_HASH,
  type LegacyVerifyResult,
  legacyBodyHash,
  legacyBodyHashOfValues,
  legacyFailure,
  legacyMessage,
  type VerifyLegacyOptions,
  verifyLegacyRequest,
} from './legacy.js';
import {
  type LegacyNonceStore,
  type LegacyNonceVerdict,
  MemoryLegacyNonceStore,
} from './legacy-nonce-store.js';
import { pyFloat } from './python-str.js';
import { verifySignature } from './signature.js';

const NOW = 1_752_076_800_000_000_000n;
const SECOND = 1_000_000_000n;
const UUID = 'b3f0c2a4-5d1e-11f0-9c3a-0242ac120002';

let validator: KeyringPair;
let miner: KeyringPair;
let other: KeyringPair;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice');
  miner = keyring.addFromUri('//Bob');
  other = keyring.addFromUri('//Charlie');
});

/** A Dummy-like synapse whose `required_hash_fields` are (`prompt`, `seed`). */
const HASH_FIELDS = ['prompt', 'seed'] as const;
function synapse(prompt = 'hello', seed = 7) {
  return {
    name: 'Prompt',
    timeout: 12.0,
    total_size: 0,
    header_size: 0,
    dendrite: { hotkey: null },
    axon: { hotkey: null },
    computed_body_hash: '',
    prompt,
    seed,
  };
}

async function legacyRequest(
  args: {
    nonce?: bigint;
    version?: number;
    uuid?: string;
    body?: ReturnType<typeof synapse>;
    axonHotkey?: string;
  } = {},
) {
  const body = args.body ?? synapse();
  const headers = await buildLegacyHeaders({
    signer: validator,
    synapseName: 'Prompt',
    axon: { ip: '10.0.0.2', port: 8091, hotkey: args.axonHotkey ?? miner.address },
    dendrite: {
      ip: '10.0.0.1',
      uuid: args.uuid ?? UUID,
      ...(args.version === undefined ? {} : { version: args.version }),
    },
    bodyHash: legacyBodyHash(body, HASH_FIELDS),
    requiredFields: { prompt: body.prompt, seed: body.seed },
    nonce: args.nonce ?? NOW,
  });
  return { headers, body: JSON.stringify(body) };
}

function options(overrides: Partial<VerifyLegacyOptions> = {}): VerifyLegacyOptions {
  return {
    receiver: miner.address,
    nonceStore: new MemoryLegacyNonceStore(),
    requiredHashFields: HASH_FIELDS,
    now: () => NOW,
    ...overrides,
  };
}

function failure(result: LegacyVerifyResult): { status: number; message: string } {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  return result;
}

describe('legacy v10 body hash', () => {
  it('matches the spec vectors computed with the Python SDK rules', () => {
    expect(legacyBodyHashOfValues(['hello'])).toBe(
      'cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad',
    );
    expect(legacyBodyHashOfValues([[1, 2, 3], true])).toBe(
      '093de0679bfc1d0033fe773e950065aee5169b81b35aef9a43de9d15800b301e',
    );
    expect(legacyBodyHashOfValues([])).toBe(LEGACY_EMPTY_BODY_HASH);
    expect(legacyBodyHash({ anything: 1 }, [])).toBe(LEGACY_EMPTY_BODY_HASH);
  });

  it('hashes nested values and float markers like CPython', () => {
    // CPython: H(H(str({'a': 1, 'b': [1.5, None, True, "it's"]})) + H(str(0.1)) + H("raw 'text'"))
    expect(legacyBodyHashOfValues([{ a: 1, b: [1.5, null, true, "it's"] }, 0.1, "raw 'text'"])).toBe(
      '250c7e8a7987b41b28a97168dc9f2faaa3803680f80367ac16fc2dd3522b793a',
    );
    expect(legacyBodyHashOfValues([pyFloat(1)])).not.toBe(legacyBodyHashOfValues([1]));
  });

  it('takes fields from a synapse object in the declared order, missing ones as None', () => {
    expect(legacyBodyHash({ x: 'hello', y: 1 }, ['x'])).toBe(legacyBodyHashOfValues(['hello']));
    expect(legacyBodyHash({ b: true, a: [1, 2, 3] }, ['a', 'b'])).toBe(
      legacyBodyHashOfValues([[1, 2, 3], true]),
    );
    expect(legacyBodyHash({}, ['gone'])).toBe(legacyBodyHashOfValues([null]));
  });

  it('builds the signed message in the v10 order', () => {
    expect(
      legacyMessage({
        nonce: 5n,
        dendriteHotkey: 'D',
        axonHotkey: 'A',
        uuid: 'U',
        bodyHash: LEGACY_EMPTY_BODY_HASH,
      }),
    ).toBe(`5.D.A.U.${LEGACY_EMPTY_BODY_HASH}`);
  });
});

describe('buildLegacyHeaders', () => {
  it('produces the headers a Python v10 dendrite sends, with a verifiable signature', async () => {
    const { headers, body } = await legacyRequest();
    const bodyHash = legacyBodyHash(JSON.parse(body), HASH_FIELDS);
    expect(headers).toEqual({
      name: 'Prompt',
      timeout: '12.0',
      bt_header_axon_ip: '10.0.0.2',
      bt_header_axon_port: '8091',
      bt_header_axon_hotkey: miner.address,
      bt_header_dendrite_ip: '10.0.0.1',
      bt_header_dendrite_version: '10002000',
      bt_header_dendrite_nonce: NOW.toString(),
      bt_header_dendrite_uuid: UUID,
      bt_header_dendrite_hotkey: validator.address,
      bt_header_dendrite_signature: expect.stringMatching(/^0x[0-9a-f]{128}$/),
      bt_header_input_obj_prompt: 'IiI=',
      bt_header_input_obj_seed: 'MA==',
      header_size: '0',
      total_size: '0',
      computed_body_hash: bodyHash,
    });
    const message = `${NOW}.${validator.address}.${miner.address}.${UUID}.${bodyHash}`;
    const signature = decodeHexExact(headers.bt_header_dendrite_signature!, 64)!;
    expect(
      verifySignature('sr25519', new TextEncoder().encode(message), signature, validator.publicKey),
    ).toBe(true);
  });

  it('uses Python empty-instance placeholders per value type and str(float) timeouts', async () => {
    const headers = await buildLegacyHeaders({
      signer: validator,
      synapseName: 'S',
      axon: { ip: '1.2.3.4', port: 1, hotkey: miner.address },
      dendrite: { ip: '5.6.7.8', uuid: UUID },
      bodyHash: LEGACY_EMPTY_BODY_HASH,
      timeout: 2.5,
      requiredFields: { l: [1], f: pyFloat(2), d: { a: 1 }, b: true, n: null, r: 0.5 },
    });
    expect(headers.timeout).toBe('2.5');
    expect(headers.bt_header_input_obj_l).toBe('W10=');
    expect(headers.bt_header_input_obj_f).toBe('MC4w');
    expect(headers.bt_header_input_obj_r).toBe('MC4w');
    expect(headers.bt_header_input_obj_d).toBe('e30=');
    expect(headers.bt_header_input_obj_b).toBe('ZmFsc2U=');
    expect(headers.bt_header_input_obj_n).toBe('bnVsbA==');
    // Fresh nonces are strictly increasing.
    const again = await buildLegacyHeaders({
      signer: validator,
      synapseName: 'S',
      axon: { ip: '1.2.3.4', port: 1, hotkey: miner.address },
      dendrite: { ip: '5.6.7.8', uuid: UUID },
      bodyHash: LEGACY_EMPTY_BODY_HASH,
    });
    expect(BigInt(again.bt_header_dendrite_nonce!) > BigInt(headers.bt_header_dendrite_nonce!)).toBe(true);
  });

  it('refuses a non-sr25519 signer', async () => {
    const ed = new Keyring({ type: 'ed25519' }).addFromUri('//Alice');
    await expect(
      buildLegacyHeaders({
        signer: ed,
        synapseName: 'S',
        axon: { ip: '1.2.3.4', port: 1, hotkey: miner.address },
        dendrite: { ip: '5.6.7.8', uuid: UUID },
        bodyHash: LEGACY_EMPTY_BODY_HASH,
      }),
    ).rejects.toThrow(/sr25519/);
  });
});

describe('verifyLegacyRequest', () => {
  it('accepts a keyring-signed request, from raw bytes, text or a parsed object', async () => {
    const { headers, body } = await legacyRequest();
    const expected = {
      ok: true,
      hotkey: validator.address,
      uuid: UUID,
      nonce: NOW,
      endpointKey: `${validator.address}:${UUID}`,
    };
    expect(await verifyLegacyRequest(headers, new TextEncoder().encode(body), options())).toEqual(expected);
    expect(await verifyLegacyRequest(headers, body, options())).toEqual(expected);
    expect(await verifyLegacyRequest(headers, JSON.parse(body), options())).toEqual(expected);
  });

  it('requires strictly increasing nonces per hotkey:uuid', async () => {
    const store = new MemoryLegacyNonceStore();
    const first = await legacyRequest();
    expect((await verifyLegacyRequest(first.headers, first.body, options({ nonceStore: store }))).ok).toBe(
      true,
    );
    const replay = failure(
      await verifyLegacyRequest(first.headers, first.body, options({ nonceStore: store })),
    );
    expect(replay).toEqual({
      ok: false,
      status: 401,
      message: 'Not Verified with error: Nonce is too old, a newer one was last processed',
    });
    const older = await legacyRequest({ nonce: NOW - 1n });
    expect(
      failure(await verifyLegacyRequest(older.headers, older.body, options({ nonceStore: store }))).status,
    ).toBe(401);
    const newer = await legacyRequest({ nonce: NOW + 1n });
    expect((await verifyLegacyRequest(newer.headers, newer.body, options({ nonceStore: store }))).ok).toBe(
      true,
    );
    // Another dendrite instance (uuid) of the same hotkey has its own sequence.
    const otherUuid = await legacyRequest({ uuid: 'another-uuid' });
    expect(
      (await verifyLegacyRequest(otherUuid.headers, otherUuid.body, options({ nonceStore: store }))).ok,
    ).toBe(true);
    // Once seen, a key needs no freshness: only monotonicity (Python rule).
    const later = options({ nonceStore: store, now: () => NOW + 3_600n * SECOND });
    const next = await legacyRequest({ nonce: NOW + 2n });
    expect((await verifyLegacyRequest(next.headers, next.body, later)).ok).toBe(true);
  });

  it('applies the first-request window of 4 s + timeout for dendrites >= 7.2.0', async () => {
    // 16 s window (4 + 12): a nonce exactly 16 s old is rejected (must be strictly newer).
    const edge = await legacyRequest({ nonce: NOW - 16n * SECOND });
    expect(failure(await verifyLegacyRequest(edge.headers, edge.body, options())).message).toBe(
      'Not Verified with error: Nonce is too old: acceptable delta is 16.00 seconds but request was 16.00 seconds old',
    );
    const inside = await legacyRequest({ nonce: NOW - 16n * SECOND + 1n });
    expect((await verifyLegacyRequest(inside.headers, inside.body, options())).ok).toBe(true);
    // Older SDKs (< 7.2.0, or no version) only get the monotonic rule.
    const old = await legacyRequest({ nonce: NOW - 3_600n * SECOND, version: 7_001_000 });
    expect((await verifyLegacyRequest(old.headers, old.body, options())).ok).toBe(true);
    const noVersion = await legacyRequest({ nonce: NOW - 3_600n * SECOND });
    delete (noVersion.headers as Record<string, string>).bt_header_dendrite_version;
    expect((await verifyLegacyRequest(noVersion.headers, noVersion.body, options())).ok).toBe(true);
  });

  it('caps the unsigned timeout header when sizing the window', async () => {
    const stale = await legacyRequest({ nonce: NOW - 100n * SECOND });
    const headers = { ...stale.headers, timeout: '1000.0' };
    expect(failure(await verifyLegacyRequest(headers, stale.body, options())).message).toMatch(
      /64\.00 seconds/,
    );
    expect((await verifyLegacyRequest(headers, stale.body, options({ maxTimeoutS: 1_000 }))).ok).toBe(true);
  });

  it('accepts future nonces unless maxFutureMs is set', async () => {
    const future = await legacyRequest({ nonce: NOW + 60n * SECOND });
    expect((await verifyLegacyRequest(future.headers, future.body, options())).ok).toBe(true);
    expect(
      failure(await verifyLegacyRequest(future.headers, future.body, options({ maxFutureMs: 2_000 })))
        .message,
    ).toMatch(/future/);
  });

  it('requires a signature, unlike the Python axon', async () => {
    const { headers, body } = await legacyRequest();
    const { bt_header_dendrite_signature: _dropped, ...unsigned } = headers;
    expect(failure(await verifyLegacyRequest(unsigned, body, options())).message).toMatch(
      /^Not Verified with error: Missing Signature/,
    );
  });

  it('reports missing fields with the Python messages', async () => {
    const { headers, body } = await legacyRequest();
    const { bt_header_dendrite_nonce: _n, ...noNonce } = headers;
    expect(failure(await verifyLegacyRequest(noNonce, body, options()))).toEqual({
      ok: false,
      status: 401,
      message: 'Not Verified with error: Missing Nonce',
    });
    for (const name of ['bt_header_dendrite_hotkey', 'bt_header_dendrite_uuid', 'computed_body_hash']) {
      const { [name]: _gone, ...rest } = headers;
      expect(failure(await verifyLegacyRequest(rest, body, options())).status).toBe(401);
    }
  });

  it('rejects altered signatures, messages and bodies', async () => {
    const { headers, body } = await legacyRequest();
    const sig = headers.bt_header_dendrite_signature!;
    const flipped = `${sig.slice(0, 20)}${sig[20] === '0' ? '1' : '0'}${sig.slice(21)}`;
    expect(
      failure(
        await verifyLegacyRequest({ ...headers, bt_header_dendrite_signature: flipped }, body, options()),
      ).message,
    ).toMatch(/^Not Verified with error: Signature mismatch with /);
    const laterNonce = { ...headers, bt_header_dendrite_nonce: (NOW + 1n).toString() };
    expect(failure(await verifyLegacyRequest(laterNonce, body, options())).status).toBe(401);
    const otherUuid = { ...headers, bt_header_dendrite_uuid: 'x' };
    expect(failure(await verifyLegacyRequest(otherUuid, body, options())).status).toBe(401);
    const otherSender = { ...headers, bt_header_dendrite_hotkey: other.address };
    expect(failure(await verifyLegacyRequest(otherSender, body, options())).status).toBe(401);

    // A hash field changed in the body: the header hash no longer describes it.
    const changed = JSON.stringify(synapse('hello!'));
    expect(failure(await verifyLegacyRequest(headers, changed, options()))).toMatchObject({
      status: 400,
      message: /Body hash mismatch/,
    });
    // ... and with the header hash updated to match, the signature (over the old hash) fails.
    const rehashed = { ...headers, computed_body_hash: legacyBodyHash(JSON.parse(changed), HASH_FIELDS) };
    expect(failure(await verifyLegacyRequest(rehashed, changed, options())).message).toMatch(
      /Signature mismatch/,
    );
    // Fields outside required_hash_fields are not covered (a documented weakness of v10).
    const unlisted = JSON.stringify({ ...synapse(), name: 'Other' });
    expect((await verifyLegacyRequest(headers, unlisted, options())).ok).toBe(true);
  });

  it('rejects a request meant for another axon', async () => {
    const { headers, body } = await legacyRequest({ axonHotkey: other.address });
    expect(failure(await verifyLegacyRequest(headers, body, options())).message).toMatch(
      /addressed to axon hotkey/,
    );
    // Without the axon header the message still binds this axon's hotkey, so the signature fails.
    const { bt_header_axon_hotkey: _a, ...noAxon } = headers;
    expect(failure(await verifyLegacyRequest(noAxon, body, options())).message).toMatch(/Signature mismatch/);
  });

  it('supports a custom body hash', async () => {
    const body = { ...synapse(), temperature: 1 };
    const bodyHash = legacyBodyHashOfValues([pyFloat(body.temperature)]);
    const headers = await buildLegacyHeaders({
      signer: validator,
      synapseName: 'Prompt',
      axon: { ip: '1.2.3.4', port: 1, hotkey: miner.address },
      dendrite: { ip: '5.6.7.8', uuid: UUID },
      bodyHash,
      nonce: NOW,
    });
    const computeBodyHash = (s: Readonly<Record<string, unknown>>) =>
      legacyBodyHashOfValues([pyFloat(s.temperature as number)]);
    expect((await verifyLegacyRequest(headers, JSON.stringify(body), options({ computeBodyHash }))).ok).toBe(
      true,
    );
    expect(
      failure(
        await verifyLegacyRequest(
          headers,
          JSON.stringify(body),
          options({ requiredHashFields: ['temperature'] }),
        ),
      ).status,
    ).toBe(400);
  });

  it('touches the nonce store only after the signature verifies', async () => {
    let calls = 0;
    const inner = new MemoryLegacyNonceStore();
    const store: LegacyNonceStore = {
      advance: (key, nonce, floor): Promise<LegacyNonceVerdict> => {
        calls++;
        return inner.advance(key, nonce, floor);
      },
    };
    const { headers, body } = await legacyRequest();
    await verifyLegacyRequest(
      { ...headers, bt_header_dendrite_nonce: '123' },
      body,
      options({ nonceStore: store }),
    );
    await verifyLegacyRequest(headers, JSON.stringify(synapse('x')), options({ nonceStore: store }));
    expect(calls).toBe(0);
    expect((await verifyLegacyRequest(headers, body, options({ nonceStore: store }))).ok).toBe(true);
    expect(calls).toBe(1);
  });

  it('never throws on garbage', async () => {
    const { headers, body } = await legacyRequest();
    const bad: [unknown, unknown][] = [
      [null, body],
      [42, body],
      [{ ...headers, bt_header_dendrite_nonce: ['1', '2'] }, body],
      [{ ...headers, BT_HEADER_DENDRITE_NONCE: headers.bt_header_dendrite_nonce }, body],
      [{ ...headers, bt_header_dendrite_nonce: '-5' }, body],
      [{ ...headers, bt_header_dendrite_nonce: '9'.repeat(100_000) }, body],
      [{ ...headers, bt_header_dendrite_hotkey: 'x'.repeat(100_000) }, body],
      [{ ...headers, bt_header_dendrite_uuid: 'a.b' }, body],
      [{ ...headers, bt_header_dendrite_uuid: 'u'.repeat(65) }, body],
      [{ ...headers, bt_header_dendrite_signature: '0xzz' }, body],
      [{ ...headers, bt_header_dendrite_version: 'ten' }, body],
      [{ ...headers, timeout: 'soon' }, body],
      [{ ...headers, timeout: '-1' }, body],
      [{ ...headers, computed_body_hash: 'ABC' }, body],
      [headers, '{not json'],
      [headers, '[1, 2]'],
      [headers, new Uint8Array([0xff, 0xfe])],
      [headers, `${'['.repeat(5000)}${']'.repeat(5000)}`],
      [headers, JSON.stringify({ ...synapse(), prompt: JSON.parse(`${'['.repeat(500)}${']'.repeat(500)}`) })],
    ];
    for (const [h, b] of bad) {
      const result = await verifyLegacyRequest(h as never, b as never, options());
      expect(result.ok).toBe(false);
    }
  });
});

describe('MemoryLegacyNonceStore', () => {
  it('keeps at most maxEntries keys, forgetting the least recently used', async () => {
    const store = new MemoryLegacyNonceStore({ maxEntries: 2 });
    expect(await store.advance('a', 1n, undefined)).toBe('accepted');
    expect(await store.advance('b', 1n, undefined)).toBe('accepted');
    expect(await store.advance('a', 2n, undefined)).toBe('accepted'); // a is now most recent
    expect(await store.advance('c', 1n, undefined)).toBe('accepted'); // evicts b
    expect(store.size).toBe(2);
    expect(await store.advance('a', 2n, undefined)).toBe('not-increasing');
    expect(await store.advance('b', 1n, 5n)).toBe('too-old-first'); // b forgotten: first-request rule again
    expect(() => new MemoryLegacyNonceStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('legacyFailure', () => {
  it('shapes the body as {message} with the axon status headers', () => {
    const f = legacyFailure(401, 'Not Verified with error: Missing Nonce');
    expect(f.status).toBe(401);
    expect(JSON.parse(f.body)).toEqual({ message: 'Not Verified with error: Missing Nonce' });
    expect(f.headers).toEqual({
      'content-type': 'application/json',
      bt_header_axon_status_code: '401',
      bt_header_axon_status_message: 'Not Verified with error: Missing Nonce',
    });
    expect(legacyFailure(500, 'caf\u00e9\nboom').headers.bt_header_axon_status_message).toBe('caf??boom');
  });

  it('adds the wire-error kind to the body when given', () => {
    expect(JSON.parse(legacyFailure(401, 'LegacyAuth: Missing Nonce', 'LegacyAuth').body)).toEqual({
      error: 'LegacyAuth',
      message: 'LegacyAuth: Missing Nonce',
    });
    expect(JSON.parse(legacyFailure(401, 'x').body)).toEqual({ message: 'x' });
  });
});
