import { type Family, ipFamily as literalFamily, unbracketed } from '../../shared/address-text.js';

/**
 * Address helpers for the report page, on the browser-safe `shared/address-text.ts`. They read the addresses
 * browsers put in candidates and stats: IP literals, mDNS `.local` names (RFC 8839 §5.1 allows a FQDN;
 * browsers use draft-ietf-mmusic-mdns-ice-candidates), and the partly hidden addresses of
 * `icecandidateerror` (`0.0.0.x`, `[0:0:0:x::x]`).
 */

export type { Family } from '../../shared/address-text.js';
export { hostPort } from '../../shared/address-text.js';

/**
 * The family of an IP literal, IPv6 with or without brackets (a zone id `%eth0` allowed), or null for
 * anything else (an mDNS name, a host name, an empty string, `redacted`).
 */
export function ipFamily(address: string): Family | null {
  return literalFamily(unbracketed(address));
}

/**
 * The family of an address as a browser shows it, masked parts included: `0.0.0.x` and `192.168.1.x` are
 * IPv4, `[0:0:0:x::x]` and `2001:db8:x:x::x` are IPv6 (Chromium replaces the host part with `x` in
 * `RTCPeerConnectionIceErrorEvent.address`). Null for an mDNS name, an empty or unknown address.
 */
export function maskedFamily(address: string | null | undefined): Family | null {
  if (!address) return null;
  const exact = ipFamily(address);
  if (exact) return exact;
  const bare = unbracketed(address);
  if (/^(\d{1,3}|x)(\.(\d{1,3}|x)){3}$/.test(bare)) return 'IPv4';
  if (bare.includes(':') && /^[0-9a-fA-Fx:.]+$/.test(bare)) return 'IPv6';
  return null;
}

/** True for an mDNS host name (`<uuid>.local`) that a browser uses instead of its private IP. */
export function isMdnsName(address: string): boolean {
  return /\.local\.?$/i.test(address);
}

/**
 * True for a loopback address: IPv4 127.0.0.0/8 (RFC 1122 §3.2.1.3), IPv6 `::1` (RFC 4291 §2.5.3, with or
 * without brackets) and IPv4-mapped `::ffff:127.x.x.x`; with `names`, also `localhost` and `*.localhost`
 * (RFC 6761 §6.3: always resolved to loopback), as an ICE server URL may name its host. False for anything
 * else, mDNS names included.
 */
export function isLoopback(address: string, names = false): boolean {
  const bare = unbracketed(address).toLowerCase();
  if (names && /(^|\.)localhost\.?$/.test(bare)) return true;
  const family = literalFamily(bare);
  if (family === 'IPv4') return bare.startsWith('127.');
  if (family !== 'IPv6') return false;
  if (/^(0{0,4}:){2,7}0{0,3}1$/.test(bare) || bare === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped !== null && mapped[1]!.startsWith('127.');
}
