/**
 * Which peers a TURN allocation may reach: the server's defence against being used as a proxy into
 * networks the client could not otherwise reach (SSRF; RFC 8656 §21.3 and the rest of its security
 * considerations). A decision is made per peer IP (CreatePermission, ChannelBind, Send), so it has to
 * be cheap: every range is parsed once into 32-bit words, and a lookup parses the address into a
 * reused buffer and walks the ranges.
 */
import { SettingsError } from '../../errors.js';

/**
 * Options of {@link createPeerPolicy}.
 * - `allow`: CIDRs (`10.0.0.0/8`, `fd00::/8`) or single IPs that are allowed even when a default or
 *   `deny` range covers them: how an operator opens an internal network to the relay.
 * - `deny`: further CIDRs or IPs to deny, on top of {@link DEFAULT_DENIED_RANGES}.
 */
export interface PeerPolicyOptions {
  allow?: readonly string[];
  deny?: readonly string[];
}

/** The verdict on one peer address. */
export interface PeerDecision {
  allowed: boolean;
  /**
   * The range that decided, e.g. `'loopback 127.0.0.0/8'`, `'allow-list 127.0.0.0/8'`,
   * `'deny-list 198.51.100.7/32'`; `'not in a denied range'` for an allowed public address and
   * `'not an IP address'` for text that is not an IP literal.
   */
  rule: string;
}

/**
 * Decides one peer IP literal (IPv4 dotted quad, or IPv6 in any textual form: compressed, uppercase,
 * with an embedded dotted IPv4, with a `%zone` suffix). Never throws. The returned objects are frozen
 * and shared between calls.
 */
export type PeerPolicy = (address: string) => PeerDecision;

/**
 * Ranges a relay must not reach unless allowed: the IPv4 and IPv6 special-purpose blocks that are not
 * globally reachable (IANA special-purpose address registries, RFC 6890 and its updates), plus
 * multicast, the deprecated IPv6 site-local block, and all of IPv6 outside global unicast 2000::/3
 * (RFC 4291 §2.4: unassigned or reserved, e.g. IPv4-translated `::ffff:0:0:0/96`).
 *
 * IPv4-mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/96`) and 6to4 (`2002::/16`)
 * addresses are not listed: they are decided by the IPv4 address they embed, so `::ffff:127.0.0.1` is
 * denied as loopback and `2002:808:808::1` is allowed as 8.8.8.8. The rest of `64:ff9b:1::/48`, where
 * the translator's layout cannot be known, is denied. Where ranges nest, the more specific comes first,
 * so it names the decision.
 */
