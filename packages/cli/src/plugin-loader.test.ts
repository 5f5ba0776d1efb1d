import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSubnetPlugin } from './plugin-loader.js';

describe('loadSubnetPlugin', () => {
  it('loads a built-in subnet by short name and by package name', async () => {
    expect((await loadSubnetPlugin('echo')).name).toBe('echo');
    expect((await loadSubnetPlugin('@subnetkit/subnet-echo')).name).toBe('echo');
  });

  it('says what is wrong with a missing path, a failing import and a non-subnet module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subnetkit-loader-'));
    await expect(loadSubnetPlugin('./nope.js', dir)).rejects.toThrow(/no file at .*nope\.js/);
    await expect(loadSubnetPlugin('@subnetkit/not-a-package')).rejects.toThrow(/could not import/);
    writeFileSync(join(dir, 'plain.mjs'), 'export default { name: "x" };\n');
    await expect(loadSubnetPlugin('./plain.mjs', dir)).rejects.toThrow(
      /not a subnet; export default defineSubnet/,
    );
  });
});
