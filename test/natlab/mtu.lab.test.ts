import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { STUN_PORT, startCoturn, startIceDoctorServer } from '../../lab/servers.js';
import { PROBE_URL } from '../../lab/tools.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { LAB_NATS } from '../../src/lab/lab-nats.js';
import { applyScenario, PROBE_EXPECTED } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import type { PathMtu } from '../../src/report/path-mtu-schema.js';
import { probeReportSchema, turnCheckReportSchema } from '../../src/report/schema.js';

// Issue 16 §5, the MTU black hole (`--nat mtu-1280`): the router's public link has MTU 1280 and the router
// drops its own ICMP "fragmentation needed". `ice-doctor probe` from lan measures the path MTU with padded
// Binding requests (RFC 5780 §7.6) against the bundled server and coturn 4.6.1; turn-check's relay quality
// measures the ChannelData sizes through the bundled TURN server.
const available = await labAvailable();
const SCENARIO = LAB_NATS['mtu-1280'].scenario;

/** Every size the probe tries through a 1280-byte hole: the coarse round, then the gap 1280–1400. */
const SIZES_TRIED = [
  548, 576, 1000, 1200, 1280, 1296, 1316, 1332, 1348, 1364, 1384, 1400, 1420, 1480, 1492, 1500,
];
const ANSWERED = (bytes: number): boolean => bytes <= 1280;

async function probe(lab: Lab) {
  const r = await nsRun(lab.ns.lan, process.execPath, [CLI_PATH, 'probe', '--json', PROBE_URL], {
    check: false,
    timeoutMs: 20_000,
  });
  expect(r.stdout, r.stderr).not.toBe('');
  return probeReportSchema.parse(JSON.parse(r.stdout));
}

/** The path MTU a server that pads its answers to the request's size gives behind the hole. */
const PADDED: PathMtu = {
  method: 'stun-padding',
  server: PROBE_URL,
  largestDatagramBytes: 1280,
  smallestLostBytes: 1296,
  direction: 'both-ways',
  probes: SIZES_TRIED.map((bytes) => ({
    bytes,
    answered: ANSWERED(bytes),
    responseBytes: ANSWERED(bytes) ? bytes : null,
  })),
  meaning: expect.stringContaining(
    'Datagrams up to 1280 bytes reach the server and come back, but datagrams of 1296 bytes and more are lost',
  ) as unknown as string,
};

describe.skipIf(!available)('natlab: MTU black hole (--nat mtu-1280)', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab();
    await applyScenario(lab, SCENARIO);
  }, 60_000);

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  describe('against the bundled server', () => {
    let stop: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const server = await startIceDoctorServer(lab, [
        '--user',
        'alice:wonderland',
        '--allow-peer',
        '203.0.113.0/24',
        '--no-report',
      ]);
      stop = () => server.proc.stop();
    }, 30_000);

    afterAll(async () => {
      await stop?.();
    });

    it('probe: 1280 bytes both ways, 1296 lost, the verdicts of a port-restricted NAT unchanged', async () => {
      const report = await probe(lab);
      expect(report.pathMtu, JSON.stringify(report.pathMtu)).toEqual(PADDED);
      const { udp, natPresent, mapping, filtering, legacyNatType } = report;
      expect({ udp, natPresent, mapping, filtering, legacyNatType }).toEqual(PROBE_EXPECTED[SCENARIO]);
    }, 30_000);

    it('turn-check: ChannelData through the relay, 1244 bytes of payload the largest (1244 + 4 + 28 ≤ 1280)', async () => {
      const url = `turn:${ADDR.pubPrimary}:${STUN_PORT}`;
      const args = [CLI_PATH, 'turn-check', '--json', url, '--user', 'alice', '--password', 'wonderland'];
      const r = await nsRun(lab.ns.lan, process.execPath, args, { check: false, timeoutMs: 30_000 });
      const report = turnCheckReportSchema.parse(JSON.parse(r.stdout));
      const udp = report.targets.find((t) => t.transport === 'udp');
      const q = udp?.quality;
      expect(q?.maxDatagramBytes, JSON.stringify(q)).toBe(1244);
      expect(q?.datagramSizes.find((s) => s.bytes === 1253)?.ok).toBe(false);
      expect((udp?.diagnoses ?? []).map((d) => d.code)).not.toContain('relay-datagram-black-hole');
    }, 40_000);
  });

  describe('against coturn 4.6.1', () => {
    let stop: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const proc = await startCoturn(lab);
      stop = () => proc.stop();
    }, 30_000);

    afterAll(async () => {
      await stop?.();
    });

    it('probe: coturn honours PADDING but pads every answer to 1500 bytes of padding (a 1632-byte datagram)', async () => {
      const report = await probe(lab);
      // Its answers are larger than the requests, so the way back is proved too (pub fragments them).
      const probes = PADDED.probes.map((p) => ({ ...p, responseBytes: p.answered ? 1632 : null }));
      expect(report.pathMtu, JSON.stringify(report.pathMtu)).toEqual({ ...PADDED, probes });
    }, 30_000);
  });
});
