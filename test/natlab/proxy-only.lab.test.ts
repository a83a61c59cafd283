import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { startCoturnTurnInNs } from '../../lab/coturn-turn.js';
import { CLI_PATH } from '../../lab/paths.js';
import { startIceDoctorServer } from '../../lab/servers.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { labProxyUrl } from '../../src/lab/scenario-proxy.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { reportSchema } from '../../src/report/report-schema.js';
import type { ProbeReport, TurnCheckReport, TurnTargetReport } from '../../src/report/schema.js';
import { selfSignedCert } from '../support/self-signed.js';

// issue 16 §4 in the NAT lab: the proxy-only office. The router forwards nothing from lan (no UDP, no
// direct TCP); squid on 100.64.0.1:3128 allows CONNECT to port 443 only. The TURN server in pub listens for
// TURN over TLS on 443 (self-signed: --insecure). From lan, turn-check through the proxy passes over
// turns:…:443 only and says so; without the proxy nothing comes back and it says the network may let
// nothing out (not "server down": it cannot tell the two apart). dist/cli.js: `npm run build` first.

const available = await labAvailable();

const USER = { name: 'office', password: 'Proxy-Only-443' } as const;
const UDP_URL = `turn:${ADDR.pubPrimary}:3478?transport=udp`;
const TCP_URL = `turn:${ADDR.pubPrimary}:3478?transport=tcp`;
const TLS_URL = `turns:${ADDR.pubPrimary}:443`;
const PROXY_URL = 'http://100.64.0.1:3128';

/** Runs the CLI in lan with `env` (through `env NAME=value …`), at most 40 s; the JSON report validated. */
async function cliInLan<T>(
  lab: Lab,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ report: T; exitCode: number | null; context: string }> {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const r = await nsRun(lab.ns.lan, 'env', [...vars, process.execPath, CLI_PATH, ...args, '--json'], {
    check: false,
    timeoutMs: 40_000,
  });
  const context = `exit ${String(r.code)}\nstdout: ${r.stdout.slice(0, 8000)}\nstderr: ${r.stderr.slice(0, 2000)}`;
  const parsed = reportSchema.safeParse(JSON.parse(r.stdout));
  expect(parsed.success, `${context}\n${parsed.error?.message ?? ''}`).toBe(true);
  return { report: parsed.data as T, exitCode: r.code, context };
}

/** turn-check of `urls` from lan with the lab user, `--insecure` (self-signed), 8 s per target. */
function turnCheck(lab: Lab, urls: readonly string[], extra: readonly string[] = [], env = {}) {
  const args = ['turn-check', ...urls, '--user', USER.name, '--password', USER.password];
  return cliInLan<TurnCheckReport>(lab, [...args, '--insecure', '--timeout', '8000', ...extra], env);
}

const failCode = (t: TurnTargetReport | undefined) => t?.diagnoses.find((d) => d.severity === 'fail')?.code;
const codes = (t: TurnTargetReport | undefined) => t?.diagnoses.map((d) => d.code) ?? [];

/** The checks of the proxied run: UDP silent, TCP 3478 refused by the proxy (403), TLS 443 through it. */
function expectOnlyTls443(report: TurnCheckReport, context: string): void {
  const [udp, tcp, tls] = report.targets;
  expect(report.ok, context).toBe(false);
  expect(report.summary, context).toMatch(
    /^Only TURN over TLS on port 443, through your proxy, worked: UDP to the same server got nothing back, direct TCP\/TLS not tried\. /,
  );
  expect(udp?.viaProxy, context).toBeUndefined();
  expect(failCode(udp), context).toBe('udp-silent');
  expect(tcp?.viaProxy, context).toBe(true);
  expect(failCode(tcp), context).toBe('connection-failed');
  expect(tcp?.diagnoses[0]?.message, context).toContain(
    `your proxy ${PROXY_URL} does not allow CONNECT to port 3478 (403) — most offices allow only 443`,
  );
  expect(tls?.ok, context).toBe(true);
  expect(tls?.viaProxy, context).toBe(true);
  expect(tls?.relayedAddress?.address, context).toBe(ADDR.pubPrimary);
  expect(codes(tls), context).toContain('only-tls-443-via-proxy');
  expect(codes(udp), context).not.toContain('only-tls-443-via-proxy');
}

