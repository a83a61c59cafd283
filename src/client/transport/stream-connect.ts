import { type Socket, connect as tcpConnect } from 'node:net';
import { type DetailedPeerCertificate, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { openHttpTunnel, ProxyConnectError } from './http-connect.js';
import { proxyFor } from './proxy-config.js';
import { type StreamConnectOptions, tlsCa, tlsServerName } from './stream-client.js';
import { describeSocketError } from './tls-errors.js';

/**
 * The code of a TLS connection whose TCP handshake succeeded but whose TLS handshake did not: the server
 * stayed silent after the ClientHello, reset or closed the connection, or answered bytes that are not TLS
 * — what a plain `turn:` (TCP) port does with a ClientHello.
 */
export const TLS_NO_HANDSHAKE = 'tls-no-handshake';

/**
 * Errors after the TCP handshake that mean "no TLS here": a reset or close (the bundled server drops a
 * stream that is not STUN), or a reply that is not a TLS record. TLS alerts (a TLS server refusing the
 * handshake) are not among them.
 */
const NOT_TLS_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);

/** Least time the TLS handshake is waited for, in ms (RFC 6298's minimum retransmission timeout). */
export const TLS_WAIT_MIN_MS = 1000;
/**
 * The TLS handshake is waited for this many TCP connect times: TLS 1.2 needs two round trips, TLS 1.3 one;
 * the rest is room for the server's signature and a retransmitted segment.
 */
export const TLS_WAIT_RTTS = 8;

/** A certificate of the chain the server sent, as distinguished names (`CN=turn.example.org, O=Example`). */
export interface ChainCertificate {
  subject: string;
  issuer: string;
}

/** What the server's certificate chain showed when it was not trusted. */
export interface PeerCertificateFacts {
  /** The chain as sent, leaf first (with the local root at the end when one was found). */
  chain: ChainCertificate[];
  /** The leaf's Authority Information Access caIssuers URL: where its CA publishes the issuer (RFC 5280 §4.2.2.1). */
  caIssuersUrl: string | null;
}

/** What a failed connection attempt observed besides its error code. */
export interface ConnectFacts {
  /** TCP handshake time, in ms (about one round trip); null when TCP did not connect. */
  tcpConnectMs: number | null;
  /** How long the TLS handshake was waited for, in ms; null for TCP or before TCP connected. */
  tlsWaitMs: number | null;
  /** With {@link TLS_NO_HANDSHAKE}: what ended the attempt (`timeout`, `ECONNRESET`, an OpenSSL code). */
  tlsFailure: string | null;
  /** The certificate chain, for a certificate that was not trusted. */
  certificate: PeerCertificateFacts | null;
  /** Why the HTTP CONNECT proxy did not open the tunnel, in plain words (`http-connect.ts`); absent when direct. */
  proxyFailure?: string;
}

const NO_FACTS: ConnectFacts = { tcpConnectMs: null, tlsWaitMs: null, tlsFailure: null, certificate: null };

/**
 * A connection that could not be made: `code` is the socket or TLS error code (`ECONNREFUSED`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID` ...), `timeout`,
 * `aborted` or {@link TLS_NO_HANDSHAKE}; `message` is the plain-words version from {@link describeSocketError}.
 */
export class LinkConnectError extends Error {
  override readonly name = 'LinkConnectError';
  /**
   * @param code the error code as Node reports it.
   * @param elapsedMs time from the connect call to the failure, in ms.
   * @param facts what else was observed (TCP connect time, TLS wait, certificate chain).
   * @param words the message when it says more than the code's words (a proxy's refusal names the port).
   */
  constructor(
    readonly code: string,
    readonly elapsedMs: number,
    readonly facts: ConnectFacts = NO_FACTS,
    words?: string,
  ) {
    super(words ?? describeSocketError(code));
  }
}

/** What to connect to, and within which limits. */
export interface StreamSocketOptions extends StreamConnectOptions {
  /** Limit for the TCP handshake (and for TLS: the whole connection), in ms. */
  connectTimeoutMs: number;
  signal: AbortSignal;
}

/** Swallows the late errors of a socket this module already gave up on (its failure is reported). */
function ignore(): void {}

