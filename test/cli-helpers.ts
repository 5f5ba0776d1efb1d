/** Running the real `subnetkit` bin (packages/cli/bin/subnetkit.js) as child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI entry point. */
export const CLI = resolve(import.meta.dirname, '../packages/cli/bin/subnetkit.js');

/** The test's environment without any SUBNETKIT_* variable, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SUBNETKIT_')) env[k] = v;
  return { ...env, ...extra };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `subnetkit <args>` to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`subnetkit ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs `subnetkit <args> --json` and parses its output; fails with the output when the command fails. */
export async function cliJson<T = Record<string, unknown>>(
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const r = await runCli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`subnetkit ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** A long-running `subnetkit` process (devnet, miner, validator). */
export interface CliProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop: () => Promise<number | null>;
}

/** Starts `subnetkit <args>`; resolves once its output matches `ready` (when given). */
export async function startCli(
  args: string[],
  env: Record<string, string> = {},
  ready?: RegExp,
  timeoutMs = 60_000,
): Promise<CliProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const proc: CliProcess = {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`subnetkit ${args[0]} not ready in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      if (!ready || ready.test(out)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      check();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!ready?.test(out)) reject(new Error(`subnetkit ${args[0]} exited ${code}:\n${out}`));
    });
    check();
  });
  return proc;
}
