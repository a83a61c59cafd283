import type { Socket } from 'node:net';
import { type DetailedPeerCertificate, type SecureVersion, connect as tlsConnect } from 'node:tls';
import type { TransportAddress } from '../../wire/address.js';
import { openHttpTunnel, ProxyConnectError } from './http-connect.js';
import { type ProxyRoute, proxyFor } from './proxy-config.js';
import { tlsCa, tlsServerName } from './stream-client.js';

/** The TLS versions tried one at a time, oldest first. */
export const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** What the TLS handshakes of a certificate audit saw (raw facts; `tls-audit.ts` judges them). */
export interface TlsAuditObservation {
  /** The certificates the server sent, leaf first, DER (with the local root at the end when one was found). */
  chain: Buffer[];
  /** OpenSSL's verdict on the chain against Node's roots plus `--ca` (the name is not part of it), or null. */
  chainError: string | null;
  /**
   * The versions the server accepted: each whose handshake succeeded when offered alone, and the version the
   * main handshake negotiated.
   */
  versions: SecureVersion[];
  /**
   * The versions whose handshake offered alone ended without an answer about the version (a timeout, a reset,
   * the check's end, a local refusal to offer it): neither accepted nor refused. A version the server refused
   * with an alert is in neither list.
   */
  unknownVersions: SecureVersion[];
  /** When the handshakes ran (epoch ms): expiry is counted from it. */
  at: number;
  /** Why no certificate was seen (the handshake failed: no TLS, a refused connection …), or null. */
  error: string | null;
}

/** Where and how long: the server's address, the URL's host (SNI, unless an IP literal), extra CAs. */
export interface TlsAuditTarget {
  to: TransportAddress;
  host: string;
  ca?: readonly string[];
  /** Limit of each handshake, in ms. */
  timeoutMs: number;
  /** Ends every handshake still running (the check learnt there is no TLS to audit). */
  signal?: AbortSignal;
  /** The HTTP CONNECT proxy each handshake goes through, unless NO_PROXY skips the host. */
  proxy?: ProxyRoute;
}

type Handshake = { chain: Buffer[]; chainError: string | null; protocol: string | null } | { error: string };

/**
 * True for a handshake error that is the server's answer about the version offered: its alert (protocol
 * version, handshake failure) or a reply in another version. Timeouts, resets and local errors are not.
 */
export function refusedByServer(error: string): boolean {
  return (
    /^ERR_SSL_.*ALERT/.test(error) ||
    error === 'ERR_SSL_UNSUPPORTED_PROTOCOL' ||
    error === 'ERR_SSL_WRONG_VERSION_NUMBER'
  );
}

/**
 * One TLS handshake that never refuses a certificate (it is audited, not trusted here) and checks no name
 * (the audit does, RFC 6125): the chain as sent and OpenSSL's chain verdict. `version` limits the
 * handshake to one version (with OpenSSL's security level 0, so TLS 1.0/1.1 can be offered at all).
 */
async function handshake(t: TlsAuditTarget, version?: SecureVersion): Promise<Handshake> {
  const proxy = proxyFor(t.proxy, t.host, t.to);
  if (!proxy) return tlsHandshake(t, version, null);
  try {
    const signal = t.signal ?? new AbortController().signal;
    const tunnel = await openHttpTunnel(proxy, { to: t.to, host: t.host, timeoutMs: t.timeoutMs, signal });
    return await tlsHandshake(t, version, tunnel);
  } catch (err) {
    if (err instanceof ProxyConnectError) return { error: err.code };
    throw err;
  }
}

/** The handshake of {@link handshake} on a new TCP connection, or over `tunnel` (an HTTP CONNECT tunnel). */
function tlsHandshake(
  t: TlsAuditTarget,
  version: SecureVersion | undefined,
  tunnel: Socket | null,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      ...(tunnel ? { socket: tunnel } : {}),
      host: t.to.address,
      port: t.to.port,
      servername: tlsServerName(t.host),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ca: tlsCa(t.ca),
      ...(version ? { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    });
    const timer = setTimeout(() => finish({ error: 'timeout' }), t.timeoutMs);
    const onAbort = (): void => finish({ error: 'aborted' });
    t.signal?.addEventListener('abort', onAbort, { once: true });
    if (t.signal?.aborted) onAbort();
    function finish(h: Handshake): void {
      clearTimeout(timer);
      t.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(h);
    }
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    socket.once('secureConnect', () => {
      const chain: Buffer[] = [];
      let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      // Node links the last certificate to itself; 10 bounds a malformed chain.
      for (let i = 0; c?.raw && i < 10; i++) {
        chain.push(c.raw);
        const next: DetailedPeerCertificate | undefined = c.issuerCertificate;
        c = next && next.fingerprint256 !== c.fingerprint256 ? next : undefined;
      }
      const e = socket.authorizationError;
      finish({ chain, chainError: e ? String(e) : null, protocol: socket.getProtocol() });
    });
  });
}

/**
 * The handshakes of a `turns:` certificate audit (issue 15 §2), all in parallel: one with the versions
 * Node offers by default (the certificate and its chain), and one per TLS version offered alone (RFC 8446
 * §4.2.1, RFC 5246: which versions the server accepts, refuses by its alert ({@link refusedByServer}), or
 * left unanswered). Never rejects; closes every socket.
 */
export async function probeTls(t: TlsAuditTarget): Promise<TlsAuditObservation> {
  const at = Date.now();
  const [main, ...alone] = await Promise.all([handshake(t), ...TLS_VERSIONS.map((v) => handshake(t, v))]);
  const negotiated = main && !('error' in main) ? main.protocol : null;
  const versions = TLS_VERSIONS.filter((v, i) => !('error' in alone[i]!) || v === negotiated);
  const unknownVersions = TLS_VERSIONS.filter((v, i) => {
    const h = alone[i]!;
    return !versions.includes(v) && 'error' in h && !refusedByServer(h.error);
  });
  const seen = { versions, unknownVersions, at };
  if ('error' in main!) return { chain: [], chainError: null, ...seen, error: main.error };
  return { chain: main.chain, chainError: main.chainError, ...seen, error: null };
}
