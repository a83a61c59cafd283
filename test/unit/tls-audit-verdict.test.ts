import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  probeTls,
  refusedByServer,
  type TlsAuditObservation,
} from '../../src/client/transport/tls-audit-probe.js';
import { judgeTlsAudit, notVerifiedWords } from '../../src/client/turn-check/tls-audit.js';
import { tlsAuditSchema } from '../../src/report/turn-tls-schema.js';
import { selfSignedCert } from '../support/self-signed.js';

const { certFile } = selfSignedCert('localhost', 'DNS:localhost');
const pem = readFileSync(certFile, 'utf8');
const der = new X509Certificate(pem).raw;

function seen(over: Partial<TlsAuditObservation> = {}): TlsAuditObservation {
  return {
    chain: [der],
    chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    versions: ['TLSv1.2', 'TLSv1.3'],
    unknownVersions: [],
    at: Date.now(),
    error: null,
    ...over,
  };
}

describe('judgeTlsAudit: browserAccepts never confidently wrong', () => {
  it('self-signed, and OpenSSL agrees: false', () => {
    const a = judgeTlsAudit(seen(), 'localhost')!;
    expect(a).toMatchObject({ chain: 'self-signed', browserAccepts: false });
  });

  it('the path built here refuses the chain but OpenSSL accepted it: null, both stories', () => {
    const a = judgeTlsAudit(seen({ chainError: null }), 'localhost')!;
    expect(a.browserAccepts).toBeNull();
    expect(a.reason).toMatch(/signed by its own key, but OpenSSL's verification accepted it/);
  });

  it("trusted here (through --ca) while OpenSSL refused it: OpenSSL's story is kept", () => {
    const a = judgeTlsAudit(seen({ chainError: 'CERT_HAS_EXPIRED' }), 'localhost', [pem])!;
    expect(a.chain).toBe('trusted');
    expect(a.browserAccepts).toBeNull();
    expect(a.reason).toMatch(
      /leads to a trusted root, but OpenSSL's verification refused it \(CERT_HAS_EXPIRED\)/,
    );
  });

  it('TLS 1.2 and 1.3 unanswered (timeouts): versions unknown, not "accepts neither"', () => {
    const a = judgeTlsAudit(
      seen({ chainError: null, versions: [], unknownVersions: ['TLSv1.2', 'TLSv1.3'] }),
      'localhost',
      [pem],
    )!;
    expect(tlsAuditSchema.parse(a)).toEqual(a);
    expect(a).toMatchObject({
      tlsVersions: [],
      tlsVersionsUnknown: ['TLSv1.2', 'TLSv1.3'],
      browserAccepts: null,
    });
    expect(a.reason).toMatch(/whether the server accepts TLS 1\.2 or 1\.3 is unknown/);
    expect(notVerifiedWords({ ...a, chain: 'self-signed', browserAccepts: false })).not.toMatch(
      /accepts neither TLS 1\.2 nor TLS 1\.3/,
    );
  });

  it('both refused by the server: false, and named', () => {
    const a = judgeTlsAudit(seen({ chainError: null, versions: ['TLSv1'] }), 'localhost', [pem])!;
    expect(a.browserAccepts).toBe(false);
    expect(a).not.toHaveProperty('tlsVersionsUnknown');
  });
});

describe('probeTls: three states per version', () => {
  it('alerts are refusals; timeouts, resets and local errors are not', () => {
    expect(refusedByServer('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')).toBe(true);
    expect(refusedByServer('ERR_SSL_UNSUPPORTED_PROTOCOL')).toBe(true);
    for (const e of ['timeout', 'ECONNRESET', 'aborted', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE'])
      expect(refusedByServer(e)).toBe(false);
  });

  it('a server that never answers: every version unknown, none accepted', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const o = await probeTls({
        to: { family: 'IPv4', address: '127.0.0.1', port },
        host: 'localhost',
        timeoutMs: 300,
      });
      expect(o.versions).toEqual([]);
      expect(o.unknownVersions).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
