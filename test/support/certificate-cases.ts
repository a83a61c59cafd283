import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';

/** One certificate case for a TLS listener: the chain file (leaf first) and its key. */
export interface CertificateCase {
  certFile: string;
  keyFile: string;
}

/** The `turns:` audit's cases, made by Debian's openssl in a fresh directory (issue 15 §2). */
export interface CertificateCases {
  /** The private root every CA case chains to (give it as `--ca` to trust it). */
  root: string;
  /** Leaf (localhost, 127.0.0.1; 60 days) + intermediate. */
  good: CertificateCase;
  /** As good, 5 days left. */
  expiringSoon: CertificateCase;
  /** As good, already expired. */
  expired: CertificateCase;
  /** As good, but naming only other.test. */
  wrongName: CertificateCase;
  /** A self-signed leaf for localhost, 127.0.0.1. */
  selfSigned: CertificateCase;
  /** The good leaf sent without its intermediate. */
  missingIntermediate: CertificateCase;
  /** Leaf + intermediate of a second private root nobody is given. */
  untrustedRoot: CertificateCase;
}

/** Makes every {@link CertificateCases} case (RSA 2048, SAN `DNS:localhost, IP:127.0.0.1` unless said). */
export function makeCertificateCases(): CertificateCases {
  const dir = mkdtempSync(join(tmpdir(), 'idl-cert-cases-'));
  const at = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  };
  writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const leafExt = (san: string): string => {
    const name = `leaf-${san.replace(/\W/g, '')}.ext`;
    writeFileSync(at(name), `basicConstraints=CA:false\nsubjectAltName=${san}\n`);
    return name;
  };
  const key = (name: string): void => ssl('genrsa', '-out', `${name}.key`, '2048');
  const csr = (name: string, subject: string): void =>
    ssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  const sign = (name: string, ca: string, ext: string, days: number, out: string): void =>
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      ext,
      '-out',
      out,
    );
  const selfSign = (name: string, ext: string, out: string): void =>
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-signkey',
      `${name}.key`,
      '-days',
      '60',
      '-extfile',
      ext,
      '-out',
      out,
    );
  for (const r of ['root', 'root2']) {
    key(r);
    csr(r, `/CN=ice-doctor audit ${r}`);
    selfSign(r, 'ca.ext', `${r}.pem`);
    key(`${r}-int`);
    csr(`${r}-int`, `/CN=ice-doctor audit ${r} intermediate`);
    sign(`${r}-int`, r, 'ca.ext', 60, `${r}-int.pem`);
  }
  key('leaf');
  csr('leaf', '/CN=localhost');
  const ok = leafExt('DNS:localhost,IP:127.0.0.1');
  sign('leaf', 'root-int', ok, 60, 'good.pem');
  sign('leaf', 'root-int', ok, 5, 'soon.pem');
  sign('leaf', 'root-int', ok, -1, 'expired.pem');
  sign('leaf', 'root-int', leafExt('DNS:other.test'), 60, 'wrong.pem');
  sign('leaf', 'root2-int', ok, 60, 'other-root.pem');
  selfSign('leaf', ok, 'self.pem');
  const read = (name: string): string => readFileSync(at(name), 'utf8');
  const chain = (name: string, ...pems: string[]): CertificateCase => {
    writeFileSync(at(name), pems.map(read).join(''));
    return { certFile: at(name), keyFile: at('leaf.key') };
  };
  return {
    root: read('root.pem'),
    good: chain('good-chain.pem', 'good.pem', 'root-int.pem'),
    expiringSoon: chain('soon-chain.pem', 'soon.pem', 'root-int.pem'),
    expired: chain('expired-chain.pem', 'expired.pem', 'root-int.pem'),
    wrongName: chain('wrong-chain.pem', 'wrong.pem', 'root-int.pem'),
    selfSigned: chain('self-chain.pem', 'self.pem'),
    missingIntermediate: chain('alone.pem', 'good.pem'),
    untrustedRoot: chain('other-chain.pem', 'other-root.pem', 'root2-int.pem'),
  };
}

/**
 * Starts the bundled TURN server on 127.0.0.1 (port 0, user alice:wonderland, 100 relay ports from a random
 * base) whose TLS listener presents `c`.
 */
export function startTurnWithCertificate(c: CertificateCase): Promise<RunningTurnServer> {
  const base = 44_000 + Math.floor(Math.random() * 180) * 100;
  return startTurnServer({
    addresses: ['127.0.0.1'],
    port: 0,
    turn: {
      users: new Map([['alice', 'wonderland']]),
      relayPorts: { min: base, max: base + 99 },
      tlsPort: 0,
      tlsCertFile: c.certFile,
      tlsKeyFile: c.keyFile,
    },
  });
}