describe.skipIf(!available)('natlab: proxy-only office (squid CONNECT to 443 only)', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab();
    await applyScenario(lab, 'proxy-only');
  }, 60_000);

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it('the lab exposes the proxy at the router’s LAN address', () => {
    expect(labProxyUrl(lab.sites[0]!)).toBe(PROXY_URL);
  });

  describe('ice-doctor serve in pub (TURN over TLS on 443)', () => {
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const { proc } = await startIceDoctorServer(lab, [
        '--tls-port',
        '443',
        '--user',
        `${USER.name}:${USER.password}`,
        '--allow-peer',
        '203.0.113.0/24',
        '--no-report',
      ]);
      stop = () => proc.stop();
    }, 30_000);
    afterAll(async () => stop?.());

    it('through --proxy: only turns:…:443 passes, and the summary says so', async () => {
      const { report, exitCode, context } = await turnCheck(
        lab,
        [UDP_URL, TCP_URL, TLS_URL],
        ['--proxy', PROXY_URL],
      );
      expect(exitCode, context).toBe(1);
      expect(report.proxy, context).toEqual({ url: PROXY_URL, source: 'flag' });
      expectOnlyTls443(report, context);
    }, 60_000);

    it('through HTTPS_PROXY (with a login the proxy ignores, never printed): the same verdict', async () => {
      const { report, context } = await turnCheck(lab, [UDP_URL, TCP_URL, TLS_URL], [], {
        HTTPS_PROXY: 'http://alice:Secret-Word@100.64.0.1:3128',
      });
      expect(report.proxy, context).toEqual({ url: PROXY_URL, source: 'env', variable: 'HTTPS_PROXY' });
      expect(context).not.toContain('Secret-Word');
      expectOnlyTls443(report, context);
    }, 60_000);

    it('NO_PROXY naming the server: TLS goes directly and fails, so no "only TLS through the proxy"', async () => {
      const { report, context } = await turnCheck(lab, [UDP_URL, TLS_URL], ['--proxy', PROXY_URL], {
        NO_PROXY: ADDR.pubPrimary,
      });
      expect(report.proxy?.noProxy, context).toEqual([ADDR.pubPrimary]);
      expect(report.targets[1]?.viaProxy, context).toBeUndefined();
      expect(failCode(report.targets[1]), context).toBe('connect-timeout');
      expect(report.targets.flatMap(codes), context).not.toContain('only-tls-443-via-proxy');
      expect(report.summary, context).not.toContain('through your proxy');
    }, 60_000);

    it('without the proxy nothing comes back: the words say the network may let nothing out', async () => {
      const { report, exitCode, context } = await turnCheck(lab, [UDP_URL, TCP_URL, TLS_URL]);
      expect(exitCode, context).toBe(1);
      expect(report.proxy, context).toBeUndefined();
      expect(report.targets.map(failCode), context).toEqual([
        'udp-silent',
        'connect-timeout',
        'connect-timeout',
      ]);
      expect(report.summary, context).toContain(
        'Nothing came back over UDP, TCP or TLS: this network may let nothing out except through a web proxy',
      );
      expect(report.targets.flatMap(codes), context).not.toContain('only-tls-443-via-proxy');
    }, 60_000);

    it('probe through the proxy: UDP blocked (the same server answered over TLS), STUN over TLS reachable', async () => {
      const { report, exitCode, context } = await cliInLan<ProbeReport>(lab, [
        'probe',
        `stun:${ADDR.pubPrimary}:3478`,
        `stuns:${ADDR.pubPrimary}:443`,
        '--insecure',
        '--proxy',
        PROXY_URL,
      ]);
      expect(exitCode, context).toBe(0);
      expect(report.proxy, context).toEqual({ url: PROXY_URL, source: 'flag' });
      expect(report.udp, context).toBe(false);
      expect(report.udpStatus, context).toBe('blocked');
      expect(report.legacyNatType, context).toBe('udp-blocked');
      const rows = report.reachability.map((r) => ({
        url: r.url,
        reachable: r.reachable,
        viaProxy: r.viaProxy,
      }));
      expect(rows, context).toEqual([
        { url: `stun:${ADDR.pubPrimary}:3478`, reachable: false, viaProxy: undefined },
        { url: `stuns:${ADDR.pubPrimary}:443`, reachable: true, viaProxy: true },
        { url: `stun:${ADDR.pubPrimary}:3478?transport=tcp`, reachable: false, viaProxy: true },
      ]);
      expect(report.reachability[2]?.error, context).toContain('does not allow CONNECT to port 3478 (403)');
    }, 60_000);

    it('probe without the proxy: nothing answers, so UDP is unknown (not "blocked")', async () => {
      const { report, exitCode, context } = await cliInLan<ProbeReport>(lab, [
        'probe',
        `stun:${ADDR.pubPrimary}:3478`,
        `stuns:${ADDR.pubPrimary}:443`,
        '--insecure',
      ]);
      expect(exitCode, context).toBe(1);
      expect(report.proxy, context).toBeUndefined();
      expect(report.udp, context).toBeNull();
      expect(report.udpStatus, context).toBe('server-unreachable');
      expect(report.legacyNatType, context).toBeNull();
      expect(
        report.reachability.every((r) => !r.reachable),
        context,
      ).toBe(true);
    }, 60_000);
  });

  describe.skipIf(!coturnAvailable)('coturn in pub (TLS on 443)', () => {
    let stop: (() => Promise<void>) | undefined;
    let certDir: string | undefined;
    beforeAll(async () => {
      const tls = selfSignedCert('turn.lab.test', `IP:${ADDR.pubPrimary}`);
      certDir = dirname(tls.certFile);
      const coturn = await startCoturnTurnInNs(
        lab.ns.pub,
        {
          realm: 'office.test',
          users: new Map([[USER.name, USER.password]]),
          allowLoopbackPeers: false,
          ip: ADDR.pubPrimary,
          tls,
        },
        { port: 3478, tlsPort: 443, relayPorts: [49160, 49199] },
      );
      stop = () => coturn.stop();
    }, 30_000);
    afterAll(async () => {
      await stop?.();
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    });

    it('through --proxy: only turns:…:443 passes, and the summary says so', async () => {
      const { report, context } = await turnCheck(lab, [UDP_URL, TCP_URL, TLS_URL], ['--proxy', PROXY_URL]);
      expectOnlyTls443(report, context);
    }, 60_000);
  });
});
