/**
 * The test relay's Docker files, checked without a Docker engine (none runs here):
 * - docker-compose.yml is validated and normalized by Debian's docker-compose 1.29 (`config`), whose YAML
 *   output is read with the YAML library docker-compose itself runs on (the Python of its shebang), so no
 *   YAML dependency is added; the services, profiles, published ports and hardening are checked on it.
 * - The Dockerfile and deploy/coturn/turnserver.conf are checked statically.
 * - The `turn` service's exact command line (Dockerfile ENTRYPOINT + compose `command` + compose
 *   `environment`) is run outside Docker on loopback, changing only what cannot exist on this machine, and
 *   must answer STUN over UDP, TLS handshakes, a TURN REST Allocate and /metrics, and exit 0 on SIGTERM.
 * - The `coturn` service's command line and config are run with Debian's coturn the same way.
 * The compose-based tests are skipped (and counted) only when /usr/bin/docker-compose is missing
 * (scripts/setup-test-env.sh installs it); the coturn one also needs /usr/bin/turnserver.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable, TURNSERVER } from '../../lab/coturn.js';
import { freePort } from '../../lab/coturn-turn.js';
import { parseServeLine } from '../../src/report/serve-schema.js';
import { iceConfigSchema } from '../../src/web/api-schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { decodeMessage, getAddress, getErrorCode } from '../../src/wire/message.js';
import { mintRestCredentials } from '../../src/wire/rest-credentials.js';
import { RawTurnClient } from '../support/turn-raw.js';
import { bindingRequest, udpClient } from './stun-server-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE = '/usr/bin/docker-compose';
const composeAvailable = existsSync(COMPOSE);

/** Values of the variables the compose file requires; the external IP is a documentation address. */
const SECRET = 'compose-test-secret';
const EXTERNAL_IP = '203.0.113.7';

interface PortObject {
  published: number | string;
  target: number | string;
  protocol?: string;
  host_ip?: string;
}

interface Service {
  image?: string;
  build?: { context: string };
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: (string | PortObject)[];
  profiles?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  volumes?: string[];
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  ulimits?: { nofile?: { soft: number; hard: number } };
}

interface ComposeConfig {
  version?: string;
  services: Record<string, Service>;
  networks: Record<string, { ipam?: { config?: { subnet: string; ip_range?: string }[] } }>;
}

/** One published port, normalized: `"udp 3478->3478"`, `"127.0.0.1 tcp 9641->9641"`. */
interface Published {
  hostIp: string | null;
  published: number;
  target: number;
  protocol: string;
}

const key = (p: Published): string =>
  `${p.hostIp ? `${p.hostIp} ` : ''}${p.protocol} ${p.published}->${p.target}`;

