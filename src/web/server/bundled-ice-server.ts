import type { RunningTurnServer } from '../../server/turn/server.js';
import { iceUrlText } from '../../shared/ice-url.js';
import type { TransportAddress } from '../../wire/address.js';
import { BUNDLED_SERVER_LABEL } from '../api-schema.js';
import type { PageIceServer, PageIceUrl } from './ice-config.js';

/** What {@link bundledIceServer} reads of the bundled server. */
export type BundledServerView = Pick<
  RunningTurnServer,
  'fronts' | 'turnUdp' | 'turnTcp' | 'turnTls' | 'relay'
>;

/**
 * The IP a client reaches for a listening address: the relay IP of a family is replaced by its advertised
 * external IP (`--external-ip`, the server behind a 1:1 NAT); every other address is its own.
 */
function reachableIp(server: BundledServerView, a: TransportAddress): string {
  return server.relay.find((r) => r.family === a.family && r.ip === a.address)?.externalIp ?? a.address;
}

/**
 * The TURN URLs of the bundled server, in the order clients should try them: `turn:…?transport=udp`,
 * `turn:…?transport=tcp` (RFC 7065) on each family's reachable IP literal, then `turns:` (TURN over TLS,
 * RFC 8656 §3.1) on the TLS listeners. With a `publicHost` (`serve --public-host`, the name the
 * operator's certificate is for) the `turns:` URLs use that name, one per distinct TLS port: a browser
 * verifies the certificate against the URL's host (RFC 6125), and a publicly trusted certificate names a
 * host, never a private or NATed IP. The `turn:` URLs keep the IP literals: nothing verifies a name there,
 * and a name that resolves elsewhere (split-horizon DNS, a proxy in front of the page, an A record but no
 * AAAA) would silently move or break those paths.
 * @param publicHost a DNS name or IP literal as `served-hosts.ts` `canonicalHost` writes it (an IPv6
 *   literal in brackets), or null for the IP literals everywhere.
 */
export function bundledTurnUrls(server: BundledServerView, publicHost: string | null): PageIceUrl[] {
  const at = (a: TransportAddress): string => reachableIp(server, a);
  const relayPorts = server.relay[0]?.ports;
  const turn = (kind: PageIceUrl['kind'], url: string): PageIceUrl => ({
    kind,
    url,
    ...(relayPorts && { relayPorts: { min: relayPorts.min, max: relayPorts.max } }),
  });
  const tlsHost = publicHost?.replace(/^\[(.*)\]$/, '$1');
  const turns =
    tlsHost === undefined
      ? server.turnTls.map((a) => iceUrlText('turns', at(a), a.port, 'tcp'))
      : [...new Set(server.turnTls.map((a) => iceUrlText('turns', tlsHost, a.port, 'tcp')))];
  return [
    ...server.turnUdp.map((a) => turn('turn-udp', iceUrlText('turn', at(a), a.port, 'udp'))),
    ...server.turnTcp.map((a) => turn('turn-tcp', iceUrlText('turn', at(a), a.port, 'tcp'))),
    ...turns.map((url) => turn('turns', url)),
  ];
}

/**
 * The path matrix of the bundled STUN/TURN server: one `stun:` target per RFC 5780 server IP of each
 * family (the primary A1:P1 and OTHER-ADDRESS A2:P2, so the page can compare the srflx mappings seen by
 * two server IPs, RFC 5780 §4.3; IP literals, since a name cannot say which of the two IPs is meant), then
 * {@link bundledTurnUrls}. Credentials are minted per request from `restSecret`, a TURN REST secret the
 * bundled server accepts; its static users are never handed out.
 * @param publicHost the first `serve --public-host` (canonical), named by the `turns:` URLs; null: none.
 */
export function bundledIceServer(
  server: BundledServerView,
  restSecret: string,
  publicHost: string | null = null,
): PageIceServer {
  const urls: PageIceUrl[] = [
    ...server.fronts.flatMap((f) =>
      [f.primary, ...(f.otherAddress ? [f.otherAddress] : [])].map(
        (a): PageIceUrl => ({ kind: 'stun', url: iceUrlText('stun', reachableIp(server, a), a.port) }),
      ),
    ),
    ...bundledTurnUrls(server, publicHost),
  ];
  return { label: BUNDLED_SERVER_LABEL, urls, credentials: { kind: 'rest', secret: restSecret } };
}
