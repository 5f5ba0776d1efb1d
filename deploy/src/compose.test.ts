/**
 * docker-compose.yml, prometheus.yml, the Dockerfile, .env.example and the compose setup script agree
 * with each other and with what subnetkit does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@subnetkit/chain';
import {
  EXPORTER_OPTIONS,
  MINER_OPTIONS,
  parseCommandLine,
  resolveServiceConfig,
  VALIDATOR_OPTIONS,
} from '@subnetkit/cli';
import { startDevnet } from '@subnetkit/devnet';
import { BACKEND_ENV_VAR, BACKEND_ORDER } from '@subnetkit/inference';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(DEPLOY, '..');
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  profiles?: string[];
  build?: { target?: string };
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  deploy?: { resources?: { reservations?: { devices?: { driver: string; capabilities: string[] }[] } } };
  environment?: Record<string, string>;
}
const compose = parse(read(ROOT, 'docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const prometheus = parse(read(DEPLOY, 'prometheus', 'prometheus.yml')) as {
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
};
const SUBNETKIT_IMAGE = /^subnetkit:/;

/** `${VAR:-default}` (nested defaults too) resolved to its default. */
function defaults(s: string): string {
  let out = s;
  for (let i = 0; i < 5; i++) out = out.replace(/\$\{[A-Z0-9_]+:-((?:[^${}]|\$\{[^}]*\})*)\}/g, '$1');
  return out;
}

/** The port a service's process listens on: its --port / --metrics-port, or an exporter image's default. */
function listenPort(name: string, svc: Service): number {
  const cmd = (svc.command ?? []).map(defaults);
  for (const flag of ['--metrics-port', '--port']) {
    const i = cmd.indexOf(flag);
    if (i >= 0) return Number(cmd[i + 1]);
  }
  if (svc.image?.startsWith('oliver006/redis_exporter')) return 9121; // redis_exporter's default listen port
  throw new Error(`service ${name} has no --port or --metrics-port in its command`);
}

