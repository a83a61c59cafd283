import type { TransportAddress } from '../../wire/address.js';
import { type Finding, fail } from './judged.js';
import type { OutsideReachObservation, ReachPortObservation } from './reach-observations.js';

/** Where an operator sets the relay port range, and coturn's default. */
const RANGE_WORDS =
  'the whole relay port range (coturn: min-port–max-port, 49152–65535 by default; ice-doctor serve: --relay-ports)';

/** The findings of the reach check in plain words, each with the fix (issue 15 §1). */
export interface ReachWords {
  /** `relay-address-not-public`: no relayed IP is the server's address and none was reachable. */
  notPublic(server: TransportAddress): Finding;
  /** `relay-only-inside` (the inside relay worked) or `relay-ports-closed`. */
  closed(): Finding;
  /** `relay-one-way`: in from outside, nothing back. */
  oneWay(): Finding;
  /** `relay-ports-partly-closed`: some ports both ways, others not. */
  partly(): Finding;
}

/** `49161, 49170 and 49185`. */
function listWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** One port's outcome: `49161 both ways`, `49170 not from outside`, `49185 in, not back`. */
function portOutcome(p: ReachPortObservation): string {
  const port = String(p.relayed!.port);
  if (!p.inbound) return `${port} not from outside`;
  return p.outbound ? `${port} both ways` : `${port} in, not back`;
}

/**
 * The words of each reach finding for one target's observation `o`, the ports `tried` (they have a relayed
 * address) and whether relaying between two allocations on the same server worked (`inside`, null: not run).
 */
export function reachWords(
  o: OutsideReachObservation,
  tried: ReachPortObservation[],
  inside: boolean | null,
): ReachWords {
  const ips = [...new Set(tried.map((p) => p.relayed!.address))];
  const ip = listWords(ips);
  const ports = listWords(tried.map((p) => String(p.relayed!.port)));
  const peer = o.peerMapped ?? o.clientMapped;
  const from = peer ? ` (from ${peer.address})` : '';
  const within = `within ${o.waitMs} ms`;
  return {
    notPublic: (server) =>
      fail(
        'relay-address-not-public',
        `The server hands out relayed address ${ip}, not the address you reach it at (${server.address}), and no ` +
          `datagram from outside${from} reached relay ports ${ports} ${within}: the advertised address is not ` +
          `this server's public address or is not routed to it. Set it (coturn: external-ip=${server.address}, ` +
          `behind NAT external-ip=${server.address}/<private IP>; ice-doctor serve: --external-ip ${server.address}); ` +
          `if ${ip} is right, allow UDP on ${RANGE_WORDS} to it.`,
      ),
    closed: () =>
      inside
        ? fail(
            'relay-only-inside',
            `Relaying works only inside the server: data between two of its own allocations arrived, but no ` +
              `datagram from outside${from} reached relay ports ${ports} of ${ip} ${within}, so callers ` +
              `elsewhere cannot send media through this relay. The relay ports are closed in a firewall, a cloud ` +
              `security group or the NAT in front of the server: allow UDP on ${RANGE_WORDS} to ${ip}, and ` +
              'behind NAT forward that range to the server as well as the TURN port.',
          )
        : fail(
            'relay-ports-closed',
            `No datagram from outside${from} reached relay ports ${ports} of ${ip} ${within}. Allow UDP on ` +
              `${RANGE_WORDS} to ${ip} in the firewall or cloud security group (behind NAT, forward it to the ` +
              `server)${inside === false ? '; relaying between two allocations of the server failed too, so it may not relay at all' : ''}.`,
          ),
    oneWay: () =>
      fail(
        'relay-one-way',
        `Datagrams from outside${from} reached relay ports ${ports} of ${ip}, but nothing the relay sent back ` +
          `reached the outside peer ${within}: outgoing UDP from the relay ports is blocked (an egress rule of ` +
          'the firewall or security group) or the NAT in front of the server does not translate it. Allow ' +
          'outgoing UDP from the relay port range.',
      ),
    partly: () =>
      fail(
        'relay-ports-partly-closed',
        `Only some relay ports of ${ip} work from outside${from}: ${listWords(tried.map(portOutcome))}. The ` +
          'firewall or security group opens a narrower range than the server hands out, so some calls fail: ' +
          `allow UDP on ${RANGE_WORDS} to ${ip}, or narrow the server's range to the open one.`,
      ),
  };
}
