import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import { type TurnTargetReport, turnCheckReportSchema } from '../../src/report/schema.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { makePrivateCa, type PrivateCa } from '../support/private-ca.js';
import { selfSignedCert } from '../support/self-signed.js';

const canTls = existsSync('/usr/bin/openssl');
const ALICE = { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' } as const;

async function checkTls(port: number, ca?: string[]): Promise<TurnTargetReport> {
  const r = await runTurnCheck({
    targets: parseTurnTargets([`turns:127.0.0.1:${port}`]),
    credentials: ALICE,
    insecure: false,
    ca,
    timeoutMs: 8000,
  });
  return turnCheckReportSchema.parse(r).targets[0]!;
}

/** A TLS server on 127.0.0.1 that presents `cert` (a PEM chain, leaf first) and then says nothing. */
async function tlsServer(cert: string, keyFile: string): Promise<Server> {
  const server = createServer({ cert, key: readFileSync(keyFile) }, (s) => s.on('error', () => undefined));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (s: Server): number => (s.address() as { port: number }).port;

describe.skipIf(!canTls)('turn-check: certificates from a private CA, real chains made by openssl', () => {
  let pki: PrivateCa;
  const servers: Server[] = [];
  beforeAll(() => {
    pki = makePrivateCa();
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });

  async function verdict(chain: string[], ca?: string[]): Promise<TurnTargetReport> {
    const server = await tlsServer(chain.join(''), pki.leafKeyFile);
    servers.push(server);
    return checkTls(portOf(server), ca);
  }

  it.each([
    [
      'leaf alone from a private root: issuer unknown (not "incomplete chain"), the root named, --ca offered',
      () => [pki.leafByRoot],
      undefined,
      'tls-issuer-unknown',
      /issued by "CN=ice-doctor test root", which this host does not know: a private CA, or a missing intermediate.*--ca FILE/,
    ],
    [
      'leaf and private root sent: unknown CA (SELF_SIGNED_CERT_IN_CHAIN), the root named',
      () => [pki.leafByRoot, pki.root],
      undefined,
      'tls-unknown-ca',
      /ends in the root "CN=ice-doctor test root", which this host does not trust: a private CA/,
    ],
    [
      'leaf and intermediate sent, root private: unknown CA (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
      () => [pki.leafByIntermediate, pki.intermediate],
      undefined,
      'tls-unknown-ca',
      /stops at "CN=ice-doctor test intermediate", issued by "CN=ice-doctor test root"/,
    ],
    [
      'root given with --ca, intermediate not sent: incomplete chain',
      () => [pki.leafByIntermediate],
      'root',
      'tls-incomplete-chain',
      /issuer "CN=ice-doctor test intermediate" is neither sent by the server nor among the --ca certificates/,
    ],
    [
      'leaf alone whose CA publishes the intermediate (AIA): incomplete chain',
      () => [pki.leafWithAia],
      undefined,
      'tls-incomplete-chain',
      /without the intermediate "CN=ice-doctor test intermediate", which its CA publishes at http:\/\/ca\.example\.test\/int\.crt/,
    ],
  ] as const)('%s', async (_, chain, ca, code, words) => {
    const t = await verdict([...chain()], ca === 'root' ? [pki.root] : undefined);
    expect(t.diagnoses.map((d) => d.code)).toEqual([code]);
    expect(t.diagnoses[0]?.message).toMatch(words);
  });

  it('a trusted chain (--ca) for another name: still refused, tls-wrong-name (the name is checked too)', async () => {
    const server = createServer({ cert: pki.leafByRoot, key: readFileSync(pki.leafKeyFile) }, (s) =>
      s.on('error', () => undefined),
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    servers.push(server);
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turns:[::1]:${portOf(server)}`]),
      credentials: ALICE,
      insecure: false,
      ca: [pki.root],
      timeoutMs: 8000,
    });
    const t = r.targets[0]!;
    expect(t.diagnoses.map((d) => d.code)).toEqual(['tls-wrong-name']);
    expect(t.steps.find((s) => s.name === 'allocate')?.status).toBe('skipped');
  });

  it('a self-signed leaf: tls-self-signed', async () => {
    const self = selfSignedCert('localhost');
    const server = await tlsServer(readFileSync(self.certFile, 'utf8'), self.keyFile);
    servers.push(server);
    const t = await checkTls(portOf(server));
    expect(t.diagnoses.map((d) => d.code)).toEqual(['tls-self-signed']);
  });

  describe('the bundled TURN server with a certificate from the private root', () => {
    let turn: RunningTurnServer;
    beforeAll(async () => {
      const base = 41_000 + Math.floor(Math.random() * 90) * 100;
      turn = await startTurnServer({
        addresses: ['127.0.0.1'],
        port: 0,
        turn: parseTurnFlags(
          {
            user: ['alice:wonderland'],
            relayPorts: `${base}-${base + 99}`,
            tlsCert: pki.file('served.pem', pki.leafByRoot),
            tlsKey: pki.leafKeyFile,
          },
          ['127.0.0.1'],
          true,
        ),
      });
    });
    afterAll(async () => turn?.close());

    it('passes with --ca naming the root, every step ok and the certificate verified', async () => {
      const t = await checkTls(turn.turnTls[0]!.port, [pki.root]);
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.diagnoses).toEqual([]);
      expect(t.tlsVerified).toBe(true);
      expect(t.steps.find((s) => s.name === 'connect')?.detail).toBe('TLS connected, certificate verified');
    });

    it('without --ca: tls-issuer-unknown, the check stops at connect', async () => {
      const t = await checkTls(turn.turnTls[0]!.port);
      expect(t.diagnoses.map((d) => d.code)).toEqual(['tls-issuer-unknown']);
    });
  });
});
