import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_SERVERS, STUN_PORT } from '../../lab/servers.js';
import { runIceDoctorProbe, TOOL_TIMEOUT_MS } from '../../lab/tools.js';
import { labAvailable, labRuns } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { startMiniupnpd, UPNP_TABLE } from '../../src/lab/miniupnpd.js';
import type { LabProcess } from '../../src/lab/processes.js';
import { applyScenario, PROBE_EXPECTED, type Scenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { probeReportSchema } from '../../src/report/schema.js';

// Port mapping (issue 16 §1, §3): `ice-doctor probe --json` from lan with Debian's miniupnpd on the router
// (UPnP IGD, NAT-PMP, PCP), behind one NAT and behind a carrier-grade NAT (NAT444), against the bundled
// server and coturn. Needs `npm run build` first (runs dist/cli.js).
const available = await labAvailable();
const runs = labRuns();

const SERVERS = PROBE_SERVERS;

const STUN = { host: ADDR.pubPrimary, port: STUN_PORT };

/** One protocol's expected row; `gateway` and `rttMs` vary per run and are checked by shape. */
const row = (protocol: string, fields: Record<string, unknown>) => ({
  protocol,
  gateway: expect.any(String),
  rttMs: expect.any(Number),
  ...fields,
});

/** miniupnpd's PCP answer when it maps nothing (reserved WAN address, or port forwarding off after STUN). */
const pcpRefused = row('pcp', {
  answered: true,
  externalAddress: null,
  mappingCreated: false,
  mappingRemoved: null,
  error: 'mapping: result 8 (NO_RESOURCES)',
});

const created = {
  answered: true,
  externalAddress: ADDR.routerPub,
  mappingCreated: true,
  mappingRemoved: true,
};

interface Case {
  readonly name: string;
  readonly cgnat: boolean;
  readonly scenario: Scenario;
  /** null: no miniupnpd (a silent gateway). */
  readonly miniupnpd: null | { stun: boolean };
  /** The exact `portMapping` block (with asymmetric matchers where a value varies per run). */
  readonly expected: unknown;
}

const CASES: readonly Case[] = [
  {
    // Not `none`: the router learned 203.0.113.1 by STUN, which it would do behind a full-cone carrier NAT too.
    name: 'one NAT, miniupnpd with its public address learned by STUN: all three map, upstreamNat null (not proved none)',
    cgnat: false,
    scenario: 'masquerade',
    miniupnpd: { stun: true },
    expected: {
      protocols: [row('upnp-igd', created), row('nat-pmp', created), row('pcp', created)],
      upstreamNat: null,
      reasons: {
        upstreamNat:
          'the gateway reports 203.0.113.1, the STUN-mapped address, and created a mapping: consistent with no upstream NAT, not proved (a gateway can learn its address by STUN behind a full-cone carrier NAT and still map)',
      },
    },
  },
  {
    name: 'NAT444, miniupnpd with WAN 100.64.100.2: it refuses (reserved WAN address), upstreamNat null',
    cgnat: true,
    scenario: 'cgnat',
    miniupnpd: { stun: false },
    expected: {
      protocols: [
        row('upnp-igd', {
          answered: true,
          externalAddress: null,
          mappingCreated: false,
          mappingRemoved: null,
          error: 'AddPortMapping: UPnP error 501 (ActionFailed)',
        }),
        row('nat-pmp', {
          answered: true,
          externalAddress: null,
          mappingCreated: false,
          mappingRemoved: null,
          error: 'external address: result 3 (Network Failure); mapping: result 3 (Network Failure)',
        }),
        pcpRefused,
      ],
      upstreamNat: null,
      reasons: { upstreamNat: expect.stringContaining('reports no external address of its own') },
    },
  },
  {
    name: 'NAT444, miniupnpd learns 203.0.113.1 by STUN through the carrier: same address, no mapping → null, not none',
    cgnat: true,
    scenario: 'cgnat',
    miniupnpd: { stun: true },
    expected: {
      protocols: [
        row('upnp-igd', {
          answered: true,
          externalAddress: ADDR.routerPub,
          mappingCreated: false,
          mappingRemoved: null,
          error: 'AddPortMapping: UPnP error 501 (ActionFailed)',
        }),
        row('nat-pmp', {
          answered: true,
          externalAddress: ADDR.routerPub,
          mappingCreated: false,
          mappingRemoved: null,
          error: 'mapping: result 3 (Network Failure)',
        }),
        pcpRefused,
      ],
      upstreamNat: null,
      reasons: {
        upstreamNat:
          'the gateway reports 203.0.113.1, the STUN-mapped address, but created no mapping: a gateway that learned its address by STUN from behind another NAT looks the same',
      },
    },
  },
  {
    name: 'one NAT, no miniupnpd: nothing answers (5351 refused), upstreamNat null',
    cgnat: false,
    scenario: 'masquerade',
    miniupnpd: null,
    expected: {
      protocols: [
        {
          protocol: 'upnp-igd',
          answered: false,
          gateway: null,
          externalAddress: null,
          mappingCreated: null,
          mappingRemoved: null,
          rttMs: null,
          // Nothing listens on the router's port 1900: the unicast M-SEARCH is refused and discovery ends at
          // once — or, when the ICMP rate limit swallowed that refusal (see below), at the 250-ms budget.
          error: expect.stringMatching(
            /^(the gateway refused SSDP on port 1900 \(ICMP port unreachable\): nothing takes unicast searches there|no SSDP answer within 250 ms)$/,
          ),
        },
        ...(['nat-pmp', 'pcp'] as const).map((protocol) => ({
          protocol,
          answered: false,
          gateway: `${ADDR.routerLan}:5351`,
          externalAddress: null,
          mappingCreated: null,
          mappingRemoved: null,
          rttMs: null,
          // The router's kernel answers 5351 with ICMP port unreachable: not served, no waiting. (The 250-ms
          // alternative was first blamed on the ICMP rate limit; the cause was a refusal reported to a resend's
          // send callback and dropped — fixed by relaySendError. The kernel's limit, 6 per peer at once, can
          // still swallow one when more is refused; then the budget ends it. Both honest.)
          error: expect.stringMatching(
            /^(port refused \(ICMP port unreachable\): not served|no answer within 250 ms)$/,
          ),
        })),
      ],
      upstreamNat: null,
      reasons: { upstreamNat: 'no port-mapping protocol answered' },
    },
  },
];

/** Generous bound on a whole probe with a silent gateway (its 250 ms run in parallel; timing is in bench/). */
const SILENT_PROBE_BOUND_MS = 4_000;

describe.skipIf(!available)('natlab: port mapping (UPnP IGD, NAT-PMP, PCP) and NAT444', () => {
  for (const c of CASES) {
    for (const server of SERVERS) {
      describe(`${c.name} — against ${server.name}`, () => {
        let lab: Lab;
        let miniupnpd: LabProcess | null = null;

        beforeAll(async () => {
          lab = await createLab({ cgnat: c.cgnat });
          await applyScenario(lab, c.scenario);
          await server.start(lab);
          if (c.miniupnpd) miniupnpd = await startMiniupnpd(lab, c.miniupnpd.stun ? { stun: STUN } : {});
        }, 60_000);

        afterAll(async () => {
          if (lab) await destroyLab(lab);
        });

        it(
          'reports the exact port-mapping block and the combined NAT verdict',
          async () => {
            for (let i = 0; i < runs; i++) {
              await applyScenario(lab, c.scenario);
              const run = await runIceDoctorProbe(lab);
              const context = `run ${i + 1}/${runs}, exit ${String(run.exitCode)}\nstdout: ${run.stdout.slice(0, 3000)}\nstderr: ${run.stderr.slice(0, 1000)}\nminiupnpd: ${miniupnpd?.lines.slice(-30).join('\n') ?? '-'}`;
              expect(run.timedOut, context).toBe(false);
              expect(run.verdict, context).toEqual(PROBE_EXPECTED[c.scenario]);
              const report = probeReportSchema.parse(JSON.parse(run.stdout));
              expect(report.publicAddress?.address, context).toBe(ADDR.routerPub);
              expect(report.portMapping, context).toEqual(c.expected);
              if (c.miniupnpd === null)
                expect(report.durationMs, context).toBeLessThan(SILENT_PROBE_BOUND_MS);
            }
          },
          runs * (TOOL_TIMEOUT_MS + 5_000),
        );

        if (c.miniupnpd !== null && !c.cgnat)
          it('the mapping existed in the router while it was held, and is gone after the delete', async () => {
            const port = 40_000 + Math.floor(Math.random() * 10_000);
            const listRedirects = async () =>
              (await nsRun(lab.ns.nat, 'nft', ['list', 'chain', 'inet', UPNP_TABLE, 'prerouting_miniupnpd']))
                .stdout;
            const natPmp = (lifetimeS: number, external: number) =>
              nsRun(lab.ns.lan, process.execPath, ['-e', natPmpMapScript(port, external, lifetimeS)]);
            const added = await natPmp(60, port);
            expect(added.stdout.trim()).toBe(`result 0 external ${port}`);
            expect(await listRedirects()).toContain(`th dport ${port} dnat ip to ${ADDR.lanHost}:${port}`);
            const removed = await natPmp(0, 0);
            expect(removed.stdout.trim()).toBe('result 0 external 0');
            expect(await listRedirects()).not.toContain(`dport ${port}`);
          });
      });
    }
  }
});

/**
 * A node script for lan: one NAT-PMP UDP mapping request (RFC 6886 §3.3) from local port `port` to the
 * router, printing `result R external P` (an independent client, not ice-doctor's codec).
 */
function natPmpMapScript(port: number, external: number, lifetimeS: number): string {
  return `
const s = require('node:dgram').createSocket('udp4');
const b = Buffer.alloc(12); b[1] = 1; b.writeUInt16BE(${port}, 4); b.writeUInt16BE(${external}, 6); b.writeUInt32BE(${lifetimeS}, 8);
s.bind(${port}, () => s.send(b, 5351, '${ADDR.routerLan}'));
s.on('message', (m) => { console.log('result ' + m.readUInt16BE(2) + ' external ' + m.readUInt16BE(10)); process.exit(0); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 3000);
`;
}
