/**
 * SSRF scan of `ice-doctor serve` (a child process), the way firefart/stunner's `range-scan` probes a TURN
 * server: toward addresses picked in every range of DEFAULT_DENIED_RANGES (network, first host, middle,
 * last; more in the long profile), their IPv4-mapped / NAT64 / 6to4 / IPv4-compatible forms, and named
 * targets (0.0.0.0, 169.254.169.254, fd00:ec2::254, 255.255.255.255, multicast groups, ::1 …), on several
 * ports, over UDP and TCP, from IPv4 and IPv6 relays (each peer from a relay of its own family, so every
 * answer is the policy's, never 443): CreatePermission and ChannelBind must be answered 403, and nothing
 * of the Send indications or the ChannelData on the channel that could not be bound may leave.
 *
 * Twice:
 * - on loopback, as any user: `--allow-peer 127.0.0.1/32`, so every other loopback address is a denied
 *   peer; canary UDP sockets on denied loopback addresses (127.0.0.2, 127.255.255.254, ::1 …) must hear
 *   nothing, the server's relayed-packet counter must not move, and its denied-peer counter must count
 *   every Send; the control: a canary on the allowed 127.0.0.1 hears what is sent to it;
 * - in a sealed network namespace (root, `ip` and `nft`; skipped otherwise): the server listens on
 *   100.64.90.1 and 2001:db8:90::1 and an nftables output chain counts and drops every packet from a relay
 *   port and every other packet not addressed to the namespace itself, and both counters must stay 0; the
 *   control: `--allow-peer` for 100.64.90.2 and 2001:db8:90::2, whose relayed packets the counter must see.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { nsRun } from '../../src/lab/exec.js';
import { type LabProcess, startInNs } from '../../src/lab/processes.js';
import { parseServeLine } from '../../src/report/serve-schema.js';
import { SANDBOX_IP } from '../e2e/sandbox.js';
import { profile } from './profile.js';
import { HARDENING_USER, type ServerProcess, serveArgs, startServerProcess } from './server-process.js';
import { type Canary, freeTcpPort, openCanary } from './ssrf/canary.js';
import { type ControlPlan, type ControlResult, runControl } from './ssrf/control.js';
import { runScan, type ScanPlan, type ScanResult } from './ssrf/scan.js';
import {
  CONTROL_IP4,
  CONTROL_IP6,
  createSealedNamespace,
  type EgressCounts,
  namespacesAvailable,
  SEALED_IP6,
  type SealedNamespace,
} from './ssrf/sealed-namespace.js';
import { scanTargets } from './ssrf/targets.js';
import { record } from './tally.js';

const LONG = profile.name === 'long';
/** Ports each target is tried on. */
const PORTS = LONG ? [1, 22, 53, 80, 123, 443, 3478, 5349, 6379, 8080, 11211, 65535] : [1, 80, 3478];
/** Addresses picked at random in each range, beyond network, first host, middle and last. */
const EXTRA_PER_RANGE = LONG ? 8 : 0;
/** Relay ports of the loopback server (above the ephemeral range, apart from the other hardening tests). */
const LOOPBACK_RELAY = { min: 63400, max: 63499 };
/** Outside the namespace's ephemeral ports (see createSealedNamespace), so no other socket sends from them. */
const NAMESPACE_RELAY = { min: 61000, max: 61099 };
/** Denied loopback addresses the canaries listen on. */
const CANARY_IPS = ['127.0.0.2', '127.0.0.3', '127.1.2.3', '127.255.255.254', '::1'];
const CONTROL_PACKETS = 5;
const SCAN_MAIN = fileURLToPath(new URL('./ssrf/scan-main.ts', import.meta.url));

/** The rows every scan gives: 403 checks per request method, and "nothing left" for the one-way sends. */
function requestRow(result: ScanResult, method: 'CreatePermission' | 'ChannelBind', where: string) {
  const m = result.methods[method];
  const uncounted = result.denied ? Math.abs(result.denied[method] - m.tried) : 0;
  return {
    area: 'ssrf',
    check: `${where}: ${method} toward denied peers → 403`,
    tried: m.tried,
    failures: m.failures + uncounted,
    detail:
      m.examples[0] ??
      `${result.denied?.[method] ?? '?'} policy denials counted; ${(result.ms / 1000).toFixed(1)} s for the whole scan` +
        (result.retransmissions
          ? `; ${result.retransmissions} UDP retransmissions, ${result.duplicates} duplicate responses matched`
          : ''),
  };
}

