import { isIP, isIPv6, type Socket, connect as tcpConnect } from 'node:net';
import type { TransportAddress } from '../../wire/address.js';
import type { HttpProxy } from './proxy-config.js';

/** Largest proxy response head read (status line and headers), in bytes; more is not an HTTP proxy. */
export const MAX_PROXY_HEAD_BYTES = 16 * 1024;

/**
 * Why a CONNECT tunnel could not be opened: `PROXY_AUTH_REQUIRED` (407), `PROXY_FORBIDDEN` (403),
 * `PROXY_REFUSED` (any other status but 2xx), `PROXY_UNREACHABLE` (no TCP connection to the proxy),
 * `PROXY_CLOSED` (the proxy closed before its answer was complete), `PROXY_NOT_HTTP` (the answer is not
 * HTTP/1.x, or its head is larger than {@link MAX_PROXY_HEAD_BYTES}), `timeout`, `aborted`.
 */
export type ProxyFailureCode =
  | 'PROXY_AUTH_REQUIRED'
  | 'PROXY_FORBIDDEN'
  | 'PROXY_REFUSED'
  | 'PROXY_UNREACHABLE'
  | 'PROXY_CLOSED'
  | 'PROXY_NOT_HTTP'
  | 'timeout'
  | 'aborted';

/** A tunnel that could not be opened: `code`, the proxy's HTTP status if it answered one, and plain words. */
export class ProxyConnectError extends Error {
  override readonly name = 'ProxyConnectError';
  /**
   * @param code why, see {@link ProxyFailureCode}.
   * @param status the proxy's HTTP status code (403, 407, 502 …), or null when it sent none.
   * @param message one line in plain words, naming the proxy URL (never its credentials) and the port.
   * @param detail the socket error code under `PROXY_UNREACHABLE` (`ECONNREFUSED` …), else null.
   */
  constructor(
    readonly code: ProxyFailureCode,
    readonly status: number | null,
    message: string,
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}

/** Where the tunnel goes and within which limits. */
export interface TunnelOptions {
  /** The address and TCP port of the server (resolved by the client; CONNECT names it only without `host`). */
  to: TransportAddress;
  /**
   * The URL's host. A host NAME is what CONNECT asks for (`turn.example.org:443`, as browsers do): the proxy
   * resolves it, offices filter by domain and often refuse IP literals. An IP literal or none: `to.address`.
   */
  host?: string | undefined;
  /** Limit for the TCP connection to the proxy and its answer together, in ms. */
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The CONNECT request target of a tunnel: the URL's host name when it has one (the proxy resolves it), else
 * the IP literal `to.address`; with `to.port`.
 */
export function connectAuthority(opts: Pick<TunnelOptions, 'to' | 'host'>): string {
  const name = opts.host && isIP(opts.host) === 0 ? opts.host : opts.to.address;
  return authorityOf(name, opts.to.port);
}

/** `host:port` as a CONNECT request target (RFC 9110 §9.3.6: authority-form; IPv6 in brackets). */
export function authorityOf(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** The CONNECT request: request line, Host, and Proxy-Authorization when the proxy URL had credentials. */
function connectRequest(proxy: HttpProxy, authority: string): string {
  const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
  return `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`;
}

/**
 * The words of a refusal by status: 407 and 403 with what to do, others with the proxy's reason phrase. A 403
 * for port 443 is a filter on the destination (domain or IP), not on the port.
 */
function refusal(
  proxy: HttpProxy,
  authority: string,
  port: number,
  status: number,
  reason: string,
): ProxyConnectError {
  if (status === 407) {
    return new ProxyConnectError(
      'PROXY_AUTH_REQUIRED',
      status,
      `your proxy ${proxy.url} wants a login (407): give it as http://user:password@host:port in --proxy or HTTPS_PROXY`,
    );
  }
  if (status === 403 && port === 443) {
    return new ProxyConnectError(
      'PROXY_FORBIDDEN',
      status,
      `your proxy ${proxy.url} refused CONNECT to ${authority} (403): port 443 is the one offices allow, so it filters this destination (a domain or IP block list) — ask IT to allow this host`,
    );
  }
  if (status === 403) {
    return new ProxyConnectError(
      'PROXY_FORBIDDEN',
      status,
      `your proxy ${proxy.url} does not allow CONNECT to port ${port} (403) — most offices allow only 443`,
    );
  }
  const why = reason ? ` ${reason}` : '';
  return new ProxyConnectError(
    'PROXY_REFUSED',
    status,
    `your proxy ${proxy.url} refused the tunnel to port ${port} (${status}${why}): it could not or would not connect there`,
  );
}

/**
 * Opens a TCP tunnel through an HTTP proxy (RFC 9110 §9.3.6 CONNECT): a TCP connection to the proxy, the
 * CONNECT request, and the proxy's answer read up to the end of its head (at most
 * {@link MAX_PROXY_HEAD_BYTES}). On a 2xx status the socket, now a byte pipe to `host:port`, is handed back
 * paused, with any bytes after the head put back; the caller runs TCP or TLS on it. The request names
 * {@link connectAuthority}: the host name when the URL has one, so the proxy (not the client) resolves it.
 * @throws ProxyConnectError (see {@link ProxyFailureCode}) within `timeoutMs`; the socket is destroyed.
 */
export function openHttpTunnel(proxy: HttpProxy, opts: TunnelOptions): Promise<Socket> {
  const { port } = opts.to;
  const authority = connectAuthority(opts);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: proxy.host, port: proxy.port });
    let connected = false;
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => {
      const what = connected ? 'did not answer the CONNECT request' : 'did not accept a TCP connection';
      fail(
        new ProxyConnectError('timeout', null, `your proxy ${proxy.url} ${what} within ${opts.timeoutMs} ms`),
      );
    }, opts.timeoutMs);
    const onAbort = (): void => fail(new ProxyConnectError('aborted', null, 'aborted'));
    const cleanup = (): void => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    function fail(err: ProxyConnectError): void {
      cleanup();
      socket.on('error', () => undefined);
      socket.destroy();
      reject(err);
    }
    function onError(err: NodeJS.ErrnoException): void {
      const code = err.code ?? err.message;
      if (!connected) {
        fail(
          new ProxyConnectError(
            'PROXY_UNREACHABLE',
            null,
            `your proxy ${proxy.url} cannot be reached (${code}): check the proxy address in --proxy or HTTPS_PROXY`,
            code,
          ),
        );
      } else fail(closed(code));
    }
    function closed(why: string): ProxyConnectError {
      return new ProxyConnectError(
        'PROXY_CLOSED',
        null,
        `your proxy ${proxy.url} closed the connection (${why}) before answering the CONNECT request to port ${port}`,
      );
    }
    function onClose(): void {
      fail(head.length > 0 ? notHttp('its answer ended before the end of its headers') : closed('no answer'));
    }
    function notHttp(why: string): ProxyConnectError {
      return new ProxyConnectError(
        'PROXY_NOT_HTTP',
        null,
        `${proxy.url} is not an HTTP proxy (${why}): check the proxy address in --proxy or HTTPS_PROXY`,
      );
    }
    function onData(chunk: Buffer): void {
      head = Buffer.concat([head, chunk]);
      const prefix = head.subarray(0, 5).toString('latin1');
      if (!'HTTP/'.startsWith(prefix) && !prefix.startsWith('HTTP/')) {
        fail(notHttp('its answer does not start with HTTP/'));
        return;
      }
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_PROXY_HEAD_BYTES)
          fail(notHttp(`no end of headers in ${MAX_PROXY_HEAD_BYTES} bytes`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!m) {
        fail(notHttp(`status line '${statusLine.slice(0, 60)}'`));
        return;
      }
      const status = Number(m[1]);
      if (status < 200 || status > 299) {
        fail(refusal(proxy, authority, port, status, (m[2] ?? '').trim()));
        return;
      }
      cleanup();
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    }
    socket.once('connect', () => {
      connected = true;
      socket.write(connectRequest(proxy, authority));
    });
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}
