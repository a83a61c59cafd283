import { isIP } from 'node:net';
import { SettingsError } from '../../errors.js';
import { hostOf } from './security-headers.js';

/** A DNS name (RFC 1123 §2.1 labels, 253 characters at most) whose last label is not all digits. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A host as a browser puts it in the Host header (the WHATWG URL host serializer): a DNS name lowercased
 * without a trailing dot, an IPv4 literal dotted-decimal, an IPv6 literal compressed in brackets; null when
 * `text` is none of those (a port, a scheme, a path, a wildcard, an IPv6 zone, a numeric name).
 * @param text a name or IP literal, an IPv6 literal with or without brackets.
 */
export function canonicalHost(text: string): string | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const ip = isIP(bare);
  if (ip === 6) return bare.includes('%') ? null : new URL(`http://[${bare}]/`).hostname;
  if (ip === 4) return bare;
  const name = bare.toLowerCase().replace(/\.$/, '');
  return DNS_NAME.test(name) ? name : null;
}

/**
 * The Host header values a report server answers (the defence against DNS rebinding: a page on a name the
 * attacker rebinds to this server's address sends that name as Host, while the Origin check alone accepts
 * it, since the Origin names it too). Accepted, compared as {@link canonicalHost}:
 * - any IP literal, on any port: a rebinding attack needs a name the attacker controls, and a page whose
 *   Host is an IP literal was loaded from that address itself. This keeps the page working where visitors
 *   reach it by an address it does not listen on (`--external-ip` behind a NAT, a published Docker port);
 * - `localhost`, which a browser resolves only to loopback (RFC 6761 §6.3), never to an attacker's choice;
 * - a `publicHosts` name, on any port (a reverse proxy may publish the page on its own port).
 * Anything else (another name, a malformed or missing Host) is refused. Ports are not compared: none of
 * the above can be rebound, and a proxy or a published container port may differ from the bound one.
 */
export class ServedHosts {
  private readonly publicNames: Set<string>;

  /**
   * @param publicHosts names (or IP literals) the page is reached by, as {@link canonicalHost} accepts them.
   * @throws SettingsError `publicHosts: '…' is not a host name or IP address`.
   */
  constructor(publicHosts: readonly string[]) {
    this.publicNames = new Set(
      publicHosts.map((h) => {
        const canonical = canonicalHost(h);
        if (canonical === null)
          throw new SettingsError('publicHosts', `'${h}' is not a host name or IP address`);
        return canonical;
      }),
    );
  }

  /** Whether a request with this Host header (RFC 9110 §7.2) is for this server. */
  allows(hostHeader: string | undefined): boolean {
    const host = hostOf(hostHeader);
    const canonical = host === null ? null : canonicalHost(host);
    if (canonical === null) return false;
    return (
      canonical === 'localhost' ||
      isIP(canonical) === 4 ||
      canonical.startsWith('[') ||
      this.publicNames.has(canonical)
    );
  }
}
