import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHosts } from '../../src/client/transport/hosts-file.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnTargetReport, turnCheckReportSchema } from '../../src/report/schema.js';
import type { RunningTurnServer } from '../../src/server/turn/server.js';
import { transportAddress } from '../../src/wire/address.js';
import { AlternateServer } from '../../src/wire/attributes/addresses.js';
import { AlternateDomain } from '../../src/wire/attributes/texts.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass } from '../../src/wire/constants.js';
import { StreamFramer } from '../../src/wire/framing.js';
import { decodeMessage } from '../../src/wire/message.js';
import {
  type CertificateCases,
  makeCertificateCases,
  startTurnWithCertificate,
} from '../support/certificate-cases.js';

const canTls = existsSync('/usr/bin/openssl');
/** localhost as 127.0.0.1 alone, whatever this machine's /etc/hosts says (::1 would be a second node). */
const LOCALHOST_V4 = parseHosts('127.0.0.1 localhost\n');
const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

/**
 * A TLS front (certificate for localhost) that answers every STUN request with 300 Try Alternate to
 * `to` and, when given, ALTERNATE-DOMAIN `domain` (RFC 8489 §14.15–14.16).
 */
async function redirectingFront(
  cases: CertificateCases,
  to: { port: number },
  domain: string | null,
): Promise<Server> {
  const server = createServer({
    cert: readFileSync(cases.good.certFile),
    key: readFileSync(cases.good.keyFile),
  });
  server.on('secureConnection', (socket) => {
    const framer = new StreamFramer();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        if (frame.kind !== 'stun') continue;
        const msg = decodeMessage(frame.bytes);
        socket.write(
          buildMessage({
            method: msg.method,
            cls: StunClass.errorResponse,
            transactionId: msg.transactionId,
            attributes: [
              { type: Attr.ERROR_CODE, error: { code: 300, reason: 'Try Alternate' } },
              AlternateServer.encode(transportAddress('127.0.0.1', to.port)),
              ...(domain ? [AlternateDomain.encode(domain)] : []),
            ],
          }),
        );
      }
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe.skipIf(!canTls)(
  'turn-check over TLS: the alternate certificate is checked against ALTERNATE-DOMAIN',
  () => {
    let cases: CertificateCases;
    let alternate: RunningTurnServer;
    const fronts: Server[] = [];
    beforeAll(async () => {
      cases = makeCertificateCases();
      // The alternate's certificate names only other.test.
      alternate = await startTurnWithCertificate(cases.wrongName);
    }, 60_000);
    afterAll(async () => {
      for (const f of fronts) f.close();
      await alternate?.close();
    });

    async function viaFront(domain: string | null): Promise<TurnTargetReport> {
      const front = await redirectingFront(cases, alternate.turnTls[0]!, domain);
      fronts.push(front);
      const port = (front.address() as { port: number }).port;
      const r = await runTurnCheck({
        targets: parseTurnTargets([`turns:localhost:${port}`]),
        credentials: ALICE,
        insecure: false,
        ca: [cases.root],
        timeoutMs: 8000,
        hosts: LOCALHOST_V4,
      });
      return turnCheckReportSchema.parse(r).targets[0]!;
    }

    it('with ALTERNATE-DOMAIN other.test: the alternate is verified against it and the check passes', async () => {
      const t = await viaFront('other.test');
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.alternate).toMatchObject({ domain: 'other.test', followed: true, to: alternate.turnTls[0] });
      // The audit is of the URL's server (the front), whose certificate names localhost.
      expect(t.certificate?.hostMatches).toBe(true);
    });

    it('without ALTERNATE-DOMAIN: the alternate is verified against the URL host, localhost, and fails', async () => {
      const t = await viaFront(null);
      expect(t.ok).toBe(false);
      expect(t.alternate).toMatchObject({ domain: null, followed: true });
      expect(t.diagnoses.map((d) => d.code)).toContain('tls-wrong-name');
    });
  },
);
