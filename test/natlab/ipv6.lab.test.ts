import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DUAL_STACK_URLS,
  type DualStackRun,
  runDualStackProbe,
  startDualStackCoturn,
  startDualStackIceDoctorServer,
} from '../../lab/dual-stack.js';
import { startIceDoctorServer } from '../../lab/servers.js';
import { labAvailable, labRuns } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { applyScenario, PROBE_EXPECTED } from '../../src/lab/scenarios.js';
import { createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { ADDR6 } from '../../src/lab/topology-ipv6.js';
import type { FamilyProbe } from '../../src/report/probe-family-schema.js';
import type { ProbeReport } from '../../src/report/schema.js';

// Issue 16 §2, dual stack: `ice-doctor probe --json` from lan with one IPv4 and one IPv6 server URL, each
// family judged on its own (`ipv4` / `ipv6`). Against the bundled server and coturn 4.6.1, both serving
// RFC 5780 on two IPv4 and two IPv6 addresses in pub. Needs `npm run build` first (runs dist/cli.js).
const available = await labAvailable();
const runs = labRuns();
const RUN_TIMEOUT_MS = 30_000;

const EIM = 'endpoint-independent';
const APD = 'address-and-port-dependent';
const V4_URL = DUAL_STACK_URLS[0];
const V6_URL = DUAL_STACK_URLS[1];

/** The fields of one family block the tests pin down. */
function familyFacts(f: FamilyProbe | undefined) {
  return (
    f && {
      tested: f.tested,
      udp: f.udp,
      natPresent: f.natPresent,
      mapping: f.mapping,
      filtering: f.filtering,
      legacyNatType: f.legacyNatType,
      mappingMethod: f.mappingMethod,
      rfc5780Server: f.rfc5780Server,
      publicAddress: f.publicAddress?.address ?? null,
      localAddress: f.localAddress?.address ?? null,
    }
  );
}

const topVerdict = (r: ProbeReport) => ({
  udp: r.udp,
  natPresent: r.natPresent,
  mapping: r.mapping,
  filtering: r.filtering,
  legacyNatType: r.legacyNatType,
});

/** The IPv4 side of both dual-stack scenarios: a MASQUERADE router (port-restricted cone). */
const IPV4_MASQUERADE = {
  tested: true,
  udp: true,
  natPresent: true,
  mapping: EIM,
  filtering: APD,
  legacyNatType: 'port-restricted-cone',
  mappingMethod: 'rfc5780',
  rfc5780Server: V4_URL,
  publicAddress: '203.0.113.1',
  localAddress: '100.64.0.2',
};

/** What the `ipv6` block must say per scenario. */
const IPV6_EXPECTED = {
  'ipv6-firewall': {
    tested: true,
    udp: true,
    natPresent: false,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'symmetric-udp-firewall',
    mappingMethod: 'local-address',
    rfc5780Server: V6_URL,
    publicAddress: ADDR6.lanGlobalHost,
    localAddress: ADDR6.lanGlobalHost,
  },
  nat66: {
    tested: true,
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'port-restricted-cone',
    mappingMethod: 'rfc5780',
    rfc5780Server: V6_URL,
    publicAddress: ADDR6.routerPub,
    localAddress: ADDR6.lanUlaHost,
  },
} as const;

const IPV6_SUMMARY = {
  'ipv6-firewall': /^No NAT but filtering \(a stateful IPv6 firewall, RFC 6092\)/,
  nat66: /^IPv6 is translated \(NAT66 \/ NPTv6\)/,
} as const;

function context(run: DualStackRun, i: number): string {
  return `run ${i + 1}/${runs}, ${run.durationMs} ms\nstdout: ${run.stdout.slice(0, 4000)}\nstderr: ${run.stderr.slice(0, 1000)}`;
}

/** The reply source of one IPv6 test row (where the server answered from), or null. */
function replyFrom(f: FamilyProbe, name: string): string | null {
  return f.tests.find((t) => t.name === name)?.replySource?.address ?? null;
}

const SERVERS = [
  { name: 'ice-doctor serve', start: startDualStackIceDoctorServer },
  { name: 'coturn', start: startDualStackCoturn },
] as const;

describe.skipIf(!available)('natlab: dual stack probe (issue 16 §2)', () => {
  describe('dual-stack lab', () => {
    let lab: Lab;

    beforeAll(async () => {
      lab = await createLab({ ipv6: true });
    });

    afterAll(async () => {
      if (lab) await destroyLab(lab);
    });

    it('the egress guard lets IPv6 out of lan only to 2001:db8::/32 and fd00::/8', async () => {
      await applyScenario(lab, 'ipv6-firewall');
      // One datagram each (nothing listens there); a send the guard drops fails locally with EPERM.
      const send = (address: string) =>
        nsRun(
          lab.ns.lan,
          process.execPath,
          [
            '-e',
            `const s = require('node:dgram').createSocket('udp6');
             s.send('guard', 9, '${address}', (err) => { console.log(err ? err.code : 'sent'); s.close(); });`,
          ],
          { check: false },
        );
      expect((await send('2001:4860:4860::8888')).stdout.trim()).toBe('EPERM');
      expect((await send('2a00:1450::1')).stdout.trim()).toBe('EPERM');
      expect((await send(ADDR6.pubSecondary)).stdout.trim()).toBe('sent');
    });

    for (const server of SERVERS) {
      describe(`against ${server.name} on two IPv4 and two IPv6 addresses`, () => {
        let stop: (() => Promise<void>) | undefined;

        beforeAll(async () => {
          const proc = await server.start(lab);
          stop = () => proc.stop();
        });

        afterAll(async () => {
          await stop?.();
        });

        it.each(['ipv6-firewall', 'nat66'] as const)(
          '%s: each family with its own verdict',
          async (scenario) => {
            for (let i = 0; i < runs; i++) {
              await applyScenario(lab, scenario);
              const run = await runDualStackProbe(lab);
              const why = context(run, i);
              expect(run.report, why).not.toBeNull();
              const r = run.report!;
              expect(topVerdict(r), why).toEqual(PROBE_EXPECTED[scenario]);
              expect(familyFacts(r.ipv4), why).toEqual(IPV4_MASQUERADE);
              expect(familyFacts(r.ipv6), why).toEqual(IPV6_EXPECTED[scenario]);
              expect(r.ipv6!.summary, why).toMatch(IPV6_SUMMARY[scenario]);
              // RFC 5780 over IPv6: test II went to the server's second IPv6 address (OTHER-ADDRESS), and
              // the CHANGE-REQUEST control was answered from it.
              expect(replyFrom(r.ipv6!, 'mapping-II'), why).toBe(ADDR6.pubSecondary);
              expect(replyFrom(r.ipv6!, 'control-II'), why).toBe(ADDR6.pubSecondary);
              expect(r.ipv6!.reachability, why).toEqual([
                expect.objectContaining({ url: V6_URL, transport: 'udp', reachable: true }),
              ]);
            }
          },
          runs * RUN_TIMEOUT_MS,
        );
      });
    }
  });

  describe('IPv4-only lab (no IPv6 route on lan)', () => {
    let lab: Lab;

    beforeAll(async () => {
      lab = await createLab();
      await startIceDoctorServer(lab, ['--no-report']);
      await applyScenario(lab, 'masquerade');
    });

    afterAll(async () => {
      if (lab) await destroyLab(lab);
    });

    it(
      'an IPv6 server the host has no route to: ipv6 not tested, "no IPv6" with the socket error, IPv4 as before',
      async () => {
        for (let i = 0; i < runs; i++) {
          const run = await runDualStackProbe(lab);
          const why = context(run, i);
          expect(run.report, why).not.toBeNull();
          const r = run.report!;
          expect(topVerdict(r), why).toEqual(PROBE_EXPECTED.masquerade);
          expect(familyFacts(r.ipv4), why).toEqual(IPV4_MASQUERADE);
          expect(familyFacts(r.ipv6), why).toEqual({
            tested: false,
            udp: null,
            natPresent: null,
            mapping: null,
            filtering: null,
            legacyNatType: null,
            mappingMethod: 'none',
            rfc5780Server: null,
            publicAddress: null,
            localAddress: null,
          });
          expect(r.ipv6!.udpStatus, why).toBe('not-tested');
          expect(r.ipv6!.servers, why).toEqual([V6_URL]);
          expect(r.ipv6!.reasons.tested, why).toMatch(
            /^no IPv6 on this host: no route to 2001:db8:ff::10 \((ENETUNREACH|EADDRNOTAVAIL)\); this is not a firewall/,
          );
          expect(r.ipv6!.tests, why).toEqual([]);
        }
      },
      runs * RUN_TIMEOUT_MS,
    );

    it(
      'no IPv6 server given: ipv6 not tested, saying so',
      async () => {
        const run = await runDualStackProbe(lab, [V4_URL]);
        const why = context(run, 0);
        const r = run.report!;
        expect(topVerdict(r), why).toEqual(PROBE_EXPECTED.masquerade);
        expect(r.ipv6?.tested, why).toBe(false);
        expect(r.ipv6?.servers, why).toEqual([]);
        expect(r.ipv6?.reasons.tested, why).toBe('no IPv6 server given or resolved');
      },
      RUN_TIMEOUT_MS,
    );
  });
});
