import { BlockList, isIP } from 'node:net';
import type { ProxyUse } from '../../report/proxy-schema.js';
import type { TransportAddress } from '../../wire/address.js';

/** An HTTP proxy that tunnels TCP with CONNECT (RFC 9110 §9.3.6). */
export interface HttpProxy {
  host: string;
  port: number;
  /** `http://host:port`: what reports and text show, never with the credentials. */
  url: string;
  /** The `Proxy-Authorization` header value (`Basic …`, RFC 7617) when the URL had user:password, else null. */
  authorization: string | null;
}

/**
 * Where TCP/TLS connections go: the proxy, where it came from (`--proxy` or an environment variable), and
 * the `NO_PROXY` entries of hosts reached directly.
 */
export interface ProxyRoute {
  proxy: HttpProxy;
  source: 'flag' | 'env';
  /** The environment variable it came from (`HTTPS_PROXY`, `https_proxy`), or null for the flag. */
  variable: string | null;
  /** `NO_PROXY` entries: host names (suffix match), IP addresses, CIDR blocks, `*`; each maybe with `:port`. */
  noProxy: readonly string[];
}

/** A proxy URL that is not `http://[user:password@]host[:port]`; `message` says what is wrong. */
export class ProxyUrlError extends Error {
  override readonly name = 'ProxyUrlError';
}

/** The accepted form of a proxy URL, for error messages. */
export const PROXY_URL_FORM = 'http://host:port or http://user:password@host:port';

/**
 * Parses a proxy URL: `http://[user:password@]host[:port]` (port 80 when omitted, WHATWG URL); the
 * credentials become a Basic `Proxy-Authorization` value and are dropped from `url`.
 * @throws ProxyUrlError for another scheme (`https://`, `socks5://`), a path, query or fragment, or no host.
 */
export function parseProxyUrl(text: string): HttpProxy {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ProxyUrlError(`'${redact(text)}' is not a URL; use ${PROXY_URL_FORM}`);
  }
  if (u.protocol !== 'http:') {
    throw new ProxyUrlError(
      `'${u.protocol}' proxies are not supported, only HTTP proxies that tunnel with CONNECT; use ${PROXY_URL_FORM}`,
    );
  }
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || !u.hostname) {
    throw new ProxyUrlError(`'${redact(text)}' has more than a host and port; use ${PROXY_URL_FORM}`);
  }
  const port = u.port === '' ? 80 : Number(u.port);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const authorization =
    u.username || u.password
      ? `Basic ${Buffer.from(`${decoded(u.username, text)}:${decoded(u.password, text)}`).toString('base64')}`
      : null;
  return { host, port, url: `http://${u.host}`, authorization };
}

/**
 * A percent-encoded user name or password of the proxy URL `text`, decoded.
 * @throws ProxyUrlError when it holds a `%` not followed by two hex digits (`100%`), with the URL redacted.
 */
function decoded(part: string, text: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ProxyUrlError(
      `the user name or password in '${redact(text)}' has a '%' not followed by two hex digits: write % as %25`,
    );
  }
}

/**
 * `text` with everything after the scheme up to its LAST `@` replaced by `***`, so error messages never show a
 * password, even one holding `/`, `@` or `:`.
 */
function redact(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/*)?.*@/i, '$1***@');
}

/** The first set variable of `names` in `env` (empty values count as unset), with its name. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return null;
}

/**
 * The proxy the environment names, as curl reads it: `https_proxy`, then `HTTPS_PROXY`; `no_proxy`, then
 * `NO_PROXY` (comma-separated). Null when neither proxy variable is set.
 * @throws ProxyUrlError when the variable is not an HTTP proxy URL (its message names the variable).
 */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxyRoute | null {
  const set = firstSet(env, ['https_proxy', 'HTTPS_PROXY']);
  if (!set) return null;
  let proxy: HttpProxy;
  try {
    proxy = parseProxyUrl(set.value);
  } catch (err) {
    throw new ProxyUrlError(`${set.name}: ${(err as Error).message}`);
  }
  return { proxy, source: 'env', variable: set.name, noProxy: noProxyFromEnv(env) };
}

/** The `no_proxy` / `NO_PROXY` entries of `env`, trimmed, lower-case, empty ones dropped. */
export function noProxyFromEnv(env: NodeJS.ProcessEnv): string[] {
  const set = firstSet(env, ['no_proxy', 'NO_PROXY']);
  return (set?.value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/** An entry split into its host part (brackets and a leading dot removed) and its port, if it names one. */
function splitEntry(entry: string): { host: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : null };
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  if (hostPort) return { host: hostPort[1]!.replace(/^\./, ''), port: Number(hostPort[2]) };
  return { host: entry.replace(/^\./, ''), port: null };
}

/** Whether an IP `address` is in `block` (`10.0.0.0/8`, `fd00::/8`). */
function inCidr(address: string, block: string): boolean {
  const [net, bits] = block.split('/');
  const type = isIP(net!) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(net!) === 0 || isIP(address) !== isIP(net!)) return false;
  const list = new BlockList();
  list.addSubnet(net!, Number(bits), type);
  return list.check(address, type);
}

/**
 * Whether `NO_PROXY` says to reach `host` (the URL's host name or IP literal) at `to` directly: `*`; an
 * entry equal to the host or a domain it is under (`example.org` and `.example.org` both match
 * `turn.example.org`); an IP address equal to the host or to the address connected to; a CIDR block holding
 * either. An entry with `:port` matches that port only.
 */
export function bypassesProxy(
  noProxy: readonly string[],
  host: string | undefined,
  to: TransportAddress,
): boolean {
  const name = (host ?? to.address).toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    const e = splitEntry(entry);
    if (e.port !== null && e.port !== to.port) return false;
    if (e.host.includes('/')) return inCidr(name, e.host) || inCidr(to.address, e.host);
    if (isIP(e.host)) return e.host === name || e.host === to.address;
    return name === e.host || name.endsWith(`.${e.host}`);
  });
}

/** The proxy for a connection to `to` (named `host` in its URL), or null when there is none or NO_PROXY skips it. */
export function proxyFor(
  route: ProxyRoute | undefined,
  host: string | undefined,
  to: TransportAddress,
): HttpProxy | null {
  if (!route || bypassesProxy(route.noProxy, host, to)) return null;
  return route.proxy;
}

/** Whether a check of `target` at `server` goes through the proxy: TCP/TLS, a proxy set, NO_PROXY not skipping it. */
export function viaProxy(
  target: { transport: 'udp' | 'tcp' | 'tls'; host: string },
  server: TransportAddress,
  route: ProxyRoute | undefined,
): boolean {
  return target.transport !== 'udp' && proxyFor(route, target.host, server) !== null;
}

/** The report's `proxy` block of a route (`proxy-schema.ts`): the URL without credentials and its source. */
export function proxyUse(route: ProxyRoute): ProxyUse {
  return {
    url: route.proxy.url,
    source: route.source,
    ...(route.variable ? { variable: route.variable } : {}),
    ...(route.noProxy.length > 0 ? { noProxy: [...route.noProxy] } : {}),
  };
}
