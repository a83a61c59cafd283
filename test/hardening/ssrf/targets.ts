import { isIPv4 } from 'node:net';
import { seededRandom } from '../../../lab/seeded-random.js';
import { DEFAULT_DENIED_RANGES } from '../../../src/server/turn/peer-policy.js';
import type { Family } from '../../../src/wire/address.js';

/** One peer address the scan names, with the range it was picked from (for failure messages). */
export interface ScanTarget {
  address: string;
  family: Family;
  /** e.g. `loopback 127.0.0.0/8: first host`, `IPv4-mapped ::ffff:169.254.169.254`. */
  origin: string;
}

/**
 * Addresses that are denied whatever the range list says, named the way an attacker would try them: the
 * unspecified addresses, cloud metadata services (AWS/GCP/Azure 169.254.169.254, AWS's IPv6 fd00:ec2::254),
 * limited broadcast, well-known multicast groups (all hosts, mDNS, SSDP; IPv6 all nodes, all routers,
 * all DHCP servers), IPv6 loopback and link-local.
 */
export const NOTABLE_DENIED: readonly string[] = [
  '0.0.0.0',
  '169.254.169.254',
  '255.255.255.255',
  '224.0.0.1',
  '224.0.0.251',
  '239.255.255.250',
  '::',
  '::1',
  'fd00:ec2::254',
  'fe80::1',
  'ff02::1',
  'ff02::2',
  'ff05::1:3',
];

function v4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function v4Number(text: string): number {
  return text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function v6Number(text: string): bigint {
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function v6Text(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * What a range scanner picks in a CIDR: the network address, the first host, the middle, the last
 * address (the broadcast address of an IPv4 subnet), and `extra` more spread pseudo-randomly over it.
 * @returns `[address, label]` pairs without duplicates.
 */
export function pickInRange(cidr: string, extra = 0, seed = 1): [string, string][] {
  const [ip = '', lengthText = ''] = cidr.split('/');
  const length = Number(lengthText);
  const out = new Map<string, string>();
  const random = seededRandom(seed);
  if (isIPv4(ip)) {
    const size = 2 ** (32 - length);
    const net = v4Number(ip);
    const offsets: [number, string][] = [
      [0, 'network'],
      [1, 'first host'],
      [Math.floor(size / 2), 'middle'],
      [size - 1, 'last'],
    ];
    for (let i = 0; i < extra; i++) offsets.push([Math.floor(random() * size), 'random']);
    for (const [offset, label] of offsets)
      if (offset < size && !out.has(v4Text(net + offset))) out.set(v4Text(net + offset), label);
  } else {
    const hostBits = BigInt(128 - length);
    const size = 1n << hostBits;
    const net = v6Number(ip);
    const offsets: [bigint, string][] = [
      [0n, 'network'],
      [1n, 'first host'],
      [size / 2n, 'middle'],
      [size - 1n, 'last'],
    ];
    for (let i = 0; i < extra; i++) {
      let r = 0n;
      for (let w = 0; w < 4; w++) r = (r << 32n) | BigInt(Math.floor(random() * 2 ** 32));
      offsets.push([r % size, 'random']);
    }
    for (const [offset, label] of offsets)
      if (offset < size && !out.has(v6Text(net + offset))) out.set(v6Text(net + offset), label);
  }
  return [...out];
}

/**
 * The IPv6 forms that carry an IPv4 address, which the policy must decide as that IPv4 address:
 * IPv4-mapped (RFC 4291 §2.5.5.2), NAT64 well-known and local-use prefixes (RFC 6052, RFC 8215), 6to4
 * (RFC 3056), and the deprecated IPv4-compatible form (denied as `::/96`).
 */
export function embeddings(v4: string): [string, string][] {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  const hex = (x: number, y: number): string => ((x << 8) | y).toString(16);
  return [
    [v6Text(v6Number(`::ffff:${hex(a, b)}:${hex(c, d)}`)), 'IPv4-mapped'],
    [v6Text(v6Number(`64:ff9b::${hex(a, b)}:${hex(c, d)}`)), 'NAT64'],
    [v6Text(v6Number(`64:ff9b:1::${hex(a, b)}:${hex(c, d)}`)), 'local-use NAT64'],
    [v6Text(v6Number(`2002:${hex(a, b)}:${hex(c, d)}::1`)), '6to4'],
    [v6Text(v6Number(`::${hex(a, b)}:${hex(c, d)}`)), 'IPv4-compatible'],
  ];
}

/**
 * Every peer address of the scan: {@link pickInRange} over each of {@link DEFAULT_DENIED_RANGES}, the
 * {@link NOTABLE_DENIED} ones and `more` (e.g. the server's own address), and each IPv4 one again in its
 * IPv6 {@link embeddings}. `exclude` names the addresses the server under test allows (its
 * `--allow-peer`); they are left out, with their embeddings.
 */
export function scanTargets(opts: {
  extraPerRange: number;
  exclude?: ReadonlySet<string>;
  more?: readonly string[];
}): ScanTarget[] {
  const exclude = opts.exclude ?? new Set<string>();
  const picked = new Map<string, string>();
  DEFAULT_DENIED_RANGES.forEach(({ cidr, name }, i) => {
    for (const [address, label] of pickInRange(cidr, opts.extraPerRange, i + 1))
      if (!picked.has(address)) picked.set(address, `${name} ${cidr}: ${label}`);
  });
  for (const address of [...NOTABLE_DENIED, ...(opts.more ?? [])])
    if (!picked.has(address)) picked.set(address, 'named target');
  const out = new Map<string, ScanTarget>();
  const add = (address: string, family: Family, origin: string): void => {
    if (!exclude.has(address) && !out.has(address)) out.set(address, { address, family, origin });
  };
  for (const [address, origin] of picked) add(address, isIPv4(address) ? 'IPv4' : 'IPv6', origin);
  for (const [address, origin] of picked)
    if (isIPv4(address) && !exclude.has(address))
      for (const [form, label] of embeddings(address)) add(form, 'IPv6', `${label} ${address} (${origin})`);
  return [...out.values()];
}
