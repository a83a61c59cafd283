const MAPPED_PREFIX = '::ffff:';

/**
 * The key a client IP is limited under: an IPv4 address as is (also when it arrives IPv4-mapped,
 * `::ffff:192.0.2.1`, from a dual-stack socket), an IPv6 address as its /64 prefix (`2001:db8:0:7::/64`),
 * since one subscriber usually holds a whole /64 (RFC 6177) and could otherwise rotate addresses freely.
 * Text that is not an IP address is its own key.
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const lower = ip.toLowerCase();
  if (lower.startsWith(MAPPED_PREFIX) && lower.includes('.')) return lower.slice(MAPPED_PREFIX.length);
  const zone = lower.indexOf('%');
  const text = zone < 0 ? lower : lower.slice(0, zone);
  const gap = text.indexOf('::');
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = split(gap < 0 ? text : text.slice(0, gap));
  const tail = gap < 0 ? [] : split(text.slice(gap + 2));
  const tailGroups = tail.length + (tail.at(-1)?.includes('.') ? 1 : 0);
  const groups = [...head, ...Array<string>(Math.max(0, 8 - head.length - tailGroups)).fill('0'), ...tail];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16));
  if (prefix.length < 4 || prefix.some((g) => !(g >= 0 && g <= 0xffff))) return ip;
  return `${prefix.map((g) => g.toString(16)).join(':')}::/64`;
}
