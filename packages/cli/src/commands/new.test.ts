import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillTemplate, matchesWorkspace, scaffoldSubnet, templateVersions } from './new.js';

const repo = join(import.meta.dirname, '../../../..');
const manifest = (path: string) =>
  JSON.parse(readFileSync(join(repo, path, 'package.json'), 'utf8')) as {
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

describe('subnetkit new', () => {
  it('writes a complete subnet package with every placeholder filled', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'subnetkit-new-'));
    const result = scaffoldSubnet({ name: 'demo-subnet', cwd });
    expect(result.dir).toBe(join(cwd, 'demo-subnet'));
    expect(result.workspaceRoot).toBeUndefined();
    expect(result.files).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/data.ts',
      'src/index.test.ts',
      'src/index.ts',
      'src/model.ts',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    for (const file of result.files) expect(readFileSync(join(result.dir, file), 'utf8')).not.toMatch(/\{\{/);
    const pkg = JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('demo-subnet');
    expect(pkg.dependencies['@subnetkit/core']).toBe(`^${manifest('packages/core').version}`);
    expect(pkg.dependencies['@subnetkit/inference']).toBe(`^${manifest('packages/inference').version}`);
    expect(readFileSync(join(result.dir, 'src/index.ts'), 'utf8')).toContain("name: 'demo-subnet'");
  });

  it('puts the package under ./subnets when it exists, or under --dir, and finds the workspace it joins', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'subnetkit-new-'));
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ workspaces: ['subnets/*'] }));
    mkdirSync(join(cwd, 'subnets'));
    const inside = scaffoldSubnet({ name: 'first', cwd });
    expect(inside.dir).toBe(join(cwd, 'subnets', 'first'));
    expect(inside.workspaceRoot).toBe(cwd);
    const elsewhere = scaffoldSubnet({ name: 'second', cwd, dir: 'lab' });
    expect(elsewhere.dir).toBe(join(cwd, 'lab', 'second'));
    expect(elsewhere.workspaceRoot).toBeUndefined();
  });

  it('refuses a bad name and a non-empty target, naming the fix', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'subnetkit-new-'));
    expect(() => scaffoldSubnet({ name: 'Demo Subnet', cwd })).toThrow(
      /lowercase letter then lowercase letters/,
    );
    scaffoldSubnet({ name: 'taken', cwd });
    expect(() => scaffoldSubnet({ name: 'taken', cwd })).toThrow(
      /exists and is not empty; pick another name or --dir/,
    );
  });

  it('fills templates strictly and matches workspace patterns', () => {
    expect(fillTemplate('a {{x}} b', { x: '1' })).toBe('a 1 b');
    expect(() => fillTemplate('{{y}}', {}, 'f.ts')).toThrow(/f.ts: no value for \{\{y\}\}/);
    expect(matchesWorkspace('subnets/demo', 'subnets/*')).toBe(true);
    expect(matchesWorkspace('lab/demo', 'subnets/*')).toBe(false);
    expect(matchesWorkspace('test', 'test')).toBe(true);
    expect(matchesWorkspace('a/b/c', 'a/**')).toBe(true);
  });

  it('pins the library ranges this repository builds and tests with', () => {
    const v = templateVersions();
    const root = manifest('.');
    expect(v.typeboxVersion).toBe(manifest('packages/core').dependencies!['@sinclair/typebox']);
    expect(v.tfjsVersion).toBe(manifest('packages/inference').dependencies!['@tensorflow/tfjs']);
    expect(v.typescriptVersion).toBe(root.devDependencies!.typescript);
    expect(v.vitestVersion).toBe(root.devDependencies!.vitest);
    expect(v.typesNodeVersion).toBe(root.devDependencies!['@types/node']);
  });
});
