import { isIP } from 'node:net';
import { ConfigError } from '../../errors.js';
import { hostOf, type ListenPorts } from './security-headers.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);
/** The names a browser on the machine uses for a loopback listener. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
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

function isLoopback(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

/**
 * The Host header values a report server answers (the defence against DNS rebinding: a page on a name the
 * attacker rebinds to this server's address sends that name as Host, while the Origin check alone accepts
 * it, since the Origin names it too). Accepted, compared as {@link canonicalHost}:
 * - a `publicHosts` name, on any port (a reverse proxy may publish the page on its own port);
 * - on a bound HTTP or HTTPS port, or with no port (the scheme's default, as behind a proxy): the listen
 *   address; `localhost`, `127.0.0.1` and `[::1]` when it is loopback or a wildcard; and when it is a
 *   wildcard (`0.0.0.0`, `::`: the addresses it serves are unknown), any IP literal (a rebinding attack
 *   needs a name the attacker controls, which an IP literal is not).
 * Anything else (another name, a malformed or missing Host) is refused.
 */
export class ServedHosts {
  private readonly names: Set<string>;
  private readonly publicNames: Set<string>;
  private readonly anyIp: boolean;

  /**
   * @param listenHost the IP literal the report server listens on (a wildcard allowed).
   * @param publicHosts names (or IP literals) the page is reached by, as {@link canonicalHost} accepts them.
   * @param ports the bound ports, read per request.
   * @throws ConfigError when a public host is not a host name or IP literal.
   */
  constructor(
    listenHost: string,
    publicHosts: readonly string[],
    private readonly ports: () => ListenPorts,
  ) {
    this.anyIp = WILDCARDS.has(listenHost);
    const own = this.anyIp ? [] : [canonicalHost(listenHost) ?? listenHost];
    const loopback = this.anyIp || isLoopback(listenHost) ? LOOPBACK_NAMES : [];
    this.names = new Set([...own, ...loopback]);
    this.publicNames = new Set(
      publicHosts.map((h) => {
        const canonical = canonicalHost(h);
        if (canonical === null) throw new ConfigError(`public host '${h}' is not a host name or IP address`);
        return canonical;
      }),
    );
  }

  /** Whether a request with this Host header (RFC 9110 §7.2) is for this server. */
  allows(hostHeader: string | undefined): boolean {
    const host = hostOf(hostHeader);
    const canonical = host === null ? null : canonicalHost(host);
    if (canonical === null) return false;
    if (this.publicNames.has(canonical)) return true;
    const port = /:(\d{1,5})$/.exec(hostHeader!.slice(host!.length))?.[1];
    const { http, https } = this.ports();
    if (port !== undefined && Number(port) !== http && Number(port) !== https) return false;
    return this.names.has(canonical) || (this.anyIp && (isIP(canonical) === 4 || canonical.startsWith('[')));
  }
}
