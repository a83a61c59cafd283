import type { UdpStatus } from '../../report/schema.js';
import { answered } from './answers.js';
import type { ProbeObservations } from './observations.js';

/** What is known about UDP when no UDP Binding gave a mapped address, and the observations that say so. */
export interface UdpUnknown {
  status: UdpStatus;
  /** One line: what was tried and what came back. */
  reason: string;
}

/**
 * Judges UDP when no mapping test I gave a mapped address. Any UDP reply (an error response, or a success
 * without XOR-MAPPED-ADDRESS) proves UDP `works`, though it gives nothing to judge the NAT by. "Blocked"
 * needs UDP tried and silent while the SAME server (same IP) answered STUN over TCP or TLS; without that
 * evidence the answer is unknown, saying why: only TCP/TLS URLs given (`not-tested`), no UDP server name
 * resolved (`dns-failed`), the probe's deadline cut the name resolution or a UDP transaction (`deadline`), or
 * nothing answered on any transport (`server-unreachable`: a server that is down is not a network that blocks
 * UDP). Pure.
 */
export function judgeUdpUnanswered(obs: ProbeObservations): UdpUnknown {
  const udpServers = obs.servers.filter((s) => s.transport === 'udp');
  if (udpServers.length === 0)
    return {
      status: 'not-tested',
      reason: 'UDP not tested: only stuns: or ?transport=tcp URLs were given',
    };
  const deadline = {
    status: 'deadline' as const,
    reason: 'the deadline (--timeout) was reached before any UDP reply: nothing is known about UDP',
  };
  if (udpServers.every((s) => s.address === null))
    return obs.deadlineReached
      ? deadline
      : {
          status: 'dns-failed',
          reason: `UDP not tested: DNS failed for every UDP server (${udpServers.map((s) => s.resolveError).join('; ')})`,
        };
  if (obs.mappingTestI.length === 0)
    return {
      status: 'not-tested',
      reason: 'UDP not tested: no UDP server of an address family this host can use',
    };
  const replied = obs.mappingTestI.find((o) => o.source !== null);
  if (replied)
    return {
      status: 'works',
      reason: `${replied.server} answered over UDP, but ${replied.errorCode === null ? 'without a mapped address' : `with error ${replied.errorCode}`}: nothing to judge the NAT by`,
    };
  if (obs.mappingTestI.some((o) => o.failure === 'aborted')) return deadline;
  const silentIps = new Set(obs.mappingTestI.map((o) => o.target.address));
  const sameServerStream = obs.streams.find((o) => answered(o) && silentIps.has(o.target.address));
  if (sameServerStream)
    return {
      status: 'blocked',
      reason: `no UDP reply, while STUN over ${sameServerStream.transport.toUpperCase()} to the same server answered (${sameServerStream.server})`,
    };
  const otherStream = obs.streams.find((o) => answered(o));
  return {
    status: 'server-unreachable',
    reason: otherStream
      ? `no UDP server answered, and none of them answered over TCP/TLS either (only ${otherStream.server} did, which was not asked over UDP): the UDP servers may be down`
      : 'no server answered over UDP, TCP or TLS: the servers may be down or unreachable, so nothing is known about UDP',
  };
}
