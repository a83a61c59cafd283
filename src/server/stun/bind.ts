import dgram from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { createServer, isIP, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { UserError } from '../../errors.js';
import { TLS_SERVER_POLICY } from '../../net/tls-policy.js';
import { formatAddress } from '../../wire/address.js';

/** A bind that failed, with the errno code (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES` ...). */
export class BindError extends Error {
  override readonly name = 'BindError';
  /**
   * @param code the errno code from the operating system, or `'UNKNOWN'`.
   * @param where `ip:port` that could not be bound.
   */
  constructor(
    readonly code: string,
    readonly where: string,
  ) {
    super(`cannot listen on ${where}: ${code}`);
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The `lookup` of every UDP socket bound here: an IP literal, which is all the server ever binds or sends
 * to, is answered at once, in the caller's turn; a name goes to `dns.lookup`. Node's default looks every
 * destination of `send` up with `dns.lookup`, which answers even a literal only on the next tick: one
 * deferral per datagram sent, and a bind that completes only after it.
 */
function literalLookup(hostname: string, options: number | LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/**
 * Binds one UDP socket now, synchronously (`udp6` with `ipv6Only` for IPv6, so an IPv6 server never sees
 * IPv4-mapped peers): with {@link literalLookup}, binding an IP literal is one system call. The socket gets
 * an `error` listener that ignores errors, so a late error can never crash the process.
 * @param address an IP literal.
 * @param port 0 lets the operating system pick.
 * @throws BindError when the operating system refuses (the socket is closed).
 */
export function bindUdpNow(address: string, port: number): dgram.Socket {
  const v6 = isIPv6(address);
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, lookup: literalLookup });
  let failure: unknown = null;
  let listening = false;
  const onError = (err: unknown): void => {
    failure = err;
  };
  socket.once('error', onError);
  socket.bind({ address, port, exclusive: true }, () => {
    listening = true;
  });
  socket.off('error', onError);
  if (!listening) {
    socket.close();
    throw new BindError(failure === null ? 'UNKNOWN' : codeOf(failure), formatAddress({ address, port }));
  }
  socket.on('error', () => undefined);
  return socket;
}

/**
 * {@link bindUdpNow} as a promise, for callers that bind before serving.
 * @throws BindError (as a rejection) when the operating system refuses.
 */
export function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve) => resolve(bindUdpNow(address, port)));
}

/** Closes a connection accepted before a listener took the server over (see {@link bindTcp}). */
export function refuseEarlyConnection(socket: Socket): void {
  socket.destroy();
}

/** PEM certificate chain and private key of a TLS listener. */
export interface TlsKeyPair {
  cert: string;
  key: string;
}

/**
 * Closes a TLS connection whose handshake failed or timed out: a `tls.Server` emits `tlsClientError` (and
 * nothing else) when TLS_HANDSHAKE_TIMEOUT_MS passes without a ClientHello or a finished handshake, and
 * leaves the socket open unless this listener destroys it.
 */
function closeFailedHandshake(_err: Error, socket: TLSSocket): void {
  socket.destroy();
}

/**
 * Opens one TCP listening socket, or with `tls` a TLS one (RFC 8656 §3.1 `turns:`) under
 * `TLS_SERVER_POLICY` (src/net/tls-policy.ts: TLS 1.2 or later, Mozilla intermediate ciphers, no
 * renegotiation, a 10-s handshake deadline). Until a listener replaces it, the `connection` (TLS:
 * `secureConnection`) listener is {@link refuseEarlyConnection}, so no accepted socket is ever left
 * unowned. The server gets an `error` listener that ignores late errors; a TLS connection whose handshake
 * fails or times out is destroyed ({@link closeFailedHandshake}).
 * @throws BindError when the operating system refuses.
 */
export function bindTcp(address: string, port: number, tls?: TlsKeyPair): Promise<Server> {
  const server = tls
    ? createTlsServer({ ...TLS_SERVER_POLICY, ...tls }, refuseEarlyConnection).on(
        'tlsClientError',
        closeFailedHandshake,
      )
    : createServer(refuseEarlyConnection);
  return new Promise((resolve, reject) => {
    const onError = (err: unknown): void => {
      server.close();
      reject(new BindError(codeOf(err), formatAddress({ address, port })));
    };
    server.once('error', onError);
    server.listen({ host: address, port, exclusive: true, ipv6Only: isIPv6(address) }, () => {
      server.off('error', onError);
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

/** The user-facing form of a bind failure: `UserError('address-in-use', 'cannot listen on ...: address in use')`. */
export function bindUserError(err: BindError): UserError {
  const reasons: Record<string, [string, string]> = {
    EADDRINUSE: ['address-in-use', 'address in use'],
    EADDRNOTAVAIL: ['address-unavailable', 'no such local address'],
    EACCES: ['permission-denied', 'permission denied (ports below 1024 need privileges)'],
  };
  const [code, text] = reasons[err.code] ?? ['listen-failed', err.code];
  return new UserError(code, `cannot listen on ${err.where}: ${text}`);
}
