import type { BrowserCandidate } from '../../report/browser-schema.js';
import { hostPort, ipFamily, isLoopback } from './address.js';
import type { Statement } from './answer.js';

/** An IPv6 address of this device that could be reached from elsewhere: not loopback, not link-local. */
const usableIpv6 = (address: string): boolean =>
  ipFamily(address) === 'IPv6' && !isLoopback(address) && !/^\[?fe[89ab][0-9a-f]:/i.test(address);

/**
 * The page's IPv6 line (dual stack, issue 16 §2), from the gathered candidates alone: `ok` when a STUN
 * server answered over IPv6 (an IPv6 srflx candidate over UDP: IPv6 UDP leaves this network and the server
 * saw it), `unknown` otherwise, saying what was seen — an IPv6 host candidate without an IPv6 answer (no
 * IPv6 server was asked, or the IPv6 path is filtered), or no IPv6 candidate at all (no IPv6 here, or the
 * browser hides its addresses behind mDNS names). A page cannot tell "no IPv6" from "IPv6 hidden", so it
 * never says `fail`. Pure.
 * @returns one statement with key `ipv6`.
 */
export function ipv6Statement(candidates: readonly BrowserCandidate[]): Statement {
  const srflx = candidates.find((c) => c.type === 'srflx' && c.protocol === 'udp' && usableIpv6(c.address));
  if (srflx)
    return {
      key: 'ipv6',
      mark: 'ok',
      text: 'IPv6 works from here',
      why: `a STUN server saw this browser at ${hostPort(srflx.address, srflx.port)} over IPv6${srflx.url ? ` (${srflx.url})` : ''}`,
    };
  const host = candidates.find((c) => c.type === 'host' && usableIpv6(c.address));
  if (host)
    return {
      key: 'ipv6',
      mark: 'unknown',
      text: 'IPv6: this device has an IPv6 address, but no STUN server answered over IPv6',
      why: `host ${host.address}; no STUN server reachable over IPv6 was asked, or IPv6 UDP is filtered on the way`,
    };
  return {
    key: 'ipv6',
    mark: 'unknown',
    text: 'IPv6: not seen',
    why: 'the browser gathered no IPv6 candidate: this network has no IPv6, or the browser hides its addresses (mDNS names)',
  };
}
