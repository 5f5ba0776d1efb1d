import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TrainProgress } from '@subnetkit/core';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../index.js';
import { registerTrainCommand, runTrain, trainProgressPrinter } from './train.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const report = (epoch: number): TrainProgress => ({
  epoch,
  epochs: 2,
  loss: 0.5 / epoch,
  accuracy: 0.8 + epoch / 100,
  elapsedMs: epoch * 2_000,
  etaMs: (2 - epoch) * 2_000,
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) > 0 } };
}

describe('trainProgressPrinter', () => {
  it('redraws one bar in place on a TTY, with a newline after the last epoch', () => {
    const { chunks, stream } = sink(true);
    const print = trainProgressPrinter({ stream });
    print(report(1));
    print(report(2));
    const clear = '\r\x1b[2K';
    expect(chunks[0]).toBe(
      `${clear}epoch 1/2 [${'#'.repeat(15)}${'-'.repeat(15)}] loss 0.5000 acc 81.0% 2s elapsed, ETA 2s`,
    );
    expect(chunks[1]).toBe(`${clear}epoch 2/2 [${'#'.repeat(30)}] loss 0.2500 acc 82.0% 4s elapsed, ETA 0s`);
    expect(chunks[2]).toBe('\n');
  });

  it('writes one plain line per epoch elsewhere', () => {
    const { chunks, stream } = sink(false);
    const print = trainProgressPrinter({ stream });
    print(report(1));
    print(report(2));
    expect(chunks).toEqual([
      `epoch 1/2 [${'#'.repeat(15)}${'-'.repeat(15)}] loss 0.5000 acc 81.0% 2s elapsed, ETA 2s\n`,
      `epoch 2/2 [${'#'.repeat(30)}] loss 0.2500 acc 82.0% 4s elapsed, ETA 0s\n`,
    ]);
  });
});

describe('subnetkit train', () => {
  it('is listed in subnetkit --help and documents its flags', () => {
    expect(buildProgram().helpInformation()).toContain('train');
    const program = new Command('subnetkit');
    registerTrainCommand(program);
    const help = program.commands[0]!.helpInformation();
    for (const flag of ['--subnet', '--data-dir', '--epochs', '--subset', '--seed', '--backend']) {
      expect(help).toContain(flag);
    }
  });

  it('rejects bad numbers and backends before doing anything', async () => {
    const program = new Command('subnetkit').exitOverride().configureOutput({ writeErr: () => {} });
    registerTrainCommand(program);
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {} });
    const run = (...args: string[]) =>
      program.parseAsync(['node', 'subnetkit', 'train', '--subnet', 'vision', ...args]);
    await expect(run('--epochs', '0')).rejects.toThrow(/--epochs must be an integer/);
    await expect(run('--subset', '1.5')).rejects.toThrow(/--subset must be an integer/);
    await expect(run('--backend', 'tpu')).rejects.toThrow(/--backend must be/);
  });

  it('refuses a subnet without a tensor model', async () => {
    await expect(runTrain({ subnet: 'echo' }, () => {})).rejects.toThrow(
      '--subnet echo: subnet echo serves no tensor model (no miner.model); there is nothing to train',
    );
  });

  it('trains the vision model on a subset, reporting every epoch, and saves it where the miner loads it', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'subnetkit-train-'));
    dirs.push(dataDir);
    const progress: TrainProgress[] = [];
    const { trained, summary } = await runTrain(
      { subnet: 'vision', dataDir, subset: 300, epochs: 2, backend: 'wasm' },
      (p) => progress.push(p),
    );
    trained.model.dispose();
    expect(progress.map((p) => p.epoch)).toEqual([1, 2]);
    expect(progress[1]!.accuracy).toBeGreaterThan(0);
    expect(existsSync(path.join(dataDir, 'model', 'model.json'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'model', 'weights.bin'))).toBe(true);
    expect(summary).toMatch(
      new RegExp(
        `^trained subnet vision in [\\d.]+ s on wasm/\\S+ \\(300 examples, 2 epochs\\): accuracy 0\\.\\d{4}, distorted_accuracy 0\\.\\d{4}; saved to ${path.join(dataDir, 'model')}$`,
      ),
    );
  }, 120_000);
});
