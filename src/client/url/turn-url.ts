import { ConfigError } from '../../errors.js';
import { formatAddress, type Transport } from '../../wire/address.js';
import { DEFAULT_STUN_PORT, DEFAULT_STUNS_PORT, parseHostPort } from './stun-url.js';

/** A parsed `turn:`/`turns:` URL (RFC 7065 §3). */
export interface TurnUrl {
  scheme: 'turn' | 'turns';
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
  /**
   * The transports the URL names, in check order: `turn:` without `?transport=` means UDP and TCP,
   * `?transport=udp|tcp` narrows it; `turns:` is TLS over TCP.
   */
  transports: Transport[];
}

/** One URL over one transport: what a single check runs against. */
export interface TurnTarget {
  /** Normalised per transport: `turn:host:port?transport=udp`, `turn:host:port?transport=tcp`, `turns:host:port`. */
  url: string;
  scheme: 'turn' | 'turns';
  host: string;
  port: number;
  transport: Transport;
}

/**
 * Parses `turn:host[:port][?transport=udp|tcp]` or `turns:host[:port][?transport=tcp]` (RFC 7065 §3.1;
 * default ports 3478 and 5349, RFC 8656 §4). IPv6 literals are bracketed: `turn:[::1]:3478`.
 * `turns:…?transport=udp` would be DTLS, which ice-doctor does not speak.
 * @throws ConfigError for another scheme, a missing or bad host or port, or an unsupported transport.
 */
export function parseTurnUrl(input: string): TurnUrl {
  const m = /^(turns?):(?:\/\/)?([^?@]*)(?:\?transport=([a-z]+))?$/i.exec(input.trim());
  const scheme = (m?.[1]?.toLowerCase() ?? 'turn') as TurnUrl['scheme'];
  const at = m && parseHostPort(m[2]!, scheme === 'turns' ? DEFAULT_STUNS_PORT : DEFAULT_STUN_PORT, input);
  if (!m || !at) {
    throw new ConfigError(
      `not a TURN URL: "${input}" (expected turn:host[:port][?transport=udp|tcp] or turns:host[:port])`,
    );
  }
  const { host, port } = at;
  const transport = m[3]?.toLowerCase();
  if (transport !== undefined && transport !== 'udp' && transport !== 'tcp')
    throw new ConfigError(`unknown transport "${transport}" in "${input}" (udp or tcp)`);
  if (scheme === 'turns') {
    if (transport === 'udp')
      throw new ConfigError(`turns:…?transport=udp is DTLS, not supported ("${input}")`);
    return { scheme, host, port, transports: ['tls'] };
  }
  return { scheme, host, port, transports: transport === undefined ? ['udp', 'tcp'] : [transport] };
}

/** The single-transport targets of a parsed URL, each with its normalised URL. */
export function turnTargets(u: TurnUrl): TurnTarget[] {
  const hostPort = formatAddress({ address: u.host, port: u.port });
  return u.transports.map((transport) => ({
    url: `${u.scheme}:${hostPort}${transport === 'tls' ? '' : `?transport=${transport}`}`,
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    transport,
  }));
}

/**
 * The plan of a `turn-check`: every URL parsed (so a bad one fails before any traffic) and expanded into its
 * single-transport targets, in the order given.
 * @throws ConfigError for a URL that is not `turn:`/`turns:` (see {@link parseTurnUrl}).
 */
export function parseTurnTargets(urls: readonly string[]): TurnTarget[] {
  return urls.flatMap((u) => turnTargets(parseTurnUrl(u)));
}
