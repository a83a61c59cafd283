import type { PathResult } from '../../report/browser-schema.js';
import { parseIceUrl } from './ice-url.js';

/** The host of an ICE URL (lower case), or null when it does not parse. */
function hostOf(p: PathResult): string | null {
  return parseIceUrl(p.url)?.host ?? null;
}

/** The port of an ICE URL (its default when the URL names none), or null when it does not parse. */
function portOf(p: PathResult): number | null {
  return parseIceUrl(p.url)?.port ?? null;
}

/**
 * The proxy-only office in the page (issue 16 §4), judged when UDP got no reply: `only-tls-443` when a
 * TURN/TLS path on port 443 was proved (a relay candidate with relayProtocol tls carried the echo), no
 * TURN/TCP path and no TURN/TLS path on another port worked, and at least one of those was tried — so the
 * run shows that the other ports are shut, not merely untested — and a UDP path (stun or TURN/UDP) to the
 * SAME host as a proved TLS 443 path gathered nothing (a silent other server says nothing about this
 * network). A browser cannot see whether it uses a proxy, so the words say "if this browser uses one". Null
 * otherwise (then `udp-blocked-tls-works` and the others apply). `stream` is the run's TURN/TCP and TURN/TLS
 * paths, `udp` its stun and TURN/UDP paths.
 */
export function onlyTls443(
  stream: readonly PathResult[],
  udp: readonly PathResult[],
): { code: string; text: string } | null {
  const works = (p: PathResult): boolean => p.proof?.ok === true;
  const on443 = (p: PathResult): boolean => p.kind === 'turns' && portOf(p) === 443;
  const others = stream.filter((p) => !on443(p));
  const proved = new Set(stream.filter((p) => on443(p) && works(p)).map(hostOf));
  const udpSilent = udp.some((p) => !p.gathered && proved.has(hostOf(p)));
  if (proved.size === 0 || !udpSilent || others.length === 0 || others.some(works)) return null;
  const shut = [
    ...new Set(others.map((p) => `${p.kind === 'turns' ? 'TLS' : 'TCP'} on port ${portOf(p) ?? '?'}`)),
  ];
  return {
    code: 'only-tls-443',
    text:
      `Only TURN over TLS on port 443 works from here (through your proxy, if this browser uses one): UDP is ` +
      `blocked and TURN over ${shut.join(', ')} did not connect. Calls will relay over TURN/TLS on 443 — as ` +
      'in an office that lets out only HTTPS through its web proxy.',
  };
}