function expectRequests(result: ScanResult, method: 'CreatePermission' | 'ChannelBind'): void {
  expect(result.methods[method].examples).toEqual([]);
  expect(result.methods[method].failures).toBe(0);
  expect(result.methods[method].tried).toBeGreaterThan(1000);
  if (result.denied) expect(result.denied[method]).toBe(result.methods[method].tried);
}

describe('SSRF scan on loopback (--allow-peer 127.0.0.1/32)', () => {
  let server: ServerProcess;
  let canaries: Canary[] = [];
  let allowed: Canary;
  let result: ScanResult;
  let control: ControlResult;
  let heardDuringScan = 0;

  beforeAll(async () => {
    canaries = await Promise.all(CANARY_IPS.map(openCanary));
    allowed = await openCanary('127.0.0.1');
    const metricsPort = await freeTcpPort();
    server = await startServerProcess([
      '--listen',
      '127.0.0.1,::1',
      '--allow-peer',
      '127.0.0.1/32',
      '--relay-ports',
      `${LOOPBACK_RELAY.min}-${LOOPBACK_RELAY.max}`,
      '--metrics-port',
      String(metricsPort),
    ]);
    const plan: ScanPlan = {
      server: { udp: server.udp, tcp: server.tcp },
      localAddress: '127.0.0.1',
      credential: HARDENING_USER,
      targets: scanTargets({ extraPerRange: EXTRA_PER_RANGE, exclude: new Set(['127.0.0.1']) }),
      ports: PORTS,
      extraPeers: canaries.map((c) => ({ ...c.address, origin: 'canary' })),
      transports: ['udp', 'tcp'],
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      concurrency: 16,
    };
    result = await runScan(plan);
    heardDuringScan = canaries.reduce((n, c) => n + c.heard(), 0) + allowed.heard();
    control = await runControl({
      server: server.udp,
      localAddress: '127.0.0.1',
      credential: HARDENING_USER,
      peers: [allowed.address],
      packets: CONTROL_PACKETS,
    });
  }, profile.testTimeoutMs);

  afterAll(async () => {
    await Promise.all([...canaries, allowed].filter(Boolean).map((c) => c.close()));
    await server?.stop('SIGKILL');
  });

  it('answers CreatePermission toward every denied peer with 403', ({ task }) => {
    record(task, requestRow(result, 'CreatePermission', 'loopback'));
    expectRequests(result, 'CreatePermission');
  });

  it('answers ChannelBind toward every denied peer with 403', ({ task }) => {
    record(task, requestRow(result, 'ChannelBind', 'loopback'));
    expectRequests(result, 'ChannelBind');
  });

  it('relays none of the Send indications and ChannelData: canaries silent, every Send denied by the policy', ({
    task,
  }) => {
    const { Send, ChannelData } = result.methods;
    const undenied = Send.tried - (result.denied?.Send ?? 0);
    record(task, {
      area: 'ssrf',
      check: 'loopback: Send + ChannelData toward denied peers → nothing leaves',
      tried: Send.tried + ChannelData.tried,
      failures: heardDuringScan + (result.relayed ?? 1) + result.unsolicited + Math.abs(undenied),
      detail: `canaries heard ${heardDuringScan}, relayed counter +${result.relayed}, ${result.denied?.Send} Sends denied`,
    });
    expect(heardDuringScan).toBe(0);
    expect(result.relayed).toBe(0);
    expect(result.unsolicited).toBe(0);
    expect(undenied).toBe(0);
    expect(server.alive()).toBe(true);
  });

  it('positive control: an allowed peer gets a permission and a channel, and its canary hears every message', ({
    task,
  }) => {
    record(task, {
      area: 'ssrf',
      check: 'loopback control: allowed 127.0.0.1 canary hears the relay',
      tried: control.sent,
      failures: control.problems.length + Math.abs(control.sent - allowed.heard()),
      detail: `${control.granted}/${control.requested} granted, canary heard ${allowed.heard()}/${control.sent}`,
    });
    expect(control.problems).toEqual([]);
    expect(control.sent).toBe(2 * CONTROL_PACKETS);
    expect(allowed.heard()).toBe(control.sent);
  });
});

