import { pino } from 'pino';
import type { TransportAddress } from '../stun/address.js';
import { StunMethod } from '../stun/constants.js';
import { bindingHandler } from './binding-responder.js';
import { createDispatcher } from './dispatch.js';
import type { RequestHandler } from './handler.js';
import { parseStunServerOptions, type StunServerOptions } from './options.js';
import { type BoundSockets, bindServerSockets } from './ports.js';
import { listenTcp } from './tcp.js';
import { listenUdp } from './udp.js';

/** A listening RFC 5780 STUN server. */
export interface RunningStunServer {
  /** UDP sockets served, in role order A1:P1, A1:P2, A2:P1, A2:P2 (two entries with one IP). */
  readonly udp: TransportAddress[];
  /** TCP listening sockets, same order; empty when TCP is off. */
  readonly tcp: TransportAddress[];
  /** A1:P1, the address to give clients. */
  readonly primary: TransportAddress;
  /** OTHER-ADDRESS of the primary (A2:P2), or `null` without a second IP. */
  readonly otherAddress: TransportAddress | null;
  /** One sentence per thing this server cannot do in this setup; empty when it is a full RFC 5780 server. */
  readonly limitations: string[];
  /** Closes every socket and connection; resolves once the ports are free again. Idempotent. */
  close(): Promise<void>;
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
 * on two IPs × two ports over UDP and, unless `tcp: false`, TCP. Requests are answered by
 * `respondToBinding`; other methods get 400 until a TURN engine registers handlers.
 * @param opts see {@link StunServerOptions}; defaults: 127.0.0.1 and 127.0.0.2, ports 3478/3479, TCP on.
 * @returns once every socket listens; the caller must `close()` it.
 * @throws ConfigError for invalid options; UserError `address-in-use` (`cannot listen on
 *   127.0.0.1:3478: address in use`), `address-unavailable`, `permission-denied` when binding fails.
 */
export async function startStunServer(opts: StunServerOptions = {}): Promise<RunningStunServer> {
  const resolved = parseStunServerOptions(opts);
  const log = opts.logger ?? pino({ level: 'silent' });
  const bound = await bindServerSockets(resolved);
  const handlers = new Map<number, RequestHandler>([
    [StunMethod.binding, bindingHandler({ sockets: bound.addresses, software: resolved.software })],
  ]);
  const dispatch = createDispatcher({ handlers, software: resolved.software, log });
  const udp = listenUdp(bound.udp, bound.addresses, dispatch, log);
  const tcp = listenTcp(bound.tcp, bound.addresses, dispatch, log);
  let closing: Promise<void> | undefined;
  return {
    udp: udp.addresses,
    tcp: tcp.addresses,
    primary: bound.addresses.get('A1:P1')!,
    otherAddress: bound.addresses.get('A2:P2') ?? null,
    limitations: limitationsOf(bound, resolved.addresses),
    close() {
      closing ??= Promise.all([udp.close(), tcp.close()]).then(() => undefined);
      return closing;
    },
  };
}
