import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coturn, coturnAvailable, startCoturn } from '../../lab/coturn.js';
import { startChangeIgnoringServer } from '../../lab/misbehaving-stun.js';
import { runProbe } from '../../src/client/nat-probe/run-probe.js';
import { probeReportSchema } from '../../src/report/schema.js';

const COTURN_PORT = 23_478;

describe.skipIf(!coturnAvailable)('probe against real coturn on 127.0.0.1 + 127.0.0.2 (RFC 5780)', () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn(['127.0.0.1', '127.0.0.2'], COTURN_PORT);
  });
  afterAll(async () => coturn?.stop());

  it('finds no NAT, endpoint-independent mapping and filtering, open internet, over UDP and TCP', async () => {
    const r = probeReportSchema.parse(
      await runProbe({ urls: [`stun:127.0.0.1:${COTURN_PORT}`], timeoutMs: 5000, hairpin: true }),
    );
    expect(r).toMatchObject({
      udp: true,
      natPresent: false,
      mapping: 'endpoint-independent',
      mappingMethod: 'local-address',
      filtering: 'endpoint-independent',
      legacyNatType: 'open-internet',
      hairpinning: true,
      serverHonoursChangeRequest: true,
    });
    expect(r.publicAddress?.address).toBe('127.0.0.1');
    const byName = Object.fromEntries(r.tests.map((t) => [t.name, t]));
    expect(byName['filtering-II']?.replySource).toEqual({
      address: '127.0.0.2',
      port: COTURN_PORT + 1,
      family: 'IPv4',
    });
    expect(byName['filtering-III']?.replySource).toEqual({
      address: '127.0.0.1',
      port: COTURN_PORT + 1,
      family: 'IPv4',
    });
    expect(byName['mapping-II']?.replySource?.address).toBe('127.0.0.2');
    expect(r.reachability.map((x) => [x.transport, x.reachable])).toEqual([
      ['udp', true],
      ['tcp', true],
    ]);
  });

  it('a closed port on the same host: UDP silent, TCP refused: server unreachable, not "UDP blocked"', async () => {
    const r = await runProbe({ urls: ['stun:127.0.0.1:9'], timeoutMs: 4000 });
    expect(r).toMatchObject({ udp: null, udpStatus: 'server-unreachable', legacyNatType: null });
    expect(r.summary).toMatch(/^Server unreachable/);
    expect(r.reachability.find((x) => x.transport === 'tcp')?.error).toBe(
      'connection refused (nothing listens on that port) (ECONNREFUSED)',
    );
    expect(r.reasons.udp).toMatch(/no server answered over UDP, TCP or TLS/);
    const testI = r.tests.find((t) => t.name === 'mapping-I');
    expect(testI).toMatchObject({ verdict: 'timeout', requestsSent: 4, responsesReceived: 0 });
  });
});

describe('probe against a server that ignores CHANGE-REQUEST', () => {
  it('names the server as not trusted, and does not call the filtering endpoint-independent', async () => {
    const server = await startChangeIgnoringServer('127.0.0.1', '127.0.0.3');
    try {
      const r = await runProbe({ urls: [server.url], timeoutMs: 3000 });
      expect(r.filtering).toBeNull();
      expect(r.legacyNatType).toBeNull();
      expect(r.serverHonoursChangeRequest).toBe(false);
      expect(r.rfc5780Server).toBeNull();
      expect(r.untrustedServers).toEqual([
        { url: server.url, reason: expect.stringMatching(/ignored CHANGE-REQUEST/) },
      ]);
      expect(r.reasons.filtering).toMatch(/ignored CHANGE-REQUEST/);
      expect(r.tests.find((t) => t.name === 'filtering-II')?.verdict).toBe('unexpected-source');
    } finally {
      await server.close();
    }
  });
});
