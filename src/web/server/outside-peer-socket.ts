import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { canonicalIp } from '../../server/turn/page-scope.js';
import type { TransportAddress } from '../../wire/address.js';
import { OutsidePeerResponder } from './outside-peer.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** A running outside-peer responder and its UDP socket. */
export interface RunningOutsidePeer {
  readonly responder: OutsidePeerResponder;
  /** Closes the socket. Idempotent. */
  close(): Promise<void>;
}

/**
 * The IP the page is told to reach the responder at: the first public host when it is an IP literal (the
 * address visitors reach this host by, e.g. a cloud VM's public IP in front of its private listen address),
 * else the report server's listen address unless it is a wildcard; null when there is none (a host name
 * would need DNS, and browsers take only IP candidates from a remote description). Canonical text (RFC 5952
 * for IPv6, e.g. `2001:DB8:0::2` → `2001:db8::2`), so the page's address comparisons match what the
 * browser's stats show.
 */
export function outsidePeerAddress(host: string, publicHosts: readonly string[]): string | null {
  const literal = publicHosts[0]?.replace(/^\[(.*)\]$/, '$1');
  if (literal !== undefined && isIP(literal) !== 0) return canonicalIp(literal) ?? literal;
  return WILDCARDS.has(host) ? null : (canonicalIp(host) ?? host);
}

/**
 * The address the responder's socket binds: `advertise` itself when it is an address of this host (so
 * answers leave from the address the page was told), else `host` when it is of `advertise`'s family, else
 * that family's wildcard (`--listen ::` with an IPv4 public host, or `0.0.0.0` with an IPv6 one).
 * @param local this host's interface addresses (default: os.networkInterfaces()).
 */
export function outsidePeerBind(
  host: string,
  advertise: string,
  local: readonly string[] = localAddresses(),
): string {
  const family = isIP(advertise);
  if (local.some((a) => canonicalIp(a) === canonicalIp(advertise))) return advertise;
  if (isIP(host) === family) return host;
  return family === 6 ? '::' : '0.0.0.0';
}

/** Every interface address of this host, link-local scope ids dropped. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((i) => i.address.replace(/%.*$/, '')),
  );
}

/**
 * Binds the report server's outside-peer responder (outside-peer.ts) on {@link outsidePeerBind}`(host,
 * advertise)`, a port the operating system picks, advertised as `advertise`. Datagrams are handed to the responder; send errors (an ICMP
 * unreachable from a visitor gone) are dropped.
 * @throws Error when the socket cannot be bound (the report server then runs without it).
 */
export async function startOutsidePeer(
  host: string,
  advertise: string,
  log: Logger,
): Promise<RunningOutsidePeer> {
  const family = isIP(advertise) === 6 ? 'IPv6' : 'IPv4';
  const socket = dgram.createSocket({ type: family === 'IPv6' ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, outsidePeerBind(host, advertise), () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => log.debug({ err }, 'outside-peer socket error'));
  const candidate: TransportAddress = { address: advertise, port: socket.address().port, family };
  const responder = new OutsidePeerResponder(candidate, (bytes, to) => {
    socket.send(bytes, to.port, to.address);
  });
  socket.on('message', (bytes, rinfo) => {
    responder.handle(bytes, {
      address: rinfo.address,
      port: rinfo.port,
      family: rinfo.family as TransportAddress['family'],
    });
  });
  log.info({ candidate: `${candidate.address}:${candidate.port}` }, 'outside-peer responder listening');
  let closing: Promise<void> | undefined;
  return {
    responder,
    close: () => {
      closing ??= new Promise((done) => socket.close(() => done()));
      return closing;
    },
  };
}
