import { BlockList } from 'node:net';

/** Where an IP address can be reached from: only this host, a private network, or the Internet. */
export type AddressScope = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'public';

const RANGES: ReadonlyArray<[AddressScope, 'ipv4' | 'ipv6', string, number]> = [
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  // RFC 1918, RFC 6598 (carrier-grade NAT), RFC 4193 (unique local).
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['private', 'ipv4', '100.64.0.0', 10],
  ['private', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
];

const LISTS: ReadonlyMap<AddressScope, BlockList> = (() => {
  const lists = new Map<AddressScope, BlockList>();
  for (const [scope, type, net, prefix] of RANGES) {
    const list = lists.get(scope) ?? new BlockList();
    list.addSubnet(net, prefix, type);
    lists.set(scope, list);
  }
  return lists;
})();

/**
 * The scope of an IP literal: loopback (127/8, ::1), private (RFC 1918, RFC 6598 100.64/10, RFC 4193
 * fc00::/7), link-local (169.254/16, fe80::/10), unspecified (0/8, ::), else public. IPv4-mapped IPv6
 * addresses are judged by their IPv4 part.
 */
export function addressScope(ip: string): AddressScope {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  const type = address.includes(':') ? 'ipv6' : 'ipv4';
  for (const [scope, list] of LISTS) if (list.check(address, type)) return scope;
  return 'public';
}
