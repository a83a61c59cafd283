import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { rootCertificates, connect as tlsConnect } from 'node:tls';
import { type TransportAddress, transportAddress } from '../../wire/address.js';
import { StunDecodeError } from '../../wire/errors.js';
import { StreamFramer } from '../../wire/framing.js';
import { decodeMessage, type StunMessage } from '../../wire/message.js';
import { openHttpTunnel } from './http-connect.js';
import { type ProxyRoute, proxyFor } from './proxy-config.js';
import type { RttEstimator } from './rtt.js';
import { describeSocketError } from './tls-errors.js';
import { nextDeadlineOffsetMs, PROBE_POLICY } from './transaction.js';

/** Where and how to open a TCP or TLS connection to a STUN/TURN server (RFC 8489 §6.2.2, §6.2.3). */
export interface StreamConnectOptions {
  transport: 'tcp' | 'tls';
  to: TransportAddress;
  /** SNI and certificate name for TLS; ignored for IP literals, which are checked against the IP. */
  serverName?: string;
  /** Accept any TLS certificate (self-signed test servers). */
  insecure?: boolean;
  /** More trusted CA certificates (PEM, from `--ca FILE`), besides Node's bundled roots. */
  ca?: readonly string[];
  /** The HTTP CONNECT proxy TCP/TLS goes through (`--proxy`, `HTTPS_PROXY`), unless NO_PROXY skips the host. */
  proxy?: ProxyRoute;
}

/** The SNI name of a TLS connection: the host name, or undefined for an IP literal (RFC 6066 §3). */
export function tlsServerName(serverName: string | undefined): string | undefined {
  return serverName && !isIP(serverName) ? serverName : undefined;
}

/** The trusted roots of a TLS connection: Node's bundled ones plus `extra` (undefined: Node's alone). */
export function tlsCa(extra: readonly string[] | undefined): string[] | undefined {
  return extra && extra.length > 0 ? [...rootCertificates, ...extra] : undefined;
}

/**
 * Starts a TCP or TLS connection to `opts.to`; for TLS the certificate is verified unless `insecure`, with
 * `serverName` as SNI and certificate name unless it is an IP literal. Errors arrive as the socket's
 * `error` event.
 * @param onConnect called once the connection (for TLS: the handshake) is up.
 * @param tunnel a connected byte pipe to `opts.to` (an HTTP CONNECT tunnel) to use instead of a new TCP
 *   connection; TLS runs over it.
 */
export function connectStream(opts: StreamConnectOptions, onConnect: () => void, tunnel?: Socket): Socket {
  const { address: host, port } = opts.to;
  if (opts.transport === 'tcp') {
    if (!tunnel) return tcpConnect({ host, port }, onConnect);
    queueMicrotask(() => {
      tunnel.resume();
      onConnect();
    });
    return tunnel;
  }
  return tlsConnect(
    {
      ...(tunnel ? { socket: tunnel } : {}),
      host,
      port,
      servername: tlsServerName(opts.serverName),
      rejectUnauthorized: !opts.insecure,
      ca: tlsCa(opts.ca),
    },
    onConnect,
  );
}

/**
 * Limit of the proxy's answer to CONNECT, in ms: the exchange's own RTT-based budget usually ends it sooner
 * (the tunnel is then given up on with it).
 */
const STREAM_TUNNEL_MAX_MS = 10_000;

/** Options of one STUN-over-TCP/TLS exchange (RFC 8489 §6.2.2, §6.2.3). */
export interface StreamExchangeOptions extends StreamConnectOptions {
  /**
   * The path's RTT estimate: the exchange gives up when a UDP transaction started at the same moment would
   * declare silence (11 × RTO, read live, so it shortens once any reply calibrates the path; 2750 ms
   * uncalibrated), or at 3 × its own connect time if that is later (a slow but live server).
   */
  rtt: RttEstimator;
  /** The probe's deadline: ends the exchange with failure `aborted`. */
  signal: AbortSignal;
}

