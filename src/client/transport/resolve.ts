import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type TransportAddress, transportAddress } from '../../wire/address.js';
import type { StunUrl } from '../url/stun-url.js';
import { type HostsTable, hostsFileAddresses } from './hosts-file.js';

const CANNOT_RESOLVE = ': cannot resolve (';

/** Attempts per DNS query (c-ares `tries`); each gets an equal share of the deadline as its `timeout`. */
const DNS_TRIES = 2;

/**
 * Answers from a DNS server that said no (as opposed to staying silent): after them the system resolver
 * (getaddrinfo: search domains, mDNS, other NSS sources) is asked too, within what is left of the deadline.
 */
const DEFINITE_ANSWERS = new Set([
  'ENOTFOUND',
  'ENODATA',
  'ESERVFAIL',
  'EREFUSED',
  'ECONNREFUSED',
  'ENONAME',
]);

/** Why a server could not be resolved, in one line: `<host>: cannot resolve (<cause>)`. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  /**
   * @param host the name that was looked up.
   * @param cause the resolver's code (`ENOTFOUND`, `ENODATA` ...) or the timeout.
   */
  constructor(host: string, cause: string) {
    super(`${host}${CANNOT_RESOLVE}${cause})`);
  }
}

/** True when a report's error text is a {@link ResolveError} message (the server name did not resolve). */
export function isResolveFailure(text: string | undefined): boolean {
  return text?.includes(CANNOT_RESOLVE) ?? false;
}

/** The addresses a resolver found (IPv4 first), or the error code of its answer. */
type Answer = { ips: string[] } | { code: string };

const all = (p: Promise<string[]>): Promise<Answer> =>
  p.then(
    (ips): Answer => (ips.length > 0 ? { ips } : { code: 'ENODATA' }),
    (err: NodeJS.ErrnoException): Answer => ({ code: err.code ?? 'error' }),
  );

/** Once one family's records arrived, how long the other family's are still waited for, in ms. */
const OTHER_FAMILY_GRACE_MS = 250;

/**
 * Asks DNS for A and AAAA in parallel with a cancellable c-ares resolver (the servers of /etc/resolv.conf).
 * With `every` false: the A records as soon as they arrive, else the AAAA ones (the first address is all
 * the caller needs). With `every` true: both families, A records first, each in the order DNS gave them —
 * once one family has answered, the other gets {@link OTHER_FAMILY_GRACE_MS} more (a DNS server that drops
 * AAAA queries does not hold the check up to the deadline). Nothing is left running when it returns: the
 * resolver is cancelled (a getaddrinfo on libuv's thread pool cannot be, and would keep the process alive
 * after the report — issue 11 §3).
 * @returns the addresses, or the error code of the answer (`ENOTFOUND`, `ETIMEOUT`, `ECANCELLED` ...).
 */
async function queryDns(host: string, timeoutMs: number, every: boolean): Promise<Answer> {
  const resolver = new Resolver({ timeout: Math.max(1, Math.ceil(timeoutMs / DNS_TRIES)), tries: DNS_TRIES });
  const timer = setTimeout(() => resolver.cancel(), timeoutMs);
  let grace: NodeJS.Timeout | undefined;
  try {
    const v4 = all(resolver.resolve4(host));
    const v6 = all(resolver.resolve6(host));
    if (!every) {
      const a = await v4;
      if ('ips' in a) return a;
      const aaaa = await v6;
      return 'ips' in aaaa || a.code === 'ENODATA' ? aaaa : a;
    }
    if ('ips' in (await Promise.race([v4, v6])))
      grace = setTimeout(() => resolver.cancel(), OTHER_FAMILY_GRACE_MS);
    const [a, aaaa] = await Promise.all([v4, v6]);
    const ips = [...('ips' in a ? a.ips : []), ...('ips' in aaaa ? aaaa.ips : [])];
    if (ips.length > 0) return { ips };
    return 'code' in a && a.code !== 'ENODATA' ? a : aaaa;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    resolver.cancel();
  }
}

/** getaddrinfo (IPv4 first, every address), bounded by `timeoutMs`: the answer, or its error code / `timeout`. */
async function systemLookup(host: string, timeoutMs: number): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ code: 'timeout' }), timeoutMs);
  });
  const found = lookup(host, { family: 0, order: 'ipv4first', all: true }).then(
    (r): Answer => ({ ips: [...new Set(r.map((a) => a.address))] }),
    (err: NodeJS.ErrnoException): Answer => ({ code: err.code ?? 'error' }),
  );
  try {
    return await Promise.race([found, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves a URL's host to one transport address (IPv4 preferred): the first of {@link resolveServerAll}.
 * @throws ResolveError with a one-line reason (`ENOTFOUND`, timeout) — never hangs past `timeoutMs`.
 */
export async function resolveServer(
  url: Pick<StunUrl, 'host' | 'port'>,
  timeoutMs: number,
): Promise<TransportAddress> {
  return (await resolveServerAll(url, timeoutMs, undefined, false))[0]!;
}

/**
 * Resolves a URL's host to every transport address it names, IPv4 first (a fleet behind one name, issue 15
 * §2), failing fast and leaving nothing running: an IP literal needs no lookup; a name in `hosts` (default
 * /etc/hosts; and `localhost`) is answered from the file; any other name is asked of DNS, A and AAAA in
 * parallel, with a resolver cancelled at `timeoutMs`. When a DNS server answers that the name does not
 * exist, the system resolver (getaddrinfo: search domains, mDNS) gets what is left of `timeoutMs`. Takes any
 * parsed STUN or TURN URL (both have host and port).
 * @param hosts the hosts table to consult before DNS (tests give their own; default /etc/hosts).
 * @param every false when only the first address matters (DNS: the A records as soon as they arrive).
 * @returns at least one address, duplicates removed.
 * @throws ResolveError with a one-line reason (`ENOTFOUND`, timeout) — never hangs past `timeoutMs`.
 */
export async function resolveServerAll(
  url: Pick<StunUrl, 'host' | 'port'>,
  timeoutMs: number,
  hosts?: HostsTable,
  every = true,
): Promise<TransportAddress[]> {
  if (isIP(url.host)) return [transportAddress(url.host, url.port)];
  const fromFile = hostsFileAddresses(url.host, hosts);
  if (fromFile.length > 0) return fromFile.map((ip) => transportAddress(ip, url.port));
  const started = performance.now();
  let answer = await queryDns(url.host, timeoutMs, every);
  const left = timeoutMs - (performance.now() - started);
  if ('code' in answer && DEFINITE_ANSWERS.has(answer.code) && left > 0) {
    const system = await systemLookup(url.host, left);
    if ('ips' in system) answer = system;
  }
  if ('ips' in answer) return [...new Set(answer.ips)].map((ip) => transportAddress(ip, url.port));
  throw new ResolveError(
    url.host,
    answer.code === 'ECANCELLED' || answer.code === 'ETIMEOUT'
      ? `DNS lookup timed out after ${timeoutMs} ms`
      : answer.code,
  );
}
