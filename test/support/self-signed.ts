import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Makes a self-signed certificate for `commonName` with Debian's openssl (a real certificate, as a
 * user's test server would have), valid 30 days (beyond turn-check's 14-day expiry warning).
 * @param subjectAltName openssl's text of the extension, e.g. `DNS:turn.example.test,IP:127.0.0.1`
 *   (default: none, the CN alone names the server).
 * @returns paths of the PEM certificate and key.
 */
export function selfSignedCert(
  commonName: string,
  subjectAltName?: string,
): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idl-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${commonName}`,
      ...(subjectAltName === undefined ? [] : ['-addext', `subjectAltName=${subjectAltName}`]),
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}
