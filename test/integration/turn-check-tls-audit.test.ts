import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTurnCheckText } from '../../src/cli/render/turn-check.js';
import { parseHosts } from '../../src/client/transport/hosts-file.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnTargetReport, turnCheckReportSchema } from '../../src/report/schema.js';
import { loadTlsCredentials } from '../../src/server/stun/tls-credentials.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import {
  type CertificateCase,
  type CertificateCases,
  makeCertificateCases,
  startTurnWithCertificate,
} from '../support/certificate-cases.js';

const canTls = existsSync('/usr/bin/openssl');
/** localhost as 127.0.0.1 alone, whatever this machine's /etc/hosts says (::1 would be a second node). */
const LOCALHOST_V4 = parseHosts('127.0.0.1 localhost\n');
const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

describe.skipIf(!canTls)(
  'turn-check: the turns: certificate audit against the bundled server (openssl certificates)',
  () => {
    let cases: CertificateCases;
    let turn: RunningTurnServer;
    beforeAll(async () => {
      cases = makeCertificateCases();
      turn = await startTurnWithCertificate(cases.good);
    }, 60_000);
    afterAll(async () => {
      await turn?.close();
    });

    /** Serves `c` on the TLS listener and checks `turns:localhost:<port>` (over 127.0.0.1). */
    async function audit(
      c: CertificateCase,
      opts: { insecure: boolean; ca: boolean },
    ): Promise<TurnTargetReport> {
      turn.setTlsCredentials(loadTlsCredentials(c.certFile, c.keyFile));
      const r = turnCheckReportSchema.parse(
        await runTurnCheck({
          targets: parseTurnTargets([`turns:localhost:${turn.turnTls[0]!.port}`]),
          credentials: ALICE,
          insecure: opts.insecure,
          ca: opts.ca ? [cases.root] : undefined,
          timeoutMs: 8000,
          hosts: LOCALHOST_V4,
        }),
      );
      return r.targets[0]!;
    }
    const codes = (t: TurnTargetReport): string[] => t.diagnoses.map((d) => d.code);

    it('good (trusted through --ca): names, about 60 days, host named, chain trusted, TLS 1.2 and 1.3 only', async () => {
      const t = await audit(cases.good, { insecure: false, ca: true });
      expect(t.ok).toBe(true);
      expect(t.certificate).toMatchObject({
        subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1'],
        hostMatches: true,
        chain: 'trusted',
        tlsVersions: ['TLSv1.2', 'TLSv1.3'],
        browserAccepts: null,
      });
      expect(t.certificate?.daysLeft).toBeGreaterThanOrEqual(58);
      expect(t.certificate?.reason).toMatch(/only where that CA is installed/);
      expect(codes(t)).toEqual([]);
      expect(renderTurnCheckText(turnCheckReportSchema.parse({ ...fakeReport(t) }))).toMatch(
        /certificate: DNS:localhost IP:127\.0\.0\.1 · expires \d{4}-\d\d-\d\d \(\d+ days\) · host named · chain trusted · TLSv1\.2 TLSv1\.3/,
      );
    });

    it('expiring in 5 days: tls-expiring-soon (warn), the check still passes', async () => {
      const t = await audit(cases.expiringSoon, { insecure: false, ca: true });
      expect(t.ok).toBe(true);
      expect(t.certificate?.daysLeft).toBe(4);
      expect(codes(t)).toEqual(['tls-expiring-soon']);
      expect(t.diagnoses[0]?.message).toMatch(/in 4 days.*Renew it/);
    });

    it('expired, verified: the connect fails tls-expired and the audit still says when and why', async () => {
      const t = await audit(cases.expired, { insecure: false, ca: true });
      expect(codes(t)).toContain('tls-expired');
      expect(t.certificate).toMatchObject({ chain: 'trusted', hostMatches: true, browserAccepts: false });
      expect(t.certificate?.daysLeft).toBeLessThan(0);
      expect(t.certificate?.reason).toMatch(/expired/);
    });

    it('expired under --insecure: the relay check passes, tls-not-verified names the expiry', async () => {
      const t = await audit(cases.expired, { insecure: true, ca: true });
      expect(t.ok).toBe(true);
      expect(codes(t)).toEqual(['tls-not-verified']);
      expect(t.diagnoses[0]?.message).toMatch(
        /its audit shows browsers will refuse it: it expired on \d{4}-/,
      );
    });

    it('wrong name: hostMatches false, the names it has listed', async () => {
      const t = await audit(cases.wrongName, { insecure: true, ca: true });
      expect(t.certificate).toMatchObject({
        subjectAltNames: ['DNS:other.test'],
        hostMatches: false,
        chain: 'trusted',
        browserAccepts: false,
      });
      expect(t.diagnoses.find((d) => d.code === 'tls-not-verified')?.message).toMatch(
        /does not name the host \(it names DNS:other\.test\)/,
      );
    });

    it('self-signed: chain self-signed, browsers refuse it', async () => {
      const t = await audit(cases.selfSigned, { insecure: true, ca: false });
      expect(t.certificate).toMatchObject({ chain: 'self-signed', hostMatches: true, browserAccepts: false });
    });

    it('missing intermediate (root given with --ca, leaf sent alone): missing-intermediate', async () => {
      const t = await audit(cases.missingIntermediate, { insecure: false, ca: true });
      expect(codes(t)).toContain('tls-incomplete-chain');
      expect(t.certificate).toMatchObject({ chain: 'missing-intermediate', browserAccepts: false });
      expect(t.certificate?.reason).toMatch(/neither sent by the server nor among the --ca certificates/);
    });

    it('untrusted root (leaf + intermediate of a root nobody trusts): untrusted-root', async () => {
      const t = await audit(cases.untrustedRoot, { insecure: true, ca: true });
      expect(t.certificate).toMatchObject({ chain: 'untrusted-root', browserAccepts: false });
      expect(t.certificate?.reason).toMatch(/stops at "CN=ice-doctor audit root2 intermediate"/);
    });

    it("the bundled server's generated certificate (EC, no keyCertSign): self-signed, said under --insecure", async () => {
      const generated = await startTurnServer({
        addresses: ['127.0.0.1'],
        port: 0,
        turn: { users: new Map([['alice', 'wonderland']]), tlsPort: 0 },
      });
      try {
        const r = await runTurnCheck({
          targets: parseTurnTargets([`turns:127.0.0.1:${generated.turnTls[0]!.port}`]),
          credentials: ALICE,
          insecure: true,
          timeoutMs: 8000,
          hosts: LOCALHOST_V4,
        });
        const t = turnCheckReportSchema.parse(r).targets[0]!;
        expect(t.certificate).toMatchObject({
          chain: 'self-signed',
          hostMatches: true,
          browserAccepts: false,
        });
        expect(t.diagnoses[0]?.message).toMatch(/browsers will refuse it: it is self-signed/);
      } finally {
        await generated.close();
      }
    });

    it('udp and tcp targets get no certificate', async () => {
      const r = await runTurnCheck({
        targets: parseTurnTargets([`turn:127.0.0.1:${turn.turnUdp[0]!.port}`]),
        credentials: ALICE,
        insecure: false,
        timeoutMs: 8000,
        hosts: LOCALHOST_V4,
      });
      expect(r.targets.every((t) => t.certificate === undefined)).toBe(true);
    });
  },
);

/** A one-target report around `t`, for the text renderer. */
function fakeReport(t: TurnTargetReport) {
  return {
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'turn-check',
    startedAt: new Date().toISOString(),
    ok: t.ok,
    summary: '',
    targets: [t],
    durationMs: 1,
  };
}
