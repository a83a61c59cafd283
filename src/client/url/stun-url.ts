import { ConfigError } from '../../errors.js';
import { formatAddress, type Transport } from '../../wire/address.js';

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
 * Reads the `host[:port]` part of a STUN or TURN URL (RFC 7064 §3.1, RFC 7065 §3.1): a host name or IP
 * literal, IPv6 bracketed (`[::1]:3478`), then an optional port.
 * @param defaultPort the scheme's port when none is given.
 * @param input the whole URL, for the error message.
 * @returns the host (IPv6 without brackets) and port, or null when `text` is not `host[:port]`.
 * @throws ConfigError when the port is outside 1–65535.
 */
export function parseHostPort(
  text: string,
  defaultPort: number,
  input: string,
): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:?/[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) return null;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`bad port in "${input}" (1–65535)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Parses `stun:host[:port][?transport=udp|tcp]`, `stuns:host[:port]`, or a bare `host[:port]` (taken as
 * `stun:`). IPv6 literals are bracketed: `stun:[::1]:3478`. Implements RFC 7064 §3.1 plus the
 * `?transport=` query that browsers accept for `stun:`.
 * @throws ConfigError for any other scheme, a bad port, or an empty host.
 */
export function parseStunUrl(input: string): StunUrl {
  const m = /^(?:(stuns?):)?(?:\/\/)?([^?]*)(?:\?transport=(udp|tcp))?$/.exec(input.trim());
  const scheme = (m?.[1] ?? 'stun') as StunUrl['scheme'];
  const at = m && parseHostPort(m[2]!, scheme === 'stuns' ? DEFAULT_STUNS_PORT : DEFAULT_STUN_PORT, input);
  if (!m || !at)
    throw new ConfigError(`not a STUN URL: "${input}" (expected stun:host[:port] or stuns:host[:port])`);
  if (scheme === 'stuns' && m[3] !== undefined)
    throw new ConfigError(`stuns: takes no ?transport= ("${input}")`);
  const transport: Transport = scheme === 'stuns' ? 'tls' : m[3] === 'tcp' ? 'tcp' : 'udp';
  const url = `${scheme}:${formatAddress({ address: at.host, port: at.port })}${transport === 'tcp' ? '?transport=tcp' : ''}`;
  return { url, scheme, host: at.host, port: at.port, transport };
}