/** `"49160-49200"` → [49160, ..., 49200]; `"3478"` → [3478]. */
function range(text: string): number[] {
  const [lo = Number.NaN, hi = lo] = text.split('-').map(Number);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/** Expands a compose port entry (long syntax, or short `[ip:]host:container[/proto]` with ranges). */
function publishedPorts(entry: string | PortObject): Published[] {
  if (typeof entry !== 'string')
    return [
      {
        hostIp: entry.host_ip ?? null,
        published: Number(entry.published),
        target: Number(entry.target),
        protocol: entry.protocol ?? 'tcp',
      },
    ];
  const [spec = '', protocol = 'tcp'] = entry.split('/');
  const parts = spec.split(':');
  const target = range(parts.at(-1)!);
  const published = range(parts.at(-2)!);
  const hostIp = parts.length === 3 ? parts[0]! : null;
  return target.map((t, i) => ({ hostIp, published: published[i]!, target: t, protocol }));
}

const portsOf = (s: Service): string[] => (s.ports ?? []).flatMap(publishedPorts).map(key);

/**
 * A STUN/TURN service publishes exactly: STUN/TURN on UDP and TCP, TLS on TCP, metrics on 127.0.0.1 only,
 * its relay range 1:1 (each pair is [host port, container port]), and the `extra` ports given.
 */
function expectTurnPorts(
  s: Service,
  p: { stun: [number, number]; tls: [number, number]; metrics: [number, number]; relay: string },
  extra: string[] = [],
): void {
  expect(portsOf(s).sort()).toEqual(
    [
      `udp ${p.stun[0]}->${p.stun[1]}`,
      `tcp ${p.stun[0]}->${p.stun[1]}`,
      `tcp ${p.tls[0]}->${p.tls[1]}`,
      `127.0.0.1 tcp ${p.metrics[0]}->${p.metrics[1]}`,
      ...range(p.relay).map((port) => `udp ${port}->${port}`),
      ...extra,
    ].sort(),
  );
}

/** `docker-compose config` with exactly `env` (and an empty env file, so a developer's .env cannot leak in). */
function composeConfig(env: Record<string, string>): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-compose-'));
  try {
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const r = spawnSync(COMPOSE, ['--env-file', envFile, '-f', 'docker-compose.yml', 'config'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** YAML → JSON with the interpreter of docker-compose's shebang (python3, with python3-yaml by dependency). */
function yamlToJson(yaml: string): unknown {
  const python = readFileSync(COMPOSE, 'utf8')
    .split('\n')[0]!
    .replace(/^#!\s*/, '')
    .split(/\s+/)[0]!;
  const r = spawnSync(
    python,
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml, encoding: 'utf8', timeout: 20_000 },
  );
  if (r.status !== 0) throw new Error(`${python} could not parse the config: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The Dockerfile's instructions (continuations joined, comments dropped) as [KEYWORD, arguments]. */
function dockerfile(): [string, string][] {
  return readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      return [m![1]!.toUpperCase(), m![2]!.trim()] as [string, string];
    });
}

/** The arguments of the last `keyword` instruction of the final stage. */
function finalStage(keyword: string): string | undefined {
  const ins = dockerfile();
  const lastFrom = ins.map(([k]) => k).lastIndexOf('FROM');
  return ins
    .slice(lastFrom)
    .filter(([k]) => k === keyword)
    .at(-1)?.[1];
}

const conf = (): string => readFileSync(join(ROOT, 'deploy/coturn/turnserver.conf'), 'utf8');
const confValue = (name: string): string | undefined =>
  new RegExp(`^${name}=(.*)$`, 'm').exec(conf())?.[1]?.trim();

function inIpv4Subnet(ip: string, cidr: string): boolean {
  const n = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
}

/** True when `port` can be bound on 127.0.0.1 right now (TCP, and UDP when asked). */
async function isFree(port: number, udp: boolean): Promise<boolean> {
  const tcpFree = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  if (!tcpFree || !udp) return tcpFree;
  return new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function exitCode(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Processes this file started; killed by PID in afterAll if a test left one running. */
const started: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('is multi-stage, runs as a non-root user, and its ENTRYPOINT is node dist/cli.js', () => {
    const ins = dockerfile();
    const froms = ins.filter(([k]) => k === 'FROM').map(([, a]) => a);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms[0]).toMatch(/^node:20-bookworm-slim AS build$/i);
    expect(froms.at(-1)).toMatch(/^node:20-bookworm-slim$/);
    const runs = ins.filter(([k]) => k === 'RUN').map(([, a]) => a);
    expect(runs.some((r) => r.includes('npm install --no-audit --no-fund'))).toBe(true);
    expect(runs.some((r) => r.includes('npm run build') && r.includes('npm prune --omit=dev'))).toBe(true);
    const copies = ins.filter(([k, a]) => k === 'COPY' && a.startsWith('--from=build')).map(([, a]) => a);
    for (const what of ['dist', 'node_modules', 'package.json'])
      expect(copies.some((c) => c.includes(`/app/${what}`))).toBe(true);
    const user = finalStage('USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(JSON.parse(finalStage('ENTRYPOINT')!)).toEqual(['node', 'dist/cli.js']);
    expect((JSON.parse(finalStage('CMD')!) as string[])[0]).toBe('serve');
    const exposed = finalStage('EXPOSE')!.split(/\s+/);
    for (const p of ['3478/udp', '3478/tcp', '5349/tcp', '49160-49200/udp']) expect(exposed).toContain(p);
    expect(finalStage('HEALTHCHECK')).toMatch(/node dist\/cli\.js probe .*"stun:/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.git', 'bench/results', '.env']) expect(ignored).toContain(p);
  });
});

describe('deploy/coturn/turnserver.conf', () => {
  it('uses the TURN REST API without a secret in the file, and denies every special-purpose peer range', () => {
    const lines = conf()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const flag of [
      'use-auth-secret',
      'no-cli',
      'no-multicast-peers',
      'no-tlsv1',
      'no-tlsv1_1',
      'fingerprint',
      'no-software-attribute',
      'prometheus',
      'stale-nonce=600',
    ])
      expect(lines).toContain(flag);
    expect(lines.some((l) => l.startsWith('static-auth-secret'))).toBe(false);
    expect(Number(confValue('user-quota'))).toBeGreaterThan(0);
    expect(Number(confValue('total-quota'))).toBeGreaterThan(0);
    const denied = lines.filter((l) => l.startsWith('denied-peer-ip=')).map((l) => l.slice(15));
    for (const r of [
      '0.0.0.0-0.255.255.255',
      '10.0.0.0-10.255.255.255',
      '100.64.0.0-100.127.255.255',
      '127.0.0.0-127.255.255.255',
      '169.254.0.0-169.254.255.255',
      '172.16.0.0-172.31.255.255',
      '192.0.0.0-192.0.0.255',
      '192.0.2.0-192.0.2.255',
      '192.88.99.0-192.88.99.255',
      '192.168.0.0-192.168.255.255',
      '198.18.0.0-198.19.255.255',
      '198.51.100.0-198.51.100.255',
      '203.0.113.0-203.0.113.255',
      '224.0.0.0-239.255.255.255',
      '240.0.0.0-255.255.255.255',
      '::1-::ffff:ffff',
      '::ffff:0.0.0.0-::ffff:255.255.255.255',
      '64:ff9b::-64:ff9b::ffff:ffff',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ])
      expect(denied).toContain(r);
    // coturn reads an all-zero IPv6 lower bound as "no bound" and then matches every IPv4 peer.
    expect(denied.filter((r) => r === '::' || r.startsWith('::-'))).toEqual([]);
  });
});

describe.skipIf(!composeAvailable)('docker-compose.yml (docker-compose config)', () => {
  let config: ComposeConfig;
  beforeAll(() => {
    const r = composeConfig({ ICE_DOCTOR_AUTH_SECRET: SECRET, ICE_DOCTOR_EXTERNAL_IP: EXTERNAL_IP });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    config = yamlToJson(r.stdout) as ComposeConfig;
  });

  it('refuses to start without the TURN REST secret and the external IP', () => {
    const none = composeConfig({});
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/set a TURN REST secret/);
    const noIp = composeConfig({ ICE_DOCTOR_AUTH_SECRET: SECRET });
    expect(noIp.status).not.toBe(0);
    expect(noIp.stderr).toMatch(/set this host's public IP/);
  });

  it('validates: two services, coturn in a profile, the report page in the turn service, the ports published, hardening', () => {
    expect(config.version).toBe('3.9');
    const { turn, coturn } = config.services;
    expect(Object.keys(config.services).sort()).toEqual(['coturn', 'turn']);
    expect(turn!.profiles).toBeUndefined();
    expect(coturn!.profiles).toEqual(['coturn']);

    const relay = turn!.environment!.ICE_DOCTOR_RELAY_PORTS!;
    expect(relay).toBe('49160-49200');
    // The report page runs in the turn service's process (its credentials are minted from a secret of that
    // process): HTTP 8080 and HTTPS 8443, published as they are.
    const flag = (name: string) => turn!.command![turn!.command!.indexOf(name) + 1];
    expect([flag('--report-port'), flag('--report-https-port')]).toEqual(['8080', '8443']);
    expect(turn!.command).not.toContain('--no-report');
    expectTurnPorts(turn!, { stun: [3478, 3478], tls: [5349, 5349], metrics: [9641, 9641], relay }, [
      'tcp 8080->8080',
      'tcp 8443->8443',
    ]);
    const coturnRelay = `${confValue('min-port')}-${confValue('max-port')}`;
    expectTurnPorts(coturn!, {
      stun: [3480, 3478],
      tls: [5350, 5349],
      metrics: [9642, 9641],
      relay: coturnRelay,
    });
    // Every service can run at once: no host port is published twice.
    const hostPorts = Object.values(config.services).flatMap((s) =>
      (s.ports ?? []).flatMap(publishedPorts).map((p) => `${p.protocol} ${p.published}`),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);

    // The ice-doctor image: ENTRYPOINT node dist/cli.js (not overridden), `serve` as the Dockerfile's CMD.
    expect(turn!.build?.context).toBe(ROOT.replace(/\/$/, ''));
    expect(turn!.entrypoint).toBeUndefined();
    expect(turn!.command![0]).toBe((JSON.parse(finalStage('CMD')!) as string[])[0]);

    // Fixed container IP inside the network's subnet, used for listening and for metrics.
    const [network, attachment] = Object.entries(turn!.networks!)[0]!;
    const ip = attachment!.ipv4_address!;
    const ipam = config.networks[network]!.ipam!.config![0]!;
    expect(inIpv4Subnet(ip, ipam.subnet)).toBe(true);
    expect(inIpv4Subnet(ip, ipam.ip_range!)).toBe(false);
    expect(turn!.environment!.ICE_DOCTOR_LISTEN).toBe(ip);
    expect(turn!.command![turn!.command!.indexOf('--metrics-host') + 1]).toBe(ip);
    expect(turn!.environment).toMatchObject({
      ICE_DOCTOR_AUTH_SECRET: SECRET,
      ICE_DOCTOR_EXTERNAL_IP: EXTERNAL_IP,
      ICE_DOCTOR_REALM: 'ice-doctor',
    });

    for (const s of [turn!, coturn!]) {
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.security_opt).toContain('no-new-privileges:true');
      expect(s.tmpfs?.length).toBeGreaterThan(0);
    }
    expect(turn!.restart).toBe('unless-stopped');
    // Open files above serve's low-limit warning (4096): its connection budget is half of them.
    expect(turn!.ulimits?.nofile?.soft).toBeGreaterThanOrEqual(4096);
    expect(turn!.ulimits?.nofile?.hard).toBe(turn!.ulimits?.nofile?.soft);
    expect(coturn!.restart).toBe('unless-stopped');
    expect(coturn!.cap_add).toEqual(['NET_BIND_SERVICE']);

    // coturn: the shipped config mounted read-only, the same secret, realm and external IP.
    expect(coturn!.image).toMatch(/^coturn\/coturn:/);
    expect(coturn!.volumes).toContain(
      `${join(ROOT, 'deploy/coturn/turnserver.conf')}:/etc/coturn/turnserver.conf:ro`,
    );
    expect(coturn!.command).toEqual(
      expect.arrayContaining([
        '/etc/coturn/turnserver.conf',
        `--static-auth-secret=${SECRET}`,
        `--realm=${turn!.environment!.ICE_DOCTOR_REALM}`,
        `--external-ip=${EXTERNAL_IP}`,
      ]),
    );
  });

  it("runs the turn service's exact command line outside Docker: STUN, TLS, TURN REST Allocate, metrics, the report page, exit 0", async () => {
    const turn = config.services.turn!;
    const ip = Object.values(turn.networks!)[0]!.ipv4_address!;
    const entrypoint = JSON.parse(finalStage('ENTRYPOINT')!) as string[];
    expect(entrypoint[0]).toBe('node');
    expect(existsSync(join(ROOT, entrypoint[1]!)), `${entrypoint[1]} is missing: npm run build`).toBe(true);
    // What must change on this machine, and nothing else:
    // - the container IP does not exist here: it becomes 127.0.0.1 (ICE_DOCTOR_LISTEN, --metrics-host);
    // - a port already taken here becomes 0 (the server picks a free one; the JSON line says which);
    // - --json is added to read the endpoints.
    const argv = turn.command!.map((a) => (a === ip ? '127.0.0.1' : a));
    const env = Object.fromEntries(
      Object.entries(turn.environment!).map(([k, v]) => [k, v === ip ? '127.0.0.1' : v]),
    );
    const changed: string[] = [`${ip} -> 127.0.0.1`];
    for (const [flag, udp, pair] of [
      ['--port', true, true],
      ['--tls-port', false, false],
      ['--metrics-port', false, false],
      ['--report-port', false, false],
      ['--report-https-port', false, false],
    ] as const) {
      const i = argv.indexOf(flag);
      const port = Number(argv[i + 1]);
      const free = (await isFree(port, udp)) && (!pair || (await isFree(port + 1, udp)));
      if (!free) {
        argv[i + 1] = '0';
        changed.push(`${flag} ${port} -> 0 (busy here)`);
      }
    }
    if (!argv.includes('--json')) argv.push('--json');

    const child = spawn(process.execPath, [...entrypoint.slice(1), ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON line in 20 s; stderr: ${stderr}`)), 20_000);
      createInterface({ input: child.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
      child.once('exit', (code) =>
        reject(new Error(`exited ${code} before listening (${changed.join('; ')}): ${stderr}`)),
      );
    });
    const served = parseServeLine(line);
    try {
      // The environment reached the server.
      expect(served.udp[0]!.address).toBe('127.0.0.1');
      expect(served.turn.realm).toBe(env.ICE_DOCTOR_REALM);
      expect(served.turn.authSecrets).toBe(1);
      expect(served.turn.generatedUser).toBeNull();
      const [min, max] = env.ICE_DOCTOR_RELAY_PORTS!.split('-').map(Number);
      expect(served.turn.relay[0]).toMatchObject({ externalIp: EXTERNAL_IP, ports: { min, max } });

      // STUN Binding over UDP.
      const client = await udpClient();
      client.send(bindingRequest().bytes, served.udp[0]!);
      const got = await client.next(2000);
      await client.close();
      expect(got).not.toBeNull();
      const binding = decodeMessage(got!.bytes);
      expect(binding.cls).toBe(StunClass.successResponse);
      expect(getAddress(binding, Attr.XOR_MAPPED_ADDRESS)?.port).toBe(client.port);

      // TURN Allocate with TURN REST credentials minted from the secret the compose file passes.
      const turnClient = await RawTurnClient.udp(served.turn.udp[0]!);
      const creds = mintRestCredentials(SECRET, 'compose-test', 600);
      const allocated = await turnClient.allocate({ username: creds.username, password: creds.password });
      await turnClient.close();
      expect(getErrorCode(allocated)).toBeUndefined();
      expect(allocated.cls).toBe(StunClass.successResponse);
      const relayed = getAddress(allocated, Attr.XOR_RELAYED_ADDRESS)!;
      expect(relayed.address).toBe(EXTERNAL_IP);
      expect(relayed.port).toBeGreaterThanOrEqual(min!);
      expect(relayed.port).toBeLessThanOrEqual(max!);

      // A TLS handshake on the TLS port, with the certificate the server announced.
      const fingerprint = await new Promise<string>((resolve, reject) => {
        const s = tlsConnect(
          { host: '127.0.0.1', port: served.turn.tls[0]!.port, rejectUnauthorized: false },
          () => {
            const fp = s.getPeerCertificate().fingerprint256;
            s.end();
            resolve(fp);
          },
        );
        s.once('error', reject);
      });
      expect(fingerprint).toBe(served.turn.certificate!.fingerprint256);

      // Prometheus metrics.
      expect(served.turn.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(served.turn.metricsUrl!);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^ice_doctor_/m);

      // The report page: served, with STUN/TURN URLs naming the external IP, and minted credentials (not
      // the compose secret) that allocate on this server.
      expect(served.report!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(served.report!.url!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const ice = iceConfigSchema.parse(await (await fetch(`${served.report!.url}api/ice-servers`)).json());
      expect(JSON.stringify(ice)).not.toContain(SECRET);
      for (const t of ice.targets) expect(t.iceServer.urls).toContain(`:${EXTERNAL_IP}:`);
      const minted = ice.targets.find((t) => t.kind === 'turn-udp')!.iceServer;
      const pageClient = await RawTurnClient.udp(served.turn.udp[0]!);
      const pageAllocated = await pageClient.allocate({
        username: minted.username!,
        password: minted.credential!,
      });
      await pageClient.close();
      expect(getErrorCode(pageAllocated)).toBeUndefined();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
  });

  it.skipIf(!coturnAvailable)(
    "runs the coturn service's command line and config with Debian's coturn: REST Allocate, 403 for private peers",
    async () => {
      const coturn = config.services.coturn!;
      expect(coturn.entrypoint).toEqual(['turnserver']);
      const mount = coturn.volumes!.find((v) => v.includes(':/etc/coturn/turnserver.conf'))!;
      const hostConf = mount.split(':')[0]!;
      const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-compose-coturn-'));
      dirs.push(dir);
      const port = await freePort();
      const altPort = await freePort();
      // What must change on this machine: the config's path (mounted in the container); listening and
      // relaying on 127.0.0.1 at free ports (the container has its own network namespace); pid file and
      // user DB in a temp dir (tmpfs in the container). Debian's coturn 4.6.1 is built without Prometheus
      // and logs "Bad configuration format: prometheus" for that line; the coturn/coturn image has it.
      const argv = [
        ...coturn.command!.map((a) => (a === '/etc/coturn/turnserver.conf' ? hostConf : a)),
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        '--relay-ip=::1',
        `--listening-port=${port}`,
        `--alt-listening-port=${altPort}`,
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--userdb=${join(dir, 'turndb')}`,
      ];
      const child = spawn(TURNSERVER, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let log = '';
      child.stdout!.on('data', (d: Buffer) => {
        log += d.toString();
      });
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
      });
      const server: TransportAddress = { address: '127.0.0.1', port, family: 'IPv4' };
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`coturn did not start in 5 s:\n${log}`)), 5000);
          const poll = setInterval(() => {
            if (!/Total General servers/.test(log)) return;
            clearTimeout(timer);
            clearInterval(poll);
            resolve();
          }, 20);
          child.once('exit', (code) => {
            clearTimeout(timer);
            clearInterval(poll);
            reject(new Error(`coturn exited with ${code}:\n${log}`));
          });
        });
        const c = await RawTurnClient.udp(server);
        const creds = mintRestCredentials(SECRET, 'compose-test', 600);
        const s = { username: creds.username, password: creds.password };
        const allocated = await c.allocate(s);
        expect(getErrorCode(allocated), log).toBeUndefined();
        const relayed = getAddress(allocated, Attr.XOR_RELAYED_ADDRESS)!;
        expect(relayed.address).toBe(EXTERNAL_IP);
        expect(relayed.port).toBeGreaterThanOrEqual(Number(confValue('min-port')));
        expect(relayed.port).toBeLessThanOrEqual(Number(confValue('max-port')));
        /** CreatePermission for each peer: 403 for every `denied` one, success for `allowed`. */
        const expectPeers = async (client: RawTurnClient, denied: string[], allowed: string) => {
          const permission = (peer: string) =>
            client.signed(
              StunMethod.createPermission,
              [{ type: Attr.XOR_PEER_ADDRESS, address: { address: peer, port: 9 } }],
              s,
            );
          for (const peer of denied) expect(getErrorCode(await permission(peer))?.code, peer).toBe(403);
          expect(getErrorCode(await permission(allowed)), log).toBeUndefined();
        };
        const v4Denied = '0.1.2.3 10.0.0.1 100.64.0.1 127.0.0.1 169.254.169.254 172.28.53.10 192.168.1.1';
        await expectPeers(c, `${v4Denied} 198.18.0.1 203.0.113.5 224.0.0.1 240.0.0.1`.split(' '), '8.8.8.8');

        // An IPv6 relay (REQUESTED-ADDRESS-FAMILY IPv6, RFC 6156) for the IPv6 ranges.
        const c6 = await RawTurnClient.udp(server);
        const allocated6 = await c6.allocate(s, [
          { type: Attr.REQUESTED_ADDRESS_FAMILY, raw: Buffer.from([2, 0, 0, 0]) },
        ]);
        expect(getErrorCode(allocated6), log).toBeUndefined();
        const v6Denied =
          '::1 ::ffff:8.8.8.8 64:ff9b::808:808 2001:db8::1 2002:808:808::1 fc00::1 fe80::1 ff02::1';
        await expectPeers(c6, v6Denied.split(' '), '2001:4860:4860::8888');
        await c6.close();
        await c.close();
      } finally {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      }
      await exitCode(child);
    },
  );
});
