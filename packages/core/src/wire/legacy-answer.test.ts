/**
 * Vectors derived from the Python SDK sources (opentensor/bittensor 10.2.0):
 * - `bittensor/core/dendrite.py` (`call`, `preprocess_synapse_for_request`, `process_server_response`):
 *   the request body is `synapse.model_dump()`, a 200 body is the whole synapse, failures carry
 *   `{"message": ...}`, and `bt_header_axon_*` response headers override the body's `axon`;
 * - `bittensor/core/synapse.py` (`Synapse`, `TerminalInfo`, `to_headers`, `body_hash`): the base
 *   fields, the ten TerminalInfo keys, `bt_header_input_obj_<field>` = base64 JSON of an empty value
 *   of the field's type, `computed_body_hash` = sha3-256 over the hashes of `str()` of the hash fields;
 * - `bittensor/core/axon.py`: the success answer (`axon.status_code` 200, `Success`).
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryLegacyNonceStore } from '../auth/legacy-nonce-store.js';
import { buildLegacyRequest, LEGACY_TERMINAL_FIELDS, verifyLegacyRequest } from '../auth/legacy.js';
import { readLegacyAnswer } from './legacy-answer.js';

const json = { 'content-type': 'application/json' };

describe('buildLegacyRequest: what a Python v10 dendrite sends', () => {
  let keyring: Keyring;
  beforeAll(async () => {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519' });
  });

  it('sends the model_dump body, the placeholders and the hash, and a v10 axon accepts it', async () => {
    const signer = keyring.addFromUri('//Alice');
    const axonKey = keyring.addFromUri('//Bob').address;
    const { headers, body } = await buildLegacyRequest({
      signer,
      synapseName: 'Dummy',
      axon: { ip: '10.0.0.2', port: 8091, hotkey: axonKey },
      dendrite: { ip: '10.0.0.1', uuid: 'uuid-1' },
      fields: { text: 'hello', n: 3, tags: [] },
      requiredHashFields: ['text'],
      requiredFieldNames: ['text', 'n', 'tags'],
      nonce: 1_752_076_800_123_456_789n,
    });
    // One str hash field "hello" (protocol-facts §1.5 vector).
    expect(headers.computed_body_hash).toBe(
      'cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad',
    );
    // Empty instances of str, int and list: "" -> IiI=, 0 -> MA==, [] -> W10=.
    expect(headers).toMatchObject({
      bt_header_input_obj_text: 'IiI=',
      bt_header_input_obj_n: 'MA==',
      bt_header_input_obj_tags: 'W10=',
      name: 'Dummy',
      bt_header_dendrite_version: '10002000',
      bt_header_dendrite_nonce: '1752076800123456789',
    });
    // The nonce is an exact integer in the body (above 2^53), as Python's json.dumps writes it.
    expect(body).toContain('"nonce": 1752076800123456789');
    const parsed = JSON.parse(body) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed)).toEqual([
      'name',
      'timeout',
      'total_size',
      'header_size',
      'dendrite',
      'axon',
      'computed_body_hash',
      'text',
      'n',
      'tags',
    ]);
    expect(Object.keys(parsed.dendrite!)).toEqual([...LEGACY_TERMINAL_FIELDS]);
    expect(parsed.dendrite!.signature).toBe(headers.bt_header_dendrite_signature);
    expect(parsed.axon).toMatchObject({ ip: '10.0.0.2', port: 8091, hotkey: axonKey, status_code: null });
    expect(parsed.computed_body_hash).toBe('');
    const verdict = await verifyLegacyRequest(headers, body, {
      receiver: axonKey,
      nonceStore: new MemoryLegacyNonceStore(),
      requiredHashFields: ['text'],
      now: () => 1_752_076_801_000_000_000n,
    });
    expect(verdict.ok).toBe(true);
  });
});

describe('readLegacyAnswer: what a Python v10 dendrite accepts', () => {
  const synapse = 'Dummy';
  const served = {
    name: 'Dummy',
    timeout: 12.0,
    total_size: 0,
    header_size: 0,
    dendrite: { hotkey: '5Grw', nonce: 1 },
    axon: { status_code: 200, status_message: 'Success', process_time: 0.01 },
    computed_body_hash: '',
    dummy_input: 4,
    dummy_output: 8,
  };

  it('reads the subnet fields of a served synapse', () => {
    const answer = readLegacyAnswer(
      200,
      { ...json, bt_header_axon_status_code: '200' },
      JSON.stringify(served),
      {
        synapse,
      },
    );
    expect(answer).toEqual({ kind: 'served', fields: { dummy_input: 4, dummy_output: 8 } });
  });

  it('takes the status from the body when the header is absent, and lets the header override it', () => {
    expect(readLegacyAnswer(200, json, JSON.stringify(served), { synapse }).kind).toBe('served');
    expect(
      readLegacyAnswer(
        200,
        { ...json, bt_header_axon_status_code: '408', bt_header_axon_status_message: 'late' },
        JSON.stringify(served),
        { synapse },
      ),
    ).toEqual({ kind: 'failed', status: 408, message: 'late' });
  });

  it('reads failures as status plus message, FastAPI 422 included', () => {
    expect(
      readLegacyAnswer(401, json, '{"message": "Not Verified with error: Missing Nonce"}', { synapse }),
    ).toEqual({
      kind: 'failed',
      status: 401,
      message: 'Not Verified with error: Missing Nonce',
    });
    expect(readLegacyAnswer(422, json, '{"detail": [{"loc": ["body"]}]}', { synapse })).toEqual({
      kind: 'failed',
      status: 422,
      message: '',
    });
  });

  it('calls everything the SDK cannot parse a mismatch', () => {
    const mismatch = (status: number, headers: Record<string, string>, body: string, streaming = false) =>
      readLegacyAnswer(status, headers, body, { synapse, streaming }).kind;
    expect(mismatch(200, { 'content-type': 'text/html' }, '<html>')).toBe('mismatch');
    expect(mismatch(200, json, 'not json')).toBe('mismatch');
    expect(mismatch(200, json, '[1]')).toBe('mismatch');
    expect(mismatch(200, json, JSON.stringify({ ...served, name: 'Other' }))).toBe('mismatch');
    expect(mismatch(200, json, JSON.stringify({ ...served, axon: 'x' }))).toBe('mismatch');
    expect(mismatch(200, json, JSON.stringify({ dummy_output: 8 }))).toBe('mismatch');
    expect(mismatch(200, { ...json, bt_header_axon_status_code: '2OO' }, JSON.stringify(served))).toBe(
      'mismatch',
    );
    expect(mismatch(200, { ...json, bt_header_axon_process_time: 'soon' }, JSON.stringify(served))).toBe(
      'mismatch',
    );
    expect(mismatch(500, { 'content-type': 'text/plain' }, 'Internal Server Error')).toBe('mismatch');
    expect(mismatch(200, json, '', true)).toBe('mismatch');
    expect(mismatch(200, { 'content-type': 'text/event-stream' }, '', true)).toBe('served');
  });
});
