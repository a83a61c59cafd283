import type { Server } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { pino } from 'pino';
import { TLS_SERVER_POLICY } from '../../net/tls-policy.js';
import type { TransportAddress } from '../../wire/address.js';
import { transportAddress } from '../../wire/address.js';
import { StunMethod } from '../../wire/constants.js';
import { BindError, bindTcp, bindUserError, type TlsKeyPair } from './bind.js';
import { bindingHandler } from './binding-responder.js';
import { createDispatcher } from './dispatch.js';
import type { ChannelDataHandler, IndicationHandler, RequestHandler } from './handler.js';
import { parseStunServerOptions, type StunServerOptions } from './options.js';
import { type BoundSockets, bindServerSockets, closeQuietly } from './ports.js';
import type { SocketRole } from './socket-role.js';
import { listenStream } from './tcp.js';
import { listenUdp } from './udp.js';
import type { UdpBufferSize } from './udp-buffer.js';

/**
 * What a TURN engine adds to the STUN server's sockets: its request and indication handlers, its
 * ChannelData handler, and a TLS listener (`turns:`) on the primary IP.
 */
export interface ServerPlugins {
  handlers?: ReadonlyMap<number, RequestHandler>;
  indications?: ReadonlyMap<number, IndicationHandler>;
  channelData?: ChannelDataHandler;
  /** TLS listener on A1 at `port` (0 picks one) with this certificate and key. */
  tls?: TlsKeyPair & { port: number };
  /**
   * TCP and TLS connections without an allocation this long after their accept are closed, in ms
   * (default `DEFAULT_ALLOCATE_TIMEOUT_MS` of tcp.ts, 60 s).
   */
  allocateTimeoutMs?: number;
}

/** A listening RFC 5780 STUN server. */
export interface RunningStunServer {
  /** UDP sockets served, in role order A1:P1, A1:P2, A2:P1, A2:P2 (two entries with one IP). */
  readonly udp: TransportAddress[];
  /** TCP listening sockets, same order; empty when TCP is off. */
  readonly tcp: TransportAddress[];
  /** The TLS listening socket on A1, when a plugin asked for one. */
  readonly tls: TransportAddress | null;
  /** A1:P1, the address to give clients. */
  readonly primary: TransportAddress;
  /** OTHER-ADDRESS of the primary (A2:P2), or `null` without a second IP. */
  readonly otherAddress: TransportAddress | null;
  /** The UDP sockets' receive buffer: asked for and granted (the smallest of them), in bytes. */
  readonly udpRecvBuffer: UdpBufferSize;
  /** One sentence per thing this server cannot do in this setup; empty when it is a full RFC 5780 server. */
  readonly limitations: string[];
  /**
   * Replaces the TLS listener's certificate and key (`tls.Server.setSecureContext`, with the same
   * `TLS_SERVER_POLICY`): handshakes from now on present `pair`; connections already open keep theirs.
   * Does nothing without a TLS listener.
   * @throws Error from OpenSSL when `pair` cannot make a secure context (load it with `loadTlsCredentials`
   *   first: it checks the pair); the old certificate stays in use then.
   */
  setTlsCredentials(pair: TlsKeyPair): void;
  /** Closes every socket and connection; resolves once the ports are free again. Idempotent. */
  close(): Promise<void>;
}

function portOf(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

function limitationsOf(bound: BoundSockets, addresses: string[]): string[] {
  if (bound.secondIp === 'bound') return [];
  const why =
    bound.secondIp === 'unavailable'
      ? `second IP ${addresses[1]} could not be bound (not a local address)`
      : 'only one IP address configured';
  return [
    `${why}: no OTHER-ADDRESS is sent and CHANGE-REQUEST change-IP is answered 420, so a client cannot test ` +
      'mapping behaviour nor tell address-dependent from endpoint-independent filtering (RFC 5780 §6)',
  ];
}

/**
 * Starts the bundled STUN server (RFC 8489 Binding with the RFC 5780 NAT-behaviour-discovery attributes)
 * on two IPs × two ports over UDP and, unless `tcp: false`, TCP. Binding requests are answered by
 * `respondToBinding`; `plugins` add the TURN engine's methods and a TLS listener; other methods get 400.
 * @param opts see {@link StunServerOptions}; defaults: 127.0.0.1 and 127.0.0.2, ports 3478/3479, TCP on.
 * @returns once every socket listens; the caller must `close()` it.
 * @throws SettingsError (options.ts) naming the field for invalid options; UserError `address-in-use` (`cannot listen on
 *   127.0.0.1:3478: address in use`), `address-unavailable`, `permission-denied` when binding fails.
 */
export async function startStunServer(
  opts: StunServerOptions = {},
  plugins: ServerPlugins = {},
): Promise<RunningStunServer> {
  const resolved = parseStunServerOptions(opts);
  const log = opts.logger ?? pino({ level: 'silent' });
  const bound = await bindServerSockets(resolved);
  const primary = bound.addresses.get('A1:P1')!;
  let tlsServer: Server | undefined;
  if (plugins.tls) {
    try {
      tlsServer = await bindTcp(primary.address, plugins.tls.port, plugins.tls);
    } catch (err) {
      await Promise.all([...bound.udp.values(), ...bound.tcp.values()].map(closeQuietly));
      throw err instanceof BindError ? bindUserError(err) : err;
    }
  }
  const handlers = new Map<number, RequestHandler>([
    [StunMethod.binding, bindingHandler({ sockets: bound.addresses, software: resolved.software })],
    ...(plugins.handlers ?? new Map<number, RequestHandler>()),
  ]);
  const dispatch = createDispatcher({
    handlers,
    ...(plugins.indications && { indications: plugins.indications }),
    ...(plugins.channelData && { channelData: plugins.channelData }),
    log,
  });
  const udp = listenUdp(bound.udp, bound.addresses, dispatch, log);
  const stream =
    plugins.allocateTimeoutMs === undefined ? {} : { allocateTimeoutMs: plugins.allocateTimeoutMs };
  const tcp = listenStream(bound.tcp, bound.addresses, dispatch, log, 'tcp', stream);
  const tlsAddress = tlsServer ? transportAddress(primary.address, portOf(tlsServer)) : null;
  const tls = tlsServer
    ? listenStream(
        new Map<SocketRole, Server>([['A1:P1', tlsServer]]),
        new Map([['A1:P1', tlsAddress!]]),
        dispatch,
        log,
        'tls',
        stream,
      )
    : null;
  let closing: Promise<void> | undefined;
  return {
    udp: udp.addresses,
    tcp: tcp.addresses,
    tls: tlsAddress,
    primary: bound.addresses.get('A1:P1')!,
    otherAddress: bound.addresses.get('A2:P2') ?? null,
    udpRecvBuffer: { requested: resolved.udpBufferBytes, granted: bound.udpRecvBufferBytes },
    limitations: limitationsOf(bound, resolved.addresses),
    setTlsCredentials(pair) {
      (tlsServer as TlsServer | undefined)?.setSecureContext({ ...TLS_SERVER_POLICY, ...pair });
    },
    close() {
      closing ??= Promise.all([udp.close(), tcp.close(), tls?.close()]).then(() => undefined);
      return closing;
    },
  };
}
