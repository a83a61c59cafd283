import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** Addresses of each name in a hosts file, in file order: name (lower case) → IPs. */
export type HostsTable = Map<string, string[]>;

/**
 * Parses hosts(5) text: `IP name [alias...]` per line, `#` starts a comment; lines whose first field is not
 * an IP are skipped. Names are compared case-insensitively (stored in lower case).
 */
export function parseHosts(text: string): HostsTable {
  const table: HostsTable = new Map();
  for (const line of text.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!ip || isIP(ip) === 0) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      table.set(key, [...(table.get(key) ?? []), ip]);
    }
  }
  return table;
}

let cached: HostsTable | undefined;

/** /etc/hosts, read once per process (an unreadable file counts as empty). */
function systemHosts(): HostsTable {
  if (cached === undefined) {
    try {
      cached = parseHosts(readFileSync('/etc/hosts', 'utf8'));
    } catch {
      cached = new Map();
    }
  }
  return cached;
}

/**
 * Every address of `host` in the hosts file, as getaddrinfo with `hosts: files dns` finds them before
 * asking DNS: IPv4 first, each in file order, without duplicates;
 * `localhost` (and `*.localhost`) without an entry is 127.0.0.1 (RFC 6761 §6.3). Empty when the file does
 * not name it. A trailing dot is ignored.
 */
export function hostsFileAddresses(host: string, table: HostsTable = systemHosts()): string[] {
  const name = host.toLowerCase().replace(/\.$/, '');
  const ips = [...new Set(table.get(name) ?? [])];
  if (ips.length > 0) return [...ips.filter((ip) => isIP(ip) === 4), ...ips.filter((ip) => isIP(ip) === 6)];
  return name === 'localhost' || name.endsWith('.localhost') ? ['127.0.0.1'] : [];
}