describe('docker-compose.yml and prometheus.yml', () => {
  const targets = prometheus.scrape_configs.flatMap((j) =>
    j.static_configs.flatMap((c) => c.targets.map((t) => ({ job: j.job_name, target: t }))),
  );

  it('every scrape target is a compose service on the port its command listens on', () => {
    for (const { job, target } of targets) {
      const [host, port] = target.split(':');
      if (host === 'localhost') {
        expect(job).toBe('prometheus');
        expect(services.prometheus).toBeDefined();
        continue;
      }
      const svc = services[host ?? ''];
      expect(svc, `${job} scrapes ${target}, but compose has no service ${host}`).toBeDefined();
      expect(listenPort(host ?? '', svc as Service), `${job} scrapes ${target}`).toBe(Number(port));
    }
  });

  it('scrapes every miner, validator and exporter of the stack', () => {
    const scraped = new Set(targets.map((t) => t.target.split(':')[0]));
    const subnetkit = Object.entries(services).filter(
      ([, s]) =>
        SUBNETKIT_IMAGE.test(s.image ?? '') &&
        ['miner', 'validator', 'exporter'].includes(s.command?.[0] ?? ''),
    );
    expect(subnetkit.map(([n]) => n).sort()).toEqual([
      'exporter',
      'miner-0',
      'miner-1',
      'miner-gpu',
      'validator',
    ]);
    for (const [name] of subnetkit) expect(scraped.has(name), `${name} is not scraped`).toBe(true);
    expect(scraped.has('redis-exporter')).toBe(true);
  });

  it("every subnetkit service's command line parses with the real subnetkit parser, its settings valid", async () => {
    const tables = { miner: MINER_OPTIONS, validator: VALIDATOR_OPTIONS, exporter: EXPORTER_OPTIONS };
    const parsed: string[] = [];
    for (const [name, svc] of Object.entries(services)) {
      if (!SUBNETKIT_IMAGE.test(svc.image ?? '') || svc.entrypoint) continue;
      const args = (svc.command ?? []).map(defaults);
      const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, defaults(v)]));
      // Log settings from the environment, as the container's process sees them.
      const withEnv = [
        '--log-level',
        env.SUBNETKIT_LOG_LEVEL ?? 'info',
        '--log-format',
        env.SUBNETKIT_LOG_FORMAT ?? 'auto',
      ];
      const cmd = await parseCommandLine([...args, ...withEnv]).catch((err: Error) => {
        throw new Error(`compose service ${name}: subnetkit ${args.join(' ')}: ${err.message}`);
      });
      expect(cmd.name(), name).toBe(args[0]);
      const table = tables[cmd.name() as keyof typeof tables];
      if (table) expect(() => resolveServiceConfig(cmd, table, env), name).not.toThrow();
      parsed.push(name);
    }
    expect(parsed.sort()).toEqual(['devnet', 'exporter', 'miner-0', 'miner-1', 'miner-gpu', 'validator']);
    // The check can fail: a flag subnetkit does not have is refused.
    await expect(parseCommandLine(['exporter', '--netuid', '1', '--no-such-flag'])).rejects.toThrow(
      /unknown option '--no-such-flag'/,
    );
  });

  it('checks the health of miners, validator and exporter on /healthz at their port', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!['miner', 'validator', 'exporter'].includes(svc.command?.[0] ?? '')) continue;
      const test = svc.healthcheck?.test.join(' ') ?? '';
      expect(test, name).toContain(`http://127.0.0.1:${listenPort(name, svc)}/healthz`);
    }
  });

  it('keeps Redis (AOF) and the devnet state (--state) on volumes', () => {
    const redis = services.redis as Service;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.volumes).toContain('redis-data:/data');
    const devnet = services.devnet as Service;
    const cmd = devnet.command ?? [];
    const state = cmd[cmd.indexOf('--state') + 1] ?? '';
    expect(state.startsWith('/data/')).toBe(true);
    expect(devnet.volumes).toContain('devnet-data:/data');
    for (const v of ['redis-data', 'devnet-data', 'prometheus-data', 'grafana-data'])
      expect(compose.volumes).toHaveProperty(v);
  });

  it('reserves the GPUs for the gpu profile miner on the gpu image target', () => {
    const gpu = services['miner-gpu'] as Service;
    expect(gpu.profiles).toEqual(['gpu']);
    expect(gpu.build?.target).toBe('gpu');
    expect(gpu.deploy?.resources?.reservations?.devices?.[0]).toMatchObject({
      driver: 'nvidia',
      capabilities: ['gpu'],
    });
    for (const name of ['miner-0', 'miner-1', 'validator', 'exporter'])
      expect(services[name]?.profiles).toBeUndefined();
  });

  it('defines every variable compose reads in .env.example, with the same default', () => {
    const example = read(ROOT, '.env.example');
    const text = read(ROOT, 'docker-compose.yml');
    for (const m of text.matchAll(/\$\{([A-Z0-9_]+)(?::-((?:[^${}]|\$\{[^}]*\})*))?\}/g)) {
      const [, name, def] = m;
      const line = new RegExp(`^#? ?${name}=(.*)$`, 'm').exec(example);
      expect(line, `.env.example does not mention ${name}`).not.toBeNull();
      if (def !== undefined && !def.includes('$') && !line?.[0].startsWith('#'))
        expect(line?.[1], `${name}: compose default ${def}`).toBe(def);
    }
  });

  it('provisions the dashboards Grafana reads and the datasource they name', () => {
    const grafana = services.grafana as Service;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    const ds = parse(read(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(ds.datasources[0]).toMatchObject({ uid: 'subnetkit-prometheus', url: 'http://prometheus:9090' });
    const provider = parse(read(DEPLOY, 'grafana', 'provisioning', 'dashboards', 'subnetkit.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read(DEPLOY, 'Dockerfile');
  const stage = (name: string) => {
    const start = dockerfile.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
    expect(start, `no stage ${name}`).toBeGreaterThanOrEqual(0);
    const rest = dockerfile.slice(start);
    const end = rest.slice(1).search(/^FROM /m);
    return end < 0 ? rest : rest.slice(0, end + 1);
  };

  it('ships production dependencies only, as a non-root user, with subnetkit as entrypoint', () => {
    expect(stage('build')).toMatch(/npm prune --omit=dev/);
    const runtime = stage('runtime');
    expect(runtime).toMatch(/^USER subnetkit$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["subnetkit"\]$/m);
  });

  it('has a gpu stage on a CUDA runtime base installing tfjs-node-gpu, selecting the gpu backend', () => {
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:[\w.-]+-runtime-[\w.]+$/m);
    const gpu = stage('gpu');
    expect(gpu).toMatch(/^FROM \$\{CUDA_IMAGE\} AS gpu$/m);
    expect(gpu).toMatch(/npm install [^\n]*\\\n\s+"@tensorflow\/tfjs-node-gpu@\$\{TFJS_VERSION\}"/);
    expect(BACKEND_ORDER).toContain('gpu');
    expect(gpu).toMatch(new RegExp(`^\\s+${BACKEND_ENV_VAR}=gpu$`, 'm'));
    expect(gpu).toMatch(/^USER subnetkit$/m);
    expect(gpu).toMatch(/^ENTRYPOINT \["subnetkit"\]$/m);
  });
});

describe('compose setup (dev wallets and devnet genesis)', () => {
  it('restores the dev wallets and writes a genesis a devnet starts from, with the validator staked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subnetkit-compose-setup-'));
    try {
      const bin = join(ROOT, 'node_modules', '.bin', 'subnetkit');
      const out = execFileSync(process.execPath, [join(DEPLOY, 'compose', 'setup.mjs')], {
        encoding: 'utf8',
        env: {
          ...process.env,
          SUBNETKIT_CHAIN: '',
          SUBNETKIT_WALLET_DIR: join(dir, 'wallets'),
          SUBNETKIT_GENESIS_FILE: join(dir, 'setup', 'genesis.json'),
          SUBNETKIT_BIN: bin,
        },
      });
      const dev = JSON.parse(read(DEPLOY, 'compose', 'dev-wallets.json')) as {
        wallets: Record<string, { hotkey: string }>;
      };
      for (const w of Object.values(dev.wallets)) expect(out).not.toContain(w.hotkey.split(' ')[0] ?? '');
      // btcli keyfile layout: <wallet>/hotkeys/<name> is JSON with the address.
      const hotkeyOf = (wallet: string) =>
        (JSON.parse(read(dir, 'wallets', wallet, 'hotkeys', 'default')) as { ss58Address: string })
          .ss58Address;
      const devnet = await startDevnet({ port: 0, genesis: JSON.parse(read(dir, 'setup', 'genesis.json')) });
      const client = await connect(devnet.url);
      try {
        const mg = await client.syncMetagraph(1);
        for (const wallet of ['validator', 'miner-0', 'miner-1', 'miner-gpu'])
          expect(mg.hotkeys, wallet).toContain(hotkeyOf(wallet));
        expect(mg.stake[mg.hotkeys.indexOf(hotkeyOf('validator'))]).toBeGreaterThan(0);
      } finally {
        await client.close();
        await devnet.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('leaves the wallets alone against a real chain', () => {
    const out = execFileSync(process.execPath, [join(DEPLOY, 'compose', 'setup.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, SUBNETKIT_CHAIN: 'finney', SUBNETKIT_WALLET_DIR: '/nonexistent' },
    });
    expect(out).toMatch(/SUBNETKIT_CHAIN is finney, not the compose devnet; leaving the wallets alone/);
  });
});
