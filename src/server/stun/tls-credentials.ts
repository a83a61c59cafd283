/**
 * Certificate and private key of the TURN server's TLS listener (`turns:`, RFC 7065; TURN over TLS,
 * RFC 8656 §3.1): loaded from PEM files the operator gives, or generated self-signed at start when
 * none are given. Both paths describe the certificate the same way (node:crypto X509Certificate), so
 * the server can log and report what a client has to trust: fingerprint, names, expiry.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, SocketAddress } from 'node:net';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { SettingsError } from '../../errors.js';

/** What a TLS listener needs, and what a report says about it. */
export interface TlsCredentials {
  /** PEM certificate (X.509, RFC 5280), possibly followed by its chain; pass as `tls` `cert`. */
  cert: string;
  /** PEM private key matching the first certificate; pass as `tls` `key`. */
  key: string;
  /** True when the issuer is the subject and the certificate's signature verifies with its own key. */
  selfSigned: boolean;
  /** SHA-256 fingerprint of the DER certificate, uppercase hex pairs joined by ':' ('AB:CD:…'). */
  fingerprint256: string;
  /**
   * Names a client can verify: the DNS and IP subject alternative names, IPs in their canonical text
   * form (`::1`), e.g. `['localhost', '127.0.0.1']`; the subject CN when the certificate has neither.
   */
  names: string[];
  /** End of validity (X.509 notAfter). */
  notAfter: Date;
}

/** Clients with a clock this far behind still accept a generated certificate. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** RFC 1123 host name of at most 253 characters, optionally a leading wildcard label (RFC 6125 §6.4.3). */
const HOST_NAME = new RegExp(`^(?=.{1,253}\\.?$)(\\*\\.)?${LABEL}(\\.${LABEL})*\\.?$`);
/** One entry of node's `subjectAltName` text: `TYPE:value`, the value JSON-quoted when it has `,` or `"`. */
const SAN_ENTRY = /([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;

function canonicalIp(ip: string): string {
  return new SocketAddress({ address: ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' }).address;
}

/** DNS and IP SANs of `x509`, or its subject CN when it has none. */
function namesOf(x509: X509Certificate): string[] {
  const names: string[] = [];
  for (const [, type, raw = ''] of (x509.subjectAltName ?? '').matchAll(SAN_ENTRY)) {
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (type === 'DNS') names.push(value);
    if (type === 'IP Address' && isIP(value) !== 0) names.push(canonicalIp(value));
  }
  if (names.length > 0) return names;
  const cn = x509.subject.split('\n').find((field) => field.startsWith('CN='));
  return cn === undefined ? [] : [cn.slice(3)];
}

/** The {@link TlsCredentials} of a PEM pair whose leaf certificate is `x509`. */
function credentialsOf(cert: string, key: string, x509: X509Certificate): TlsCredentials {
  return {
    cert,
    key,
    selfSigned: x509.issuer === x509.subject && x509.verify(x509.publicKey),
    fingerprint256: x509.fingerprint256,
    names: namesOf(x509),
    notAfter: new Date(x509.validTo),
  };
}

function readText(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new SettingsError(
      field,
      `cannot read '${file}' (${typeof code === 'string' ? code : String(err)})`,
    );
  }
}

/** PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY` or a traditional PEM header `Proc-Type: 4,ENCRYPTED`. */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;

function parseKey(pem: string, file: string): KeyObject {
  if (ENCRYPTED_PEM.test(pem)) {
    throw new SettingsError('tlsKeyFile', `'${file}' is encrypted; give the key without a passphrase`);
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw new SettingsError('tlsKeyFile', `'${file}' is not a PEM private key`);
  }
}

/**
 * Reads the TLS certificate and key of a `turns:` listener from PEM files. The certificate file may
 * hold a chain (leaf first); the description is of the leaf. An expired certificate is loaded (a
 * diagnostics server may serve one on purpose); `notAfter` lets the caller warn.
 * @param certFile path of the PEM certificate (setting `tlsCertFile`, flag `--tls-cert`).
 * @param keyFile path of the unencrypted PEM private key (`tlsKeyFile`, `--tls-key`), PKCS#8, PKCS#1 or SEC1.
 * @throws SettingsError naming the field (`tlsCertFile`, `tlsKeyFile`) and the file when a file cannot be read, is not PEM of the right
 *   kind, the key is encrypted, the key does not belong to the certificate, or OpenSSL refuses the pair.
 */
export function loadTlsCredentials(certFile: string, keyFile: string): TlsCredentials {
  const cert = readText(certFile, 'tlsCertFile');
  const key = readText(keyFile, 'tlsKeyFile');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new SettingsError('tlsCertFile', `'${certFile}' is not a PEM certificate`);
  }
  if (!x509.checkPrivateKey(parseKey(key, keyFile))) {
    throw new SettingsError('tlsKeyFile', `'${keyFile}' is not the key of the certificate in '${certFile}'`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SettingsError('tlsCertFile', `'${certFile}' cannot be used for TLS (${reason})`);
  }
  return credentialsOf(cert, key, x509);
}

/**
 * Generates a self-signed certificate for a `turns:` listener with the `selfsigned` package: an EC
 * P-256 key, SHA-256 signature, X.509 v3 with basicConstraints CA:false, keyUsage digitalSignature,
 * extKeyUsage serverAuth and the subject alternative names (RFC 5280 §4.2.1.6) `names` (IP literals as
 * iPAddress, the rest as dNSName); the subject CN is `names[0]`. Valid from one hour ago (client clock
 * skew) until `validDays` days from now. The PEM texts end with a newline, so they can be concatenated
 * or written as files as they are. Takes a few milliseconds, so it can run at every start.
 * @param names host names (`localhost`, `*.example.org`) and IP literals the server is reached by; at
 *   least one.
 * @param validDays validity in days from now (default 30); a positive number.
 * @throws SettingsError (`names`) when `names` is empty or a name is neither a host name nor an IP literal;
 *   RangeError when `validDays` is not positive.
 */
export async function generateSelfSignedCredentials(
  names: string[],
  validDays = 30,
): Promise<TlsCredentials> {
  if (!(validDays > 0 && Number.isFinite(validDays))) {
    throw new RangeError(`validDays must be a positive number of days, not ${validDays}`);
  }
  const [commonName] = names;
  if (commonName === undefined)
    throw new SettingsError('names', 'a self-signed certificate needs at least one name');
  for (const name of names) {
    if (!(HOST_NAME.test(name) || (isIP(name) !== 0 && !name.includes('%')))) {
      throw new SettingsError(
        'names',
        `cannot make a certificate for '${name}': not a host name or IP address`,
      );
    }
  }
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - BACKDATE_MS),
    notAfterDate: new Date(now + validDays * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name })),
      },
    ],
  });
  const cert = pems.cert.endsWith('\n') ? pems.cert : `${pems.cert}\n`;
  return credentialsOf(cert, pems.private, new X509Certificate(cert));
}

/**
 * Whether a client that verifies the certificate of `credentials` (its leaf) accepts it for `host`, as
 * RFC 6125 §6 matching does: a DNS name against the DNS subject alternative names (a leading `*.` label
 * matches one label) or, without any, the subject CN; an IP literal against the IP SANs only.
 * @param host a DNS name or an IP literal (an IPv6 literal with or without brackets).
 */
export function certificateNamesHost(credentials: Pick<TlsCredentials, 'cert'>, host: string): boolean {
  const x509 = new X509Certificate(credentials.cert);
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 0 ? x509.checkHost(bare) !== undefined : x509.checkIP(bare) !== undefined;
}