/** A distinguished name as `CN=x, O=y` (Node gives it as an object of attribute → value). */
function dn(name: object | undefined): string {
  return Object.entries((name ?? {}) as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/** The chain and AIA URL of the server's certificate (Node's `getPeerCertificate(true)`). */
function certificateFacts(socket: TLSSocket): PeerCertificateFacts | null {
  const leaf = socket.getPeerCertificate(true);
  if (!leaf || Object.keys(leaf).length === 0) return null;
  const chain: ChainCertificate[] = [];
  let c: DetailedPeerCertificate | undefined = leaf;
  // Node links the last certificate to itself; 10 bounds a malformed chain.
  for (let i = 0; c && i < 10; i++) {
    chain.push({ subject: dn(c.subject), issuer: dn(c.issuer) });
    const next: DetailedPeerCertificate | undefined = c.issuerCertificate;
    c = next && next.fingerprint256 !== c.fingerprint256 ? next : undefined;
  }
  const aia = leaf.infoAccess?.['CA Issuers - URI']?.[0] ?? null;
  return { chain, caIssuersUrl: aia };
}

/**
 * Opens a TCP connection, and for TLS then runs the TLS handshake on it (RFC 8489 §6.2.3) within an
 * RTT-based wait: max({@link TLS_WAIT_MIN_MS}, {@link TLS_WAIT_RTTS} × the TCP connect time), so a plain
 * TCP port is told apart in about a second instead of the whole connect timeout. The certificate is
 * checked (chain against Node's roots plus `ca`, then the name) unless `insecure`; an untrusted one fails
 * with its OpenSSL code and the chain the server sent.
 * @throws LinkConnectError: the socket error code, `timeout` (no TCP connection within
 *   `connectTimeoutMs`), `aborted`, a certificate code, or {@link TLS_NO_HANDSHAKE} (TCP up, TLS not).
 */
export async function openStreamSocket(opts: StreamSocketOptions): Promise<Socket> {
  const start = performance.now();
  const proxy = proxyFor(opts.proxy, opts.serverName, opts.to);
  if (!proxy) return handshake(opts, null, start);
  try {
    const tunnel = await openHttpTunnel(proxy, {
      to: opts.to,
      host: opts.serverName,
      timeoutMs: opts.connectTimeoutMs,
      signal: opts.signal,
    });
    return await handshake(opts, tunnel, start);
  } catch (err) {
    if (!(err instanceof ProxyConnectError)) throw err;
    const facts = { ...NO_FACTS, proxyFailure: err.message };
    throw new LinkConnectError(err.code, performance.now() - start, facts, err.message);
  }
}

/**
 * The TCP connection (or, through a proxy, the `tunnel` already open since `start`) and for TLS the
 * handshake on it, as {@link openStreamSocket} says.
 */
function handshake(opts: StreamSocketOptions, tunnel: Socket | null, start: number): Promise<Socket> {
  const { address: host, port } = opts.to;
  return new Promise((resolve, reject) => {
    let current: Socket = tunnel ?? tcpConnect({ host, port });
    let tcpConnectMs: number | null = null;
    let tlsWaitMs: number | null = null;
    let timer = setTimeout(() => give('timeout'), opts.connectTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      current.off('error', onError);
      opts.signal.removeEventListener('abort', onAbort);
    };
    function give(code: string, certificate: PeerCertificateFacts | null = null): void {
      cleanup();
      current.on('error', ignore);
      current.destroy();
      const afterTcp = opts.transport === 'tls' && tcpConnectMs !== null && certificate === null;
      const noTls = afterTcp && (code === 'timeout' || NOT_TLS_CODES.has(code));
      reject(
        new LinkConnectError(noTls ? TLS_NO_HANDSHAKE : code, performance.now() - start, {
          tcpConnectMs,
          tlsWaitMs,
          tlsFailure: noTls ? code : null,
          certificate,
        }),
      );
    }
    function onError(err: NodeJS.ErrnoException): void {
      give(err.code ?? err.message);
    }
    function onAbort(): void {
      give('aborted');
    }
    current.once('error', onError);
    const onTcp = (): void => {
      tcpConnectMs = performance.now() - start;
      if (opts.transport === 'tcp') {
        cleanup();
        resolve(current);
        return;
      }
      clearTimeout(timer);
      const left = Math.max(0, opts.connectTimeoutMs - tcpConnectMs);
      tlsWaitMs = Math.min(left, Math.max(TLS_WAIT_MIN_MS, TLS_WAIT_RTTS * tcpConnectMs));
      timer = setTimeout(() => give('timeout'), tlsWaitMs);
      current.off('error', onError);
      current.on('error', ignore);
      const tls = tlsConnect(
        {
          socket: current,
          // What the certificate is checked against when there is no SNI name (an IP literal): without it, a
          // certificate for 127.0.0.1 and localhost was accepted at [::1] (test: turn-check-tls-chain).
          host,
          servername: tlsServerName(opts.serverName),
          rejectUnauthorized: false,
          ca: tlsCa(opts.ca),
        },
        () => {
          if (!opts.insecure && !tls.authorized)
            give(String(tls.authorizationError), certificateFacts(tls) ?? { chain: [], caIssuersUrl: null });
          else {
            cleanup();
            resolve(tls);
          }
        },
      );
      current = tls;
      tls.once('error', onError);
    };
    if (tunnel) onTcp();
    else current.once('connect', onTcp);
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}
