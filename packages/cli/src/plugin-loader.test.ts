import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

  it('loads a subnet package directory through its package.json entry, and says when it is not built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subnetkit-loader-'));
    const pkg = join(dir, 'my-subnet');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'my-subnet', type: 'module', exports: { '.': { default: './dist/index.js' } } }),
    );
    await expect(loadSubnetPlugin('my-subnet', dir)).rejects.toThrow(
      /entry .*dist\/index\.js does not exist; build it first \(npm run build in .*my-subnet\)/,
    );
    const echoUrl = import.meta.resolve('@subnetkit/subnet-echo');
    writeFileSync(join(pkg, 'dist', 'index.js'), `export { default } from ${JSON.stringify(echoUrl)};\n`);
    expect((await loadSubnetPlugin('my-subnet', dir)).name).toBe('echo');
    expect((await loadSubnetPlugin(pkg)).name).toBe('echo');
    await expect(loadSubnetPlugin('./', mkdtempSync(join(tmpdir(), 'subnetkit-loader-')))).rejects.toThrow(
      /directory without package.json/,
    );
  });
});