/** The outcome of one exchange over a stream. */
export interface StreamExchangeResult {
  response: StunMessage | null;
  /** The server's address as connected, and our local address on that connection. */
  remote: TransportAddress | null;
  local: TransportAddress | null;
  connectMs: number | null;
  /** Time until the connection was refused (a TCP RST: one round trip of the path), in ms. */
  refusedMs: number | null;
  /** From writing the request to reading the response, in ms. */
  rttMs: number | null;
  /** From the start to the response or to giving up, in ms. */
  elapsedMs: number;
  /** One-line reason when there is no response (ECONNREFUSED, timeout, a TLS certificate error code ...). */
  failure: string | null;
}

/**
 * Opens a TCP or TLS connection, sends one STUN request, reads the framed response with the same
 * transaction ID, and closes. A server that accepts (or drops the SYN) and stays silent is given up on
 * after the RTT-based silence budget (`opts.rtt`), with failure `no answer within N ms`. Never rejects;
 * every failure is a one-line `failure`.
 */
export function streamExchange(
  request: Buffer,
  transactionId: Buffer,
  opts: StreamExchangeOptions,
): Promise<StreamExchangeResult> {
  const start = performance.now();
  const proxy = proxyFor(opts.proxy, opts.serverName, opts.to);
  const tunnelling = new AbortController();
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let connectMs: number | null = null;
    let refusedMs: number | null = null;
    let sentAt = 0;
    let settled = false;
    const framer = new StreamFramer();
    const finish = (r: Pick<StreamExchangeResult, 'response' | 'failure'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      opts.signal.removeEventListener('abort', onAbort);
      tunnelling.abort();
      // Through a proxy the socket's peer is the proxy: the server is the tunnel's end, once it is up.
      const remote = proxy
        ? connectMs === null
          ? null
          : opts.to
        : socket?.remoteAddress
          ? transportAddress(socket.remoteAddress, socket.remotePort ?? 0)
          : null;
      const local = socket?.localAddress
        ? transportAddress(socket.localAddress, socket.localPort ?? 0)
        : null;
      socket?.destroy();
      resolve({
        ...r,
        remote,
        local,
        connectMs,
        refusedMs,
        rttMs: r.response ? performance.now() - sentAt : null,
        elapsedMs: performance.now() - start,
      });
    };
    const onAbort = (): void => finish({ response: null, failure: 'aborted' });
    let timer: NodeJS.Timeout | undefined;
    const giveUp = (): void => {
      const waited = Math.round(performance.now() - start);
      finish({ response: null, failure: `no answer within ${waited} ms` });
    };
    const schedule = (): void => {
      clearTimeout(timer);
      const budget = nextDeadlineOffsetMs(PROBE_POLICY.rc, opts.rtt.rtoMs, PROBE_POLICY);
      const due = start + Math.max(budget, 3 * (connectMs ?? 0));
      timer = setTimeout(giveUp, Math.max(0, due - performance.now()));
    };
    const unsubscribe = opts.rtt.onChange(schedule);
    schedule();
    const onConnect = (): void => {
      connectMs = performance.now() - start;
      sentAt = performance.now();
      socket?.write(request);
      schedule();
    };
    const attach = (s: Socket): void => {
      socket = s;
      listen(s);
    };
    if (!proxy) attach(connectStream(opts, onConnect));
    else {
      openHttpTunnel(proxy, {
        to: opts.to,
        host: opts.serverName,
        timeoutMs: STREAM_TUNNEL_MAX_MS,
        signal: AbortSignal.any([opts.signal, tunnelling.signal]),
      }).then(
        (tunnel) => {
          if (settled) tunnel.destroy();
          else attach(connectStream(opts, onConnect, tunnel));
        },
        (err: Error) => finish({ response: null, failure: err.message }),
      );
    }
    function listen(socket: Socket): void {
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const frame of framer.push(chunk)) {
            if (frame.kind !== 'stun') continue;
            const msg = decodeMessage(frame.bytes);
            if (msg.transactionId.equals(transactionId)) finish({ response: msg, failure: null });
          }
        } catch (err) {
          finish({
            response: null,
            failure: err instanceof StunDecodeError ? `garbage from server: ${err.message}` : String(err),
          });
        }
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') refusedMs = performance.now() - start;
        finish({ response: null, failure: err.code ? describeSocketError(err.code) : err.message });
      });
      socket.on('close', () => finish({ response: null, failure: 'connection closed before a response' }));
    }
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}