export const DEFAULT_DENIED_RANGES: readonly { cidr: string; name: string }[] = Object.freeze([
  { cidr: '0.0.0.0/8', name: 'this network' },
  { cidr: '10.0.0.0/8', name: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', name: 'shared address space (CGN)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.169.254/32', name: 'cloud metadata service' },
  { cidr: '169.254.0.0/16', name: 'link-local' },
  { cidr: '172.16.0.0/12', name: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', name: 'deprecated 6to4 relay anycast' },
  { cidr: '192.168.0.0/16', name: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '255.255.255.255/32', name: 'limited broadcast' },
  { cidr: '240.0.0.0/4', name: 'reserved' },
  { cidr: '::/128', name: 'unspecified' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '::/96', name: 'IPv4-compatible (deprecated)' },
  { cidr: '64:ff9b:1::/48', name: 'local-use NAT64 (prefix layout unknown)' },
  { cidr: '100::/64', name: 'discard-only' },
  { cidr: '2001::/32', name: 'Teredo' },
  { cidr: '2001::/23', name: 'IETF protocol assignments' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: '3fff::/20', name: 'documentation' },
  { cidr: '5f00::/16', name: 'segment routing (SRv6) SIDs' },
  { cidr: 'fc00::/7', name: 'unique local' },
  { cidr: 'fe80::/10', name: 'link-local' },
  { cidr: 'fec0::/10', name: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', name: 'multicast' },
  { cidr: '::/3', name: 'not global unicast' },
  { cidr: '4000::/2', name: 'not global unicast' },
  { cidr: '8000::/1', name: 'not global unicast' },
]);

/** IPv6 ranges that carry an IPv4 address, which decides: the 32 low bits, or bits 16–47 for 6to4. */
const EMBEDDING_RANGES: readonly { cidr: string; embedded: 'low32' | '6to4' }[] = [
  { cidr: '::ffff:0:0/96', embedded: 'low32' }, // IPv4-mapped (RFC 4291 §2.5.5.2)
  { cidr: '64:ff9b::/96', embedded: 'low32' }, // NAT64 well-known prefix (RFC 6052 §2.1)
  // Local-use NAT64 (RFC 8215). The translator's prefix length is unknown; in this /96 every RFC 6052
  // layout puts the IPv4 address in the low 32 bits or yields 0.0.0.0/8, so the low 32 bits decide.
  { cidr: '64:ff9b:1::/96', embedded: 'low32' },
  { cidr: '2002::/16', embedded: '6to4' }, // 6to4 (RFC 3056 §2)
];

const NOT_AN_IP: PeerDecision = Object.freeze({ allowed: false, rule: 'not an IP address' });
const NOT_DENIED: PeerDecision = Object.freeze({ allowed: true, rule: 'not in a denied range' });

/** A parsed range: network and mask as signed 32-bit words (one for IPv4, four for IPv6). */
interface Range {
  net: Int32Array;
  mask: Int32Array;
}

/** A range that decides the addresses in it. */
interface DecidingRange extends Range {
  decision: PeerDecision;
}

/** A range whose addresses are decided by the IPv4 address they embed. */
interface EmbeddingRange extends Range {
  embedded: 'low32' | '6to4';
}

/** Ranges of one source (allow-list, deny-list, defaults), split by family. */
interface RangeSet {
  v4: DecidingRange[];
  v6: DecidingRange[];
}

const COLON = 0x3a;
const DOT = 0x2e;

/** Scratch space of {@link parseIp}: lookups are synchronous, so one buffer serves every call. */
const words = new Int32Array(4);
const groups = new Uint16Array(8);

/**
 * Parses a dotted-quad IPv4 address in `s[start, end)`: four decimal octets 0–255 without leading
 * zeros (so `010.0.0.1` is refused rather than guessed as octal).
 * @returns the address as an unsigned 32-bit number, or -1.
 */
function parseIPv4(s: string, start: number, end: number): number {
  let value = 0;
  let i = start;
  for (let octets = 1; ; octets++) {
    const first = i;
    let octet = 0;
    while (i < end && i - first < 4) {
      const digit = s.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      i++;
    }
    const length = i - first;
    if (length === 0 || length > 3 || octet > 255 || (length > 1 && s.charCodeAt(first) === 0x30)) return -1;
    value = value * 256 + octet;
    if (octets === 4) return i === end ? value : -1;
    if (i === end || s.charCodeAt(i) !== DOT) return -1;
    i++;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Parses an IPv6 address in `s[0, end)` (RFC 4291 §2.2: eight groups, one `::`, an optional trailing
 * dotted IPv4) into {@link words}.
 * @returns false when the text is not an IPv6 address.
 */
function parseIPv6(s: string, end: number): boolean {
  let n = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    if (n === 8) return false;
    const first = i;
    let value = 0;
    while (i < end && i - first < 5) {
      const digit = hexDigit(s.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      i++;
    }
    if (i < end && s.charCodeAt(i) === DOT) {
      const v4 = n <= 6 ? parseIPv4(s, first, end) : -1;
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      break;
    }
    if (i === first || i - first > 4) return false;
    groups[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const zeros = gap < 0 ? 0 : 8 - n;
  for (let j = 0; j < 8; j++) {
    const group = gap < 0 || j < gap ? groups[j]! : j < gap + zeros ? 0 : groups[j - zeros]!;
    words[j >> 1] = j % 2 === 0 ? group << 16 : words[j >> 1]! | group;
  }
  return true;
}

/**
 * Parses an IP literal into {@link words}: IPv4 in `words[0]`, IPv6 in `words[0..3]`. An IPv6 zone id
 * (`%eth0`) is ignored.
 * @returns 4, 6, or 0 when the text is not an IP address.
 */
function parseIp(s: string): 0 | 4 | 6 {
  if (s.indexOf(':') < 0) {
    const v4 = parseIPv4(s, 0, s.length);
    if (v4 < 0) return 0;
    words[0] = v4;
    return 4;
  }
  const zone = s.indexOf('%');
  if (zone === 0 || zone === s.length - 1) return 0;
  return parseIPv6(s, zone < 0 ? s.length : zone) ? 6 : 0;
}

function matches(range: Range): boolean {
  const { net, mask } = range;
  for (let k = 0; k < net.length; k++) {
    if ((words[k]! & mask[k]!) !== net[k]) return false;
  }
  return true;
}

function firstMatch<R extends Range>(ranges: readonly R[]): R | undefined {
  for (const range of ranges) if (matches(range)) return range;
  return undefined;
}

/**
 * Parses `cidr` (an IP, or IP/prefix-length) into a range.
 * @param source how errors name the value: the settings field, e.g. `'allowPeers'`.
 * @throws SettingsError `"allowPeers: '10.0.0.0/33' is not a CIDR"`, or one naming host bits set
 *   (`10.0.0.1/8`), which would most likely be a typo.
 */
function parseRange(cidr: string, source: string): Range {
  const slash = cidr.indexOf('/');
  const ip = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = ip.includes('%') ? 0 : parseIp(ip);
  const bits = family === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(bits) : cidr.slice(slash + 1);
  const length = /^(0|[1-9]\d{0,2})$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (family === 0 || !(length <= bits)) throw new SettingsError(source, `'${cidr}' is not a CIDR`);
  const count = bits / 32;
  const net = new Int32Array(count);
  const mask = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const wordBits = Math.min(32, Math.max(0, length - 32 * k));
    mask[k] = wordBits === 0 ? 0 : -1 << (32 - wordBits);
    net[k] = words[k]! & mask[k]!;
    if (net[k] !== words[k]) {
      throw new SettingsError(source, `'${cidr}' has host bits set after the first ${length} bits`);
    }
  }
  return { net, mask };
}

function rangeSet(entries: readonly { cidr: string; source: string; decision: PeerDecision }[]): RangeSet {
  const set: RangeSet = { v4: [], v6: [] };
  for (const { cidr, source, decision } of entries) {
    const range = { ...parseRange(cidr, source), decision };
    (range.net.length === 1 ? set.v4 : set.v6).push(range);
  }
  return set;
}

/** The entries of the allow-list or the deny-list, each deciding as `allow-list CIDR` / `deny-list CIDR`. */
function listed(
  cidrs: readonly string[] | undefined,
  source: string,
  allowed: boolean,
): { cidr: string; source: string; decision: PeerDecision }[] {
  return (cidrs ?? []).map((given) => {
    const cidr = given.trim();
    const list = allowed ? 'allow-list' : 'deny-list';
    return { cidr, source, decision: Object.freeze({ allowed, rule: `${list} ${cidr}` }) };
  });
}

const DEFAULTS = rangeSet(
  DEFAULT_DENIED_RANGES.map(({ cidr, name }) => ({
    cidr,
    source: 'DEFAULT_DENIED_RANGES',
    decision: Object.freeze({ allowed: false, rule: `${name} ${cidr}` }),
  })),
);

const EMBEDDING: readonly EmbeddingRange[] = EMBEDDING_RANGES.map(({ cidr, embedded }) => ({
  ...parseRange(cidr, 'EMBEDDING_RANGES'),
  embedded,
}));

/**
 * Builds the peer policy of a TURN server: which peer addresses CreatePermission, ChannelBind and Send
 * may name (RFC 8656 §21.3; a refused peer gets 403 Forbidden). For an IPv4 peer, in order: the
 * allow-list, the deny-list, {@link DEFAULT_DENIED_RANGES}; what none of them covers is allowed. For an
 * IPv6 peer the IPv6 entries of the allow-list and deny-list come first; then an IPv4-mapped, NAT64 or
 * 6to4 address is decided exactly as its embedded IPv4 address (same decision object); then the IPv6
 * defaults. So the allow-list wins over every deny: `allow: ['127.0.0.0/8', '::1/128']` lets an
 * embedded test server relay to loopback peers.
 * @param opts allow and deny CIDRs, v4 or v6; a single IP means /32 or /128.
 * @returns a {@link PeerPolicy}; a lookup costs O(number of ranges) and allocates nothing.
 * @throws SettingsError naming the field and the value, e.g. `"allowPeers: '10.0.0.0/33' is not a CIDR"`
 *   (`denyPeers` for `deny`; the CLI says it under `--allow-peer`/`--deny-peer`).
 */
export function createPeerPolicy(opts: PeerPolicyOptions = {}): PeerPolicy {
  const allow = rangeSet(listed(opts.allow, 'allowPeers', true));
  const deny = rangeSet(listed(opts.deny, 'denyPeers', false));
  const decideV4 = (): PeerDecision =>
    (firstMatch(allow.v4) ?? firstMatch(deny.v4) ?? firstMatch(DEFAULTS.v4))?.decision ?? NOT_DENIED;
  return (address) => {
    const family = parseIp(address);
    if (family === 4) return decideV4();
    if (family === 0) return NOT_AN_IP;
    const explicit = firstMatch(allow.v6) ?? firstMatch(deny.v6);
    if (explicit) return explicit.decision;
    const embedding = firstMatch(EMBEDDING);
    if (embedding) {
      words[0] = embedding.embedded === 'low32' ? words[3]! : (words[0]! << 16) | (words[1]! >>> 16);
      return decideV4();
    }
    return firstMatch(DEFAULTS.v6)?.decision ?? NOT_DENIED;
  };
}
