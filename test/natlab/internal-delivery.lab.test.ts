import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable } from '../../lab/available.js';
import { nsRun } from '../../lab/exec.js';
import { CLI_PATH } from '../../lab/paths.js';
import type { LabProcess } from '../../lab/processes.js';
import { applyScenario } from '../../lab/scenarios.js';
import { ADDR, createLab, destroyLab, IFACE, type Lab } from '../../lab/topology.js';
import { turnCheckReportSchema } from '../../src/report/schema.js';

// The bundled TURN server behind a real Linux NAT that does not hairpin (issue 15 §1, last bullet): serve in
// lan (100.64.0.2) with `--external-ip 203.0.113.1` (the router's public address), TURN port 3478 and the
// relay range forwarded (DNAT from the public side only), masquerade out. The relayed addresses are the
// external IP, which the server cannot reach from inside; turn-check from pub relays between two of its
// allocations only because the server delivers internally (before: relay-no-data on every transport).
const available = await labAvailable();
const RELAY_MIN = 49152;
const RELAY_MAX = 49201;

/** From lan, whether a datagram to the router's public address reaches a lan socket on a forwarded port. */
const HAIRPIN_PROBE = `
const dgram = require('node:dgram');
const rx = dgram.createSocket('udp4'), tx = dgram.createSocket('udp4');
let got = false;
rx.on('message', () => { got = true; });
rx.bind(${RELAY_MAX}, '${ADDR.lanHost}', () => {
  for (let i = 0; i < 3; i++) tx.send('x', ${RELAY_MAX}, '${ADDR.routerPub}');
  setTimeout(() => { console.log(got ? 'hairpinned' : 'not hairpinned'); rx.close(); tx.close(); }, 500);
});
`;

describe.skipIf(!available)(
  'natlab: the bundled server behind a NAT that does not hairpin (internal delivery)',
  () => {
    let lab: Lab;
    let serve: LabProcess | undefined;

    beforeAll(async () => {
      lab = await createLab();
      await applyScenario(lab, 'masquerade');
      const dnat = (proto: string, ports: string[]) =>
        nsRun(lab.ns.nat, 'iptables', [
          '-t',
          'nat',
          '-A',
          'PREROUTING',
          '-i',
          IFACE.routerPub,
          '-d',
          ADDR.routerPub,
          '-p',
          proto,
          ...ports,
          '-j',
          'DNAT',
          '--to-destination',
          ADDR.lanHost,
        ]);
      await dnat('udp', ['-m', 'multiport', '--dports', `3478,${RELAY_MIN}:${RELAY_MAX}`]);
      await dnat('tcp', ['--dport', '3478']);
    }, 60_000);

    afterAll(async () => {
      await serve?.stop();
      if (lab) await destroyLab(lab);
    });

    it('the NAT does not hairpin: lan cannot reach itself at the public address', async () => {
      const r = await nsRun(lab.ns.lan, process.execPath, ['-e', HAIRPIN_PROBE], { timeoutMs: 10_000 });
      expect(r.stdout.trim()).toBe('not hairpinned');
    });

    it('turn-check from outside relays over UDP and TCP: no relay-no-data', async () => {
      serve = lab.start('lan', 'serve', process.execPath, [
        CLI_PATH,
        'serve',
        '--listen',
        ADDR.lanHost,
        '--port',
        '3478',
        '--external-ip',
        ADDR.routerPub,
        '--relay-ports',
        `${RELAY_MIN}-${RELAY_MAX}`,
        '--allow-peer',
        '203.0.113.0/24',
        '--no-tls',
        '--no-report',
        '--json',
        '--user',
        'alice:wonderland',
      ]);
      await serve.waitForLine((l) => l.trimStart().startsWith('{'), 20_000);
      const r = await nsRun(
        lab.ns.pub,
        process.execPath,
        [
          CLI_PATH,
          'turn-check',
          '--json',
          `turn:${ADDR.routerPub}:3478?transport=udp`,
          `turn:${ADDR.routerPub}:3478?transport=tcp`,
          '--user',
          'alice',
          '--password',
          'wonderland',
        ],
        { timeoutMs: 60_000, check: false },
      );
      const report = turnCheckReportSchema.parse(JSON.parse(r.stdout));
      for (const t of report.targets) {
        expect(t.relayedAddress?.address, t.url).toBe(ADDR.routerPub);
        expect(
          t.diagnoses.map((d) => d.code),
          t.url,
        ).not.toContain('relay-no-data');
        const relaySteps = t.steps.filter((s) => ['send-indication', 'channel-data'].includes(s.name));
        expect(
          relaySteps.map((s) => s.status),
          t.url,
        ).toEqual(['ok', 'ok']);
      }
    }, 90_000);
  },
);
