import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { type CoturnTurn, startCoturnTurnInNs } from '../../lab/coturn-turn.js';
import { startReportPageServer } from '../../lab/servers.js';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun } from '../../src/lab/exec.js';
import { applyScenario } from '../../src/lab/scenarios.js';
import { ADDR, createLab, destroyLab, IFACE, type Lab } from '../../src/lab/topology.js';
import { encodeServersFragment } from '../../src/web/page/visitor-servers/codec.js';
import { chromiumAvailable, launchChromium, type RunningChromium } from '../e2e/chromium.js';
import { downloadReport, openReport } from '../e2e/report-page.js';
import { selfSignedCert } from '../support/self-signed.js';

// The visitor's own `turns:` server on port 443 in the NAT lab: Chromium in `lan` behind a NAT that drops
// every forwarded UDP packet (scenario `udp-dropped`) and, on top, every TCP connection to pub except ports 443
// (TURN over TLS) and 8080/8443 (the report page and its signaling) — a network where only HTTPS-like traffic
// leaves. ice-doctor serve in pub offers its bundled STUN/TURN (UDP, TCP 3478, TLS 5349: all blocked here);
// the visitor enters a coturn with TLS on 203.0.113.11:443 through a `#servers=` link. The page must prove
// that one server and say that only TURN over TLS on 443 works.

const available = (await labAvailable()) && chromiumAvailable() && coturnAvailable;
const TURNS_URL = `turns:${ADDR.pubSecondary}:443?transport=tcp`;
const USER = 'visitor-443';
const PASSWORD = 'Tls-Only-Pass-5d1';

describe.skipIf(!available)(
  'report page in the NAT lab: the visitor’s turns: on 443 behind a UDP-dropping NAT',
  () => {
    let lab: Lab;
    let url: string;
    let coturn: CoturnTurn | undefined;
    let cert: { certFile: string; keyFile: string } | undefined;
    let browser: RunningChromium | undefined;

    beforeAll(async () => {
      lab = await createLab();
      url = await startReportPageServer(lab);
      cert = selfSignedCert(ADDR.pubSecondary);
      coturn = await startCoturnTurnInNs(
        lab.ns.pub,
        {
          realm: 'lab.test',
          users: new Map([[USER, PASSWORD]]),
          allowLoopbackPeers: false,
          ip: ADDR.pubSecondary,
          tls: cert,
        },
        { port: 3578, tlsPort: 443, relayPorts: [40_000, 40_099] },
      );
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await coturn?.stop();
      if (cert) rmSync(dirname(cert.certFile), { recursive: true, force: true });
      if (lab) await destroyLab(lab);
    });

    it('only the visitor’s TURN over TLS on 443 is proved; the verdict is only-tls-443 (TCP 3478 and TLS 5349 shut, UDP to the same host silent)', async () => {
      await applyScenario(lab, 'udp-dropped');
      await nsRun(lab.sites[0]!.ns.nat, 'iptables', [
        '-A',
        'FORWARD',
        '-i',
        IFACE.routerLan,
        '-p',
        'tcp',
        '-m',
        'multiport',
        '!',
        '--dports',
        '443,8080,8443',
        '-j',
        'DROP',
      ]);
      browser = await launchChromium({ netns: lab.ns.lan });
      const fragment = encodeServersFragment({
        servers: [{ urls: TURNS_URL, username: USER, credential: PASSWORD }],
        policy: 'all',
      });
      const opened = await openReport(browser.context, `${url}${fragment}`, 60_000);
      const report = await downloadReport(opened.page);
      const visitor = report.paths.find((p) => p.id === 'visitor-turns-1');
      expect(visitor?.server).toBe('visitor');
      expect(visitor?.proof?.ok, JSON.stringify(visitor)).toBe(true);
      expect(visitor?.proof?.selectedPair?.relayProtocol).toBe('tls');
      const bundledTurn = report.paths.filter((p) => p.server === 'bundled' && p.kind !== 'stun');
      expect(bundledTurn.length).toBeGreaterThan(0);
      for (const p of bundledTurn) expect(p.proof?.ok ?? false, `${p.id} must not work here`).toBe(false);
      expect(report.udp).toBe(false);
      expect(opened.verdict.code, opened.verdict.text).toBe('only-tls-443');
      expect(opened.verdict.text).toMatch(/TURN\/TLS on 443\b/);
      expect(JSON.stringify(report)).not.toContain(PASSWORD);
    }, 150_000);
  },
);
