import type { Reachability } from '../../report/schema.js';
import { type ProxyRoute, viaProxy } from '../transport/proxy-config.js';
import type { StunUrl } from '../url/stun-url.js';
import type { ServerObservation } from './observations.js';

/**
 * The reachability rows with `viaProxy: true` on each TCP/TLS row whose exchange went through the proxy
 * (`proxyFor`: a proxy set and NO_PROXY not naming the host). A row is matched to its server by its URL:
 * the server's own URL, or a UDP URL's TCP stream (`?transport=tcp`). Unchanged without a proxy.
 */
export function markViaProxy(
  rows: Reachability[],
  urls: readonly StunUrl[],
  servers: readonly ServerObservation[],
  route: ProxyRoute | undefined,
): Reachability[] {
  if (!route) return rows;
  const through = new Set<string>();
  servers.forEach((s, i) => {
    const u = urls[i]!;
    if (!s.address) return;
    const streamUrl = u.transport === 'udp' ? `${u.url}?transport=tcp` : u.url;
    const transport = u.transport === 'tls' ? 'tls' : 'tcp';
    if (viaProxy({ transport, host: u.host }, s.address, route)) through.add(streamUrl);
  });
  return rows.map((r) => (r.transport !== 'udp' && through.has(r.url) ? { ...r, viaProxy: true } : r));
}
