import type { RunningTurnServer } from '../../server/turn/server.js';
import { formatAddress, type TransportAddress } from '../../wire/address.js';
import type { PageIceServer, PageIceUrl } from './ice-config.js';

/** What {@link bundledIceServer} reads of the bundled server. */
export type BundledServerView = Pick<
  RunningTurnServer,
  'fronts' | 'turnUdp' | 'turnTcp' | 'turnTls' | 'relay'
>;

/** Label of the bundled server's targets (`pathTargetSchema.server`). */
export const BUNDLED_LABEL = 'bundled';

/**
 * The address a browser reaches: the relay IP of a family is replaced by its advertised external IP
 * (`--external-ip`, the server behind a 1:1 NAT); every other address is its own.
 */
function reachable(server: BundledServerView, a: TransportAddress): string {
  const relay = server.relay.find((r) => r.family === a.family && r.ip === a.address);
  return formatAddress({ address: relay?.externalIp ?? a.address, port: a.port });
}

/**
 * The path matrix of the bundled STUN/TURN server: one `stun:` target per RFC 5780 server IP of each
 * family (the primary A1:P1 and OTHER-ADDRESS A2:P2, so the page can compare the srflx mappings seen by
 * two server IPs, RFC 5780 §4.3), then `turn:…?transport=udp`, `turn:…?transport=tcp` and `turns:` (the
 * TLS listener). URL hosts are IP literals. Credentials are minted per request from `restSecret`, a
 * TURN REST secret the bundled server accepts; its static users are never handed out.
 */
export function bundledIceServer(server: BundledServerView, restSecret: string): PageIceServer {
  const urls: PageIceUrl[] = [
    ...server.fronts.flatMap((f) =>
      [f.primary, ...(f.otherAddress ? [f.otherAddress] : [])].map(
        (a): PageIceUrl => ({ kind: 'stun', url: `stun:${reachable(server, a)}` }),
      ),
    ),
    ...server.turnUdp.map(
      (a): PageIceUrl => ({ kind: 'turn-udp', url: `turn:${reachable(server, a)}?transport=udp` }),
    ),
    ...server.turnTcp.map(
      (a): PageIceUrl => ({ kind: 'turn-tcp', url: `turn:${reachable(server, a)}?transport=tcp` }),
    ),
    ...server.turnTls.map(
      (a): PageIceUrl => ({ kind: 'turns', url: `turns:${reachable(server, a)}?transport=tcp` }),
    ),
  ];
  return { label: BUNDLED_LABEL, urls, credentials: { kind: 'rest', secret: restSecret } };
}
