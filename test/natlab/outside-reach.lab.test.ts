import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import {
  forwardInsideTurn,
  INSIDE_RELAY_PORTS,
  type InsideTurn,
  startInsideBundled,
  startInsideCoturn,
  turnCheckFromPub,
} from '../../lab/inside-turn.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { ADDR, createLab, destroyLab, type Lab } from '../../src/lab/topology.js';
import { reportSchema } from '../../src/report/report-schema.js';
import type { TurnCheckReport } from '../../src/report/schema.js';

// issue 15 §1 in the NAT lab: a TURN server INSIDE lan (100.64.0.2) behind the router, which forwards only
// the ports the operator opened from its public address 203.0.113.1 and does not hairpin; turn-check runs
// from pub (the Internet) with the reach check on. (a) only 3478 forwarded: before the reach check coturn
// passed "All 2 TURN checks passed" although no peer outside can reach a relay port; now the closed relay
// ports are named. (b) the relay range forwarded too: passes. (c) external-ip missing: the relayed address is
// private, named. Against coturn and `ice-doctor serve --external-ip` (dist/cli.js: `npm run build` first).
// The bundled server passes (b) only because it delivers internally between its own relayed addresses, as
// coturn does (issue 15 §1, last bullet): the router does not hairpin, so a packet it sent to its external IP
// would never come back (before: relay-no-data on every transport).

const available = await labAvailable();

/** From lan, whether a datagram to the router's public address comes back to a lan socket on a forwarded port. */
const HAIRPIN_PROBE = `
const dgram = require('node:dgram');
const rx = dgram.createSocket('udp4'), tx = dgram.createSocket('udp4');
let got = false;
rx.on('message', () => { got = true; });
rx.bind(${INSIDE_RELAY_PORTS[1]}, '${ADDR.lanHost}', () => {
  for (let i = 0; i < 3; i++) tx.send('x', ${INSIDE_RELAY_PORTS[1]}, '${ADDR.routerPub}');
  setTimeout(() => { console.log(got ? 'hairpinned' : 'not hairpinned'); rx.close(); tx.close(); }, 500);
});
`;

const SERVERS: {
  name: string;
  start: (lab: Lab, externalIp: boolean) => Promise<InsideTurn>;
  skip: boolean;
}[] = [
  { name: 'coturn', start: startInsideCoturn, skip: !coturnAvailable },
  { name: 'ice-doctor serve', start: startInsideBundled, skip: false },
];

/** turn-check --json from pub against the inside server, validated by the one report schema. */
async function check(
  lab: Lab,
): Promise<{ report: TurnCheckReport; exitCode: number | null; context: string }> {
  const run = await turnCheckFromPub(lab, ['--json']);
  const context = `exit ${String(run.exitCode)}\nstdout: ${run.stdout.slice(0, 6000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
  const parsed = reportSchema.safeParse(JSON.parse(run.stdout));
  expect(parsed.success, `${context}\n${parsed.error?.message ?? ''}`).toBe(true);
  expect(parsed.data?.kind).toBe('turn-check');
  return { report: parsed.data as TurnCheckReport, exitCode: run.exitCode, context };
}

describe.skipIf(!available)('natlab: relay reach from outside, TURN server behind a NAT', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab();
  }, 60_000);

  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it('the router does not hairpin: lan cannot reach itself at the public address, relay range forwarded', async () => {
    await forwardInsideTurn(lab, true);
    const r = await nsRun(lab.ns.lan, process.execPath, ['-e', HAIRPIN_PROBE], { timeoutMs: 10_000 });
    expect(r.stdout.trim()).toBe('not hairpinned');
  });

  for (const server of SERVERS) {
    describe.skipIf(server.skip)(`${server.name} in lan`, () => {
      async function withServer(relayRange: boolean, externalIp: boolean) {
        await forwardInsideTurn(lab, relayRange);
        const running = await server.start(lab, externalIp);
        try {
          return await check(lab);
        } finally {
          await running.stop();
        }
      }

      it('(a) only 3478 forwarded: the relay ports tried are named closed from outside', async () => {
        const { report, exitCode, context } = await withServer(false, true);
        expect(exitCode, context).toBe(1);
        expect(report.targets.map((t) => t.transport)).toEqual(['udp', 'tcp']);
        for (const t of report.targets) {
          const reach = t.outsideReach;
          expect(reach?.verdict, context).toBe('closed');
          expect(reach?.reachable).toBe(0);
          expect(reach?.ports).toHaveLength(3);
          expect(reach?.peerAddress?.address).toBe(ADDR.pubPrimary);
          expect(reach?.permitted).toContain(ADDR.pubPrimary);
          for (const p of reach?.ports ?? []) {
            expect(p.relayed.address).toBe(ADDR.routerPub);
            expect(p.relayed.port).toBeGreaterThanOrEqual(INSIDE_RELAY_PORTS[0]);
            expect(p.relayed.port).toBeLessThanOrEqual(INSIDE_RELAY_PORTS[1]);
            expect(p.inbound).toBe(false);
          }
          // The server itself relays (between two of its allocations): only the outside is closed.
          const finding = t.diagnoses.find((d) => d.code === 'relay-only-inside');
          expect(finding?.severity, context).toBe('fail');
          for (const p of reach?.ports ?? []) expect(finding?.message).toContain(String(p.relayed.port));
          expect(finding?.message).toContain(ADDR.routerPub);
        }
      }, 60_000);

      it('(b) the relay range forwarded too: every check passes, 3 of 3 relay ports both ways', async () => {
        const { report, exitCode, context } = await withServer(true, true);
        expect(exitCode, context).toBe(0);
        expect(report.ok, context).toBe(true);
        for (const t of report.targets) {
          expect(t.relayedAddress?.address, context).toBe(ADDR.routerPub);
          const relaySteps = t.steps.filter((s) => ['send-indication', 'channel-data'].includes(s.name));
          expect(
            relaySteps.map((s) => s.status),
            context,
          ).toEqual(['ok', 'ok']);
          expect(t.outsideReach?.verdict, context).toBe('reachable');
          expect(t.outsideReach?.reachable).toBe(3);
          for (const p of t.outsideReach?.ports ?? []) {
            expect(p.peerSeen?.address).toBe(ADDR.pubPrimary);
            expect([p.inbound, p.outbound]).toEqual([true, true]);
          }
        }
      }, 60_000);

      it('(c) external-ip missing: the private relayed address is named', async () => {
        const { report, exitCode, context } = await withServer(true, false);
        expect(exitCode, context).toBe(1);
        for (const t of report.targets) {
          expect(t.outsideReach?.verdict, context).toBe('relay-address-private');
          expect(t.relayedAddress?.address).toBe(ADDR.lanHost);
          const finding = t.diagnoses.find((d) => d.code === 'relay-address-private');
          expect(finding?.message).toContain(ADDR.lanHost);
          expect(finding?.message).toMatch(/external-ip/);
        }
      }, 60_000);
    });
  }
});
