/**
 * IP literals and `host:port` text, browser-safe (no Node `net`): the one implementation behind
 * `wire/address.ts` (Node code) and `web/page/address.ts` (the report page).
 */

/** `IPv4` or `IPv6`: Node's spelling, and the report's `family` of a transport address. */
export type Family = 'IPv4' | 'IPv6';

/** One IPv4 octet in dotted-decimal, 0–255 without a leading zero (as Node's `net.isIPv4`). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** A zone id after `%` (RFC 4007 §11), with the characters Node's `net.isIPv6` allows. */
const ZONE = /^[0-9a-zA-Z.:-]+$/;

/** True for a dotted-decimal IPv4 address (`192.0.2.1`; no leading zeros, no brackets), as `net.isIPv4`. */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** The 16-bit groups one side of `::` spells: hex groups, the last may be an IPv4 address (2 groups). */
function groupCount(side: string): number | null {
  if (side === '') return 0;
  const parts = side.split(':');
  let count = 0;
  for (const [i, part] of parts.entries()) {
    if (HEX_GROUP.test(part)) count += 1;
    else if (i === parts.length - 1 && isIPv4(part)) count += 2;
    else return null;
  }
  return count;
}

/**
 * True for an IPv6 address in the text form of RFC 4291 §2.2 (`2001:db8::1`, `::ffff:192.0.2.1`), an optional
 * zone id after `%` (`fe80::1%eth0`, RFC 4007 §11), no brackets — the same strings as Node's `net.isIPv6`.
 */
export function isIPv6(text: string): boolean {
  const pct = text.indexOf('%');
  if (pct >= 0 && !ZONE.test(text.slice(pct + 1))) return false;
  const address = pct >= 0 ? text.slice(0, pct) : text;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 1) return groupCount(address) === 8;
  const head = groupCount(halves[0]!);
  const tail = groupCount(halves[1]!);
  if (head === null || tail === null) return false;
  // An IPv4 tail belongs at the very end only; `::` stands for at least one zero group.
  if (halves[0]!.includes('.')) return false;
  return head + tail <= 7;
}

/** The family of an IP literal (no brackets), or null for anything else: the strings of Node's `net.isIP`. */
export function ipFamily(text: string): Family | null {
  if (isIPv4(text)) return 'IPv4';
  return isIPv6(text) ? 'IPv6' : null;
}

/** The text inside `[…]` when `text` is bracketed (`[2001:db8::1]` → `2001:db8::1`), else `text` itself. */
export function unbracketed(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

/**
 * `host:port`, a host that holds a colon (an IPv6 literal, possibly with a zone id or masked by a browser)
 * in brackets: `[2001:db8::1]:3478`, `192.0.2.1:3478`, `turn.example.org:5349`. A host already bracketed
 * stays as it is (`URL.hostname` of an IPv6 URL is bracketed).
 * @param port 0–65535, written as given.
 */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
