import { IceUrlError, iceUrlText, parseIceServerUrl, type Transport } from '../../shared/ice-url.js';

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
 * turn-check's policy on the shared ICE-URL parser (`shared/ice-url.ts`): parses
 * `turn:host[:port][?transport=udp|tcp]` or `turns:host[:port][?transport=tcp]` (RFC 7065 §3.1; default
 * ports 3478 and 5349, RFC 8656 §4). IPv6 literals are bracketed: `turn:[::1]:3478`. No `user@`, no other
 * query parameter. `turns:…?transport=udp` would be DTLS, which ice-doctor does not speak.
 * @throws IceUrlError `not a TURN URL: "…"` for another scheme or grammar, `bad port in "…"`, `unknown
 *   transport "…"`, or `turns:…?transport=udp is DTLS, not supported`.
 */
export function parseTurnUrl(input: string): TurnUrl {
  const parsed = parseIceServerUrl(input);
  if (!parsed.ok && parsed.code === 'port') throw new IceUrlError('port', `bad port in "${input}" (1–65535)`);
  if (!parsed.ok && parsed.code === 'transport') {
    throw new IceUrlError(
      'transport',
      `unknown transport "${parsed.part.toLowerCase()}" in "${input}" (udp or tcp)`,
    );
  }
  const u = parsed.ok ? parsed.url : null;
  if (!u || (u.scheme !== 'turn' && u.scheme !== 'turns') || u.userinfo || u.extraQuery) {
    throw new IceUrlError(
      parsed.ok ? 'scheme' : parsed.code,
      `not a TURN URL: "${input}" (expected turn:host[:port][?transport=udp|tcp] or turns:host[:port])`,
    );
  }
  const { scheme, host, port } = u;
  if (scheme === 'turns') {
    if (u.transport === 'udp')
      throw new IceUrlError('transport', `turns:…?transport=udp is DTLS, not supported ("${input}")`);
    return { scheme, host, port, transports: ['tls'] };
  }
  return { scheme, host, port, transports: u.transport === undefined ? ['udp', 'tcp'] : [u.transport] };
}

/** The single-transport targets of a parsed URL, each with its normalised URL. */
export function turnTargets(u: TurnUrl): TurnTarget[] {
  return u.transports.map((transport) => ({
    url: iceUrlText(u.scheme, u.host, u.port, transport === 'tls' ? undefined : transport),
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    transport,
  }));
}

/**
 * The plan of a `turn-check`: every URL parsed (so a bad one fails before any traffic) and expanded into its
 * single-transport targets, in the order given.
 * @throws IceUrlError for a URL that is not `turn:`/`turns:` (see {@link parseTurnUrl}).
 */
export function parseTurnTargets(urls: readonly string[]): TurnTarget[] {
  return urls.flatMap((u) => turnTargets(parseTurnUrl(u)));
}