/** Runs a scanner job inside `ns` (as a child under `ip netns exec`) and parses its one JSON line. */
async function inNamespace<T>(ns: string, job: { scan: ScanPlan } | { control: ControlPlan }): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ssrf-scan-'));
  try {
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify(job));
    const r = await nsRun(ns, process.execPath, ['--import', 'tsx', SCAN_MAIN, file], {
      timeoutMs: profile.testTimeoutMs,
      check: false,
    });
    if (r.code !== 0) throw new Error(`scanner exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!namespacesAvailable())('SSRF scan in a sealed network namespace (root, ip, nft)', () => {
  let sealed: SealedNamespace | undefined;
  let serve: LabProcess | undefined;
  let result: ScanResult;
  let afterScan: EgressCounts;
  let control: ControlResult;
  let afterControl: EgressCounts;

  beforeAll(async () => {
    sealed = await createSealedNamespace(NAMESPACE_RELAY);
    serve = startInNs(sealed.ns, 'serve', process.execPath, [
      CLI_PATH,
      'serve',
      ...serveArgs(`${SANDBOX_IP},${SEALED_IP6}`, [
        '--relay-ports',
        `${NAMESPACE_RELAY.min}-${NAMESPACE_RELAY.max}`,
        '--allow-peer',
        `${CONTROL_IP4}/32,${CONTROL_IP6}/128`,
        '--metrics-port',
        '0',
        '--metrics-host',
        SANDBOX_IP,
      ]),
    ]);
    const printed = parseServeLine(await serve.waitForLine((l) => l.startsWith('{'), 20_000));
    const udp = printed.turn.udp.find((a) => a.family === 'IPv4')!;
    const tcp = printed.turn.tcp.find((a) => a.family === 'IPv4')!;
    const scan: ScanPlan = {
      server: { udp, tcp },
      localAddress: SANDBOX_IP,
      credential: HARDENING_USER,
      targets: scanTargets({
        extraPerRange: EXTRA_PER_RANGE,
        exclude: new Set([CONTROL_IP4, CONTROL_IP6]),
        more: [SANDBOX_IP, SEALED_IP6, '100.64.90.255', '2001:db8:90::ffff'],
      }),
      ports: [...PORTS, udp.port],
      extraPeers: [],
      transports: ['udp', 'tcp'],
      metricsUrl: printed.turn.metricsUrl!,
      concurrency: 16,
    };
    result = await inNamespace<ScanResult>(sealed.ns, { scan });
    afterScan = await sealed.counts();
    control = await inNamespace<ControlResult>(sealed.ns, {
      control: {
        server: udp,
        localAddress: SANDBOX_IP,
        credential: HARDENING_USER,
        peers: [
          { address: CONTROL_IP4, port: 9, family: 'IPv4' },
          { address: CONTROL_IP6, port: 9, family: 'IPv6' },
        ],
        packets: CONTROL_PACKETS,
      },
    });
    afterControl = await sealed.counts();
  }, profile.testTimeoutMs);

  afterAll(async () => {
    await serve?.stop();
    await sealed?.close();
  });

  it('answers CreatePermission toward every denied peer with 403', ({ task }) => {
    record(task, requestRow(result, 'CreatePermission', 'namespace'));
    expectRequests(result, 'CreatePermission');
  });

  it('answers ChannelBind toward every denied peer with 403', ({ task }) => {
    record(task, requestRow(result, 'ChannelBind', 'namespace'));
    expectRequests(result, 'ChannelBind');
  });

  it('lets no packet out: nftables counted 0 from relay ports and 0 stray, every Send denied by the policy', ({
    task,
  }) => {
    const { Send, ChannelData } = result.methods;
    const undenied = Send.tried - (result.denied?.Send ?? 0);
    record(task, {
      area: 'ssrf',
      check: 'namespace: Send + ChannelData toward denied peers → no packet leaves',
      tried: Send.tried + ChannelData.tried,
      failures:
        afterScan.relay + afterScan.stray + (result.relayed ?? 1) + result.unsolicited + Math.abs(undenied),
      detail: `nft relay ${afterScan.relay}, stray ${afterScan.stray}; ${result.denied?.Send} Sends denied`,
    });
    expect(afterScan).toEqual({ relay: 0, stray: 0 });
    expect(result.relayed).toBe(0);
    expect(result.unsolicited).toBe(0);
    expect(undenied).toBe(0);
    expect(serve?.isRunning()).toBe(true);
  });

  it('positive control: --allow-peer addresses get permissions and channels, and nftables sees every relayed packet', ({
    task,
  }) => {
    const seen = afterControl.relay - afterScan.relay;
    record(task, {
      area: 'ssrf',
      check: 'namespace control: allowed 100.64.90.2 and 2001:db8:90::2 → nft counts the relay',
      tried: control.sent,
      failures: control.problems.length + Math.abs(control.sent - seen) + afterControl.stray,
      detail: `${control.granted}/${control.requested} granted, nft relay counter +${seen}/${control.sent}`,
    });
    expect(control.problems).toEqual([]);
    expect(control.sent).toBe(4 * CONTROL_PACKETS);
    expect(seen).toBe(control.sent);
    expect(afterControl.stray).toBe(0);
    expect(serve?.isRunning()).toBe(true);
  });
});
