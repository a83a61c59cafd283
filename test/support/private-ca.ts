import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private PKI made with Debian's openssl: a root, an intermediate, and leaf certificates for 127.0.0.1. */
export interface PrivateCa {
  dir: string;
  /** PEM files. */
  rootFile: string;
  /** The leaf key (all leaves share it). */
  leafKeyFile: string;
  /** PEM text of each certificate. */
  root: string;
  intermediate: string;
  /** Signed by the root. */
  leafByRoot: string;
  /** Signed by the intermediate. */
  leafByIntermediate: string;
  /** Signed by the intermediate, with an AIA caIssuers URL (as public CAs issue them). */
  leafWithAia: string;
  /** Writes `pem` to a file in `dir` and returns its path. */
  file(name: string, pem: string): string;
}

/**
 * Makes a root CA, an intermediate CA signed by it, and leaf certificates (subjectAltName IP:127.0.0.1,
 * DNS:localhost, valid 30 days: beyond turn-check's 14-day expiry warning) signed by one or the other, in a fresh temporary directory.
 */
export function makePrivateCa(): PrivateCa {
  const dir = mkdtempSync(join(tmpdir(), 'idl-private-ca-'));
  const at = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  };
  writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const leafExt = 'basicConstraints=CA:false\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n';
  writeFileSync(at('leaf.ext'), leafExt);
  writeFileSync(
    at('aia.ext'),
    `${leafExt}authorityInfoAccess=caIssuers;URI:http://ca.example.test/int.crt\n`,
  );
  const request = (subject: string, name: string): void =>
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
  const days = ['-days', '30'];
  const sign = (csr: string, ca: string, ext: string, out: string): void =>
    ssl(
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      ...days,
      '-extfile',
      ext,
      '-out',
      out,
    );
  request('/CN=ice-doctor test root', 'root');
  ssl(
    'x509',
    '-req',
    '-in',
    'root.csr',
    '-signkey',
    'root.key',
    ...days,
    '-extfile',
    'ca.ext',
    '-out',
    'root.pem',
  );
  request('/CN=ice-doctor test intermediate', 'int');
  sign('int.csr', 'root', 'ca.ext', 'int.pem');
  request('/CN=localhost', 'leaf');
  sign('leaf.csr', 'root', 'leaf.ext', 'leaf-root.pem');
  sign('leaf.csr', 'int', 'leaf.ext', 'leaf-int.pem');
  sign('leaf.csr', 'int', 'aia.ext', 'leaf-aia.pem');
  const read = (name: string): string => readFileSync(at(name), 'utf8');
  return {
    dir,
    rootFile: at('root.pem'),
    leafKeyFile: at('leaf.key'),
    root: read('root.pem'),
    intermediate: read('int.pem'),
    leafByRoot: read('leaf-root.pem'),
    leafByIntermediate: read('leaf-int.pem'),
    leafWithAia: read('leaf-aia.pem'),
    file: (name, pem) => {
      writeFileSync(at(name), pem);
      return at(name);
    },
  };
}
