import dgram from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { UserError } from '../errors.js';
import { formatAddress } from '../stun/address.js';

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

/**
 * Binds one UDP socket (`udp6` with `ipv6Only` for IPv6, so an IPv6 server never sees IPv4-mapped peers).
 * The socket gets an `error` listener that ignores errors, so a late error can never crash the process.
 * @param port 0 lets the operating system pick.
 * @throws BindError when the operating system refuses.
 */
export function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const socket = isIPv6(address)
    ? dgram.createSocket({ type: 'udp6', ipv6Only: true })
    : dgram.createSocket({ type: 'udp4' });
  return new Promise((resolve, reject) => {
    const onError = (err: unknown): void => {
      socket.close();
      reject(new BindError(codeOf(err), formatAddress({ address, port })));
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
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

/** Longest a TLS handshake may take before the connection is dropped, in ms. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Opens one TCP listening socket, or with `tls` a TLS one (RFC 8656 §3.1 `turns:`, TLS 1.2 or later).
 * Until a listener replaces it, the `connection` (TLS: `secureConnection`) listener is
 * {@link refuseEarlyConnection}, so no accepted socket is ever left unowned. The server gets an `error`
 * listener that ignores late errors; failed TLS handshakes just close their connection.
 * @throws BindError when the operating system refuses.
 */
export function bindTcp(address: string, port: number, tls?: TlsKeyPair): Promise<Server> {
  const server = tls
    ? createTlsServer(
        { ...tls, minVersion: 'TLSv1.2', handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
        refuseEarlyConnection,
      ).on('tlsClientError', () => undefined)
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
