import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coturn, coturnAvailable, startCoturn } from '../../lab/coturn.js';
import { freePort } from '../../lab/coturn-turn.js';
import { runProbe } from '../../src/client/nat-probe/run-probe.js';
import { makePrivateCa, type PrivateCa } from '../support/private-ca.js';
import { selfSignedCert } from '../support/self-signed.js';

const PORT = 23_578;
const TLS_PORT = 25_349;

describe.skipIf(!coturnAvailable || !existsSync('/usr/bin/openssl'))(
  'STUN over TLS (stuns:) against real coturn',
  () => {
    let coturn: Coturn;
    beforeAll(async () => {
      coturn = await startCoturn(['127.0.0.1'], PORT, [], { port: TLS_PORT, ...selfSignedCert('localhost') });
    });
    afterAll(async () => coturn?.stop());

    it('with --insecure: reachable, with an RTT and a mapped address', async () => {
      const r = await runProbe({ urls: [`stuns:127.0.0.1:${TLS_PORT}`], timeoutMs: 4000, insecure: true });
      expect(r.reachability).toHaveLength(1);
      expect(r.reachability[0]).toMatchObject({
        transport: 'tls',
        reachable: true,
        mappedAddress: { address: '127.0.0.1' },
      });
      expect(r.reachability[0]?.rttMs).toBeGreaterThan(0);
    });

    it('without --insecure: the certificate problem is named', async () => {
      const r = await runProbe({ urls: [`stuns:127.0.0.1:${TLS_PORT}`], timeoutMs: 4000 });
      expect(r.reachability[0]).toMatchObject({
        reachable: false,
        error: 'the TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)',
      });
    });
  },
);

describe.skipIf(!coturnAvailable || !existsSync('/usr/bin/openssl'))(
  'stuns: against real coturn with a certificate from a private CA (--ca)',
  () => {
    let coturn: Coturn;
    let pki: PrivateCa;
    let tlsPort: number;
    beforeAll(async () => {
      pki = makePrivateCa();
      const port = await freePort();
      tlsPort = await freePort();
      coturn = await startCoturn(['127.0.0.1'], port, [], {
        port: tlsPort,
        certFile: pki.file('served.pem', pki.leafByRoot),
        keyFile: pki.leafKeyFile,
      });
    });
    afterAll(async () => coturn?.stop());

    it('with --ca naming the root: reachable over verified TLS', async () => {
      const r = await runProbe({ urls: [`stuns:127.0.0.1:${tlsPort}`], timeoutMs: 4000, ca: [pki.root] });
      expect(r.reachability[0]).toMatchObject({ transport: 'tls', reachable: true });
    });

    it('without --ca: the certificate is refused', async () => {
      const r = await runProbe({ urls: [`stuns:127.0.0.1:${tlsPort}`], timeoutMs: 4000 });
      expect(r.reachability[0]).toMatchObject({ reachable: false });
      expect(r.reachability[0]?.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    });
  },
);
