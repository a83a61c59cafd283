import { IceUrlError, iceUrlText, parseIceServerUrl, type Transport } from '../../shared/ice-url.js';

/** A parsed `stun:`/`stuns:` URL (RFC 7064 §3.1): the probe's view of one server. */
export interface StunUrl {
  /** The URL as the user would write it, normalised (`stun:host:port` or with `?transport=tcp`). */
  url: string;
  scheme: 'stun' | 'stuns';
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
  transport: Transport;
}

/**
 * The probe's policy on the shared ICE-URL parser (`shared/ice-url.ts`): parses
 * `stun:host[:port][?transport=udp|tcp]`, `stuns:host[:port]`, or a bare `host[:port]` (taken as `stun:`).
 * IPv6 literals are bracketed: `stun:[::1]:3478`. Implements RFC 7064 §3.1 plus the `?transport=` query
 * that browsers accept for `stun:`; no `user@`, no other query parameter.
 * @throws IceUrlError `not a STUN URL: "…"` for another scheme or anything but that grammar, `bad port in
 *   "…" (1–65535)`, or `stuns: takes no ?transport=` (RFC 7064 has none; TLS is the transport).
 */
export function parseStunUrl(input: string): StunUrl {
  const first = parseIceServerUrl(input);
  const parsed = !first.ok && first.code === 'scheme' ? parseIceServerUrl(`stun:${input.trim()}`) : first;
  if (!parsed.ok && parsed.code === 'port') throw new IceUrlError('port', `bad port in "${input}" (1–65535)`);
  const u = parsed.ok ? parsed.url : null;
  if (!u || (u.scheme !== 'stun' && u.scheme !== 'stuns') || u.userinfo || u.extraQuery) {
    throw new IceUrlError(
      parsed.ok ? 'scheme' : parsed.code,
      `not a STUN URL: "${input}" (expected stun:host[:port] or stuns:host[:port])`,
    );
  }
  if (u.secure && u.transport !== undefined)
    throw new IceUrlError('transport', `stuns: takes no ?transport= ("${input}")`);
  const transport: Transport = u.secure ? 'tls' : (u.transport ?? 'udp');
  const url = iceUrlText(u.scheme, u.host, u.port, transport === 'tcp' ? 'tcp' : undefined);
  return { url, scheme: u.scheme, host: u.host, port: u.port, transport };
}
