import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/stun-probe/run-probe.js';
import { type Coturn, coturnAvailable, startCoturn } from '../helpers/coturn.js';
import { selfSignedCert } from '../helpers/self-signed.js';

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
