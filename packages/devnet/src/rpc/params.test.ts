import { describe, expect, it } from 'vitest';
import { RpcError } from '../runtime/errors.js';
import { bytesParam, hexParam } from './methods.js';

describe('bytesParam', () => {
  it('decodes what hexParam accepts, to the same bytes', () => {
    for (const s of ['0x', '0x00ff', '0X00FF', 'abCD01', '', `0x${'9f'.repeat(20_000)}`]) {
      const bytes = bytesParam(s, 'extrinsic');
      expect(Buffer.from(bytes).toString('hex')).toBe(hexParam(s, 'extrinsic').slice(2));
    }
  });

  it('refuses what hexParam refuses, with the same error', () => {
    for (const bad of ['0x0', '0xzz', '0x00g0', 'xyz', '0x 00', `0x${'ab'.repeat(1000)}0g`, 12, null, {}]) {
      let want: unknown;
      try {
        hexParam(bad, 'extrinsic');
      } catch (e) {
        want = e;
      }
      expect(want).toBeInstanceOf(RpcError);
      expect(() => bytesParam(bad, 'extrinsic')).toThrow(want as RpcError);
      try {
        bytesParam(bad, 'extrinsic');
      } catch (e) {
        expect((e as RpcError).code).toBe((want as RpcError).code);
        expect((e as RpcError).data).toBe((want as RpcError).data);
      }
    }
  });
});
