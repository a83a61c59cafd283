import { ConfigError } from '../errors.js';
import type { Transport } from '../stun/address.js';

/** A parsed `stun:`/`stuns:` URL (RFC 7064 §3.1). */
export interface StunUrl {
  /** The URL as the user would write it, normalised (`stun:host:port` or with `?transport=tcp`). */
  url: string;
  scheme: 'stun' | 'stuns';
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
  transport: Transport;
}

/** Default ports of RFC 8489 §18.5: 3478 for STUN over UDP/TCP, 5349 for STUN over TLS. */
export const DEFAULT_STUN_PORT = 3478;
export const DEFAULT_STUNS_PORT = 5349;

/**
 * Parses `stun:host[:port][?transport=udp|tcp]`, `stuns:host[:port]`, or a bare `host[:port]` (taken as
 * `stun:`). IPv6 literals are bracketed: `stun:[::1]:3478`. Implements RFC 7064 §3.1 plus the
 * `?transport=` query that browsers accept for `stun:`.
 * @throws ConfigError for any other scheme, a bad port, or an empty host.
 */
export function parseStunUrl(input: string): StunUrl {
  const m =
    /^(?:(stuns?):)?(?:\/\/)?(\[[0-9a-fA-F:.]+\]|[^:?/[\]]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(
      input.trim(),
    );
  if (!m)
    throw new ConfigError(`not a STUN URL: "${input}" (expected stun:host[:port] or stuns:host[:port])`);
  const scheme = (m[1] ?? 'stun') as StunUrl['scheme'];
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const port =
    m[3] === undefined ? (scheme === 'stuns' ? DEFAULT_STUNS_PORT : DEFAULT_STUN_PORT) : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`bad port in "${input}"`);
  if (scheme === 'stuns' && m[4] !== undefined)
    throw new ConfigError(`stuns: takes no ?transport= ("${input}")`);
  const transport: Transport = scheme === 'stuns' ? 'tls' : m[4] === 'tcp' ? 'tcp' : 'udp';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}:${hostPart}:${port}${transport === 'tcp' ? '?transport=tcp' : ''}`;
  return { url, scheme, host, port, transport };
}
