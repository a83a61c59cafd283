import { randomBytes, timingSafeEqual } from 'node:crypto';
import { restPassword, restUsernameExpiry } from '../../wire/rest-credentials.js';
import { ipBytes, ipv6Text } from '../../wire/xor-address.js';

/**
 * The scope of the report page's TURN credentials. `GET /api/ice-servers` hands TURN REST credentials
 * (draft-uberti-behave-turn-rest-00, user part `page-<random>`) to anyone who loads the page, so they
 * must not make the bundled server an open relay: an allocation made with one may give permissions
 * (CreatePermission, ChannelBind, RFC 8656 §9, §12) only toward
 * - a relayed transport address of this server (the page's path proofs relay between its own allocations;
 *   the TURN engine checks that), and
 * - the addresses the report server saw the page's signaling room-mates at (the two-peer test: the remote
 *   address of the other member's signaling WebSocket, which is its srflx address behind the usual NAT;
 *   the other member's relayed address is one of this server's). Candidates carried in signaling are
 *   not trusted: a member writes them, so they would let it name any peer;
 * - the report server's outside-peer responder (src/web/server/outside-peer.ts), IP and port exactly: the
 *   page's "reachable from outside the TURN host" proof relays to it. A Send to another port of that IP
 *   is dropped (relay/inbound.ts), as for this server's own relay IP.
 * A page binds its credential to its room by sending it with `create`/`join` (signaling-schema.ts); the
 * binding lasts while that signaling socket is in the room.
 */

/** A signaling room member a page credential is bound to. */
export interface ScopeMember {
  /** The canonical IPs of the member's room-mates now (see {@link canonicalIp}); empty outside a room. */
  roomMates(): Iterable<string>;
}

/** What the signaling hub does with a {@link PageScope}: bind and unbind credentials of its members. */
export interface ScopeBinder {
  /**
   * Binds the page credential `username`/`credential` to `member` when this scope minted it and it has
   * not expired; anything else (another server's credential, a forgery) is ignored.
   * @returns whether it was bound.
   */
  claim(username: string, credential: string, member: ScopeMember, nowMs?: number): boolean;
  /** Unbinds every credential of `member` (it left its room or closed). */
  release(member: ScopeMember): void;
}

/** What the TURN engine asks a {@link PageScope}. */
export interface ScopeCheck {
  /** True when `ip` (canonical) is an address of a room-mate of a member `username` is bound to. */
  allows(username: string, ip: string): boolean;
}

/** Bytes of the per-process secret the page's credentials are minted from (crypto random, never shown). */
export const PAGE_SECRET_BYTES = 32;
/** Members one credential may be bound to at once (a page that runs the two-peer test again); oldest dropped. */
export const MAX_MEMBERS_PER_CREDENTIAL = 4;
/** Shape of a username the report page's minting gives out (`ice-config.ts`): `<expiry>:page-<id>`. */
const PAGE_USERNAME = /^\d{1,12}:page-[A-Za-z0-9_-]{1,64}$/;

/**
 * The canonical text of an IP literal, as XOR-PEER-ADDRESS decoding writes it: IPv4 dotted, IPv6 in the
 * WHATWG URL serialisation; an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack listener
 * reports for an IPv4 client) as its IPv4 address. `null` when `ip` is not an IP literal.
 */
export function canonicalIp(ip: string): string | null {
  const bytes = ipBytes(ip);
  if (bytes === null) return null;
  if (bytes.length === 4) return [...bytes].join('.');
  const mapped = bytes.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  if (mapped) return [...bytes.subarray(12)].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  return ipv6Text(groups);
}

/**
 * The page credentials' secret and their bindings to signaling room members. Memory is bounded by the
 * hub's limits: a member binds at most the credentials it sends with one message (the schema's maximum),
 * a credential at most {@link MAX_MEMBERS_PER_CREDENTIAL} members.
 */
export class PageScope implements ScopeBinder, ScopeCheck {
  private readonly members = new Map<string, ScopeMember[]>();
  private readonly usernames = new Map<ScopeMember, string[]>();

  /** @param secret the TURN REST secret page credentials are minted from (default: random, {@link PAGE_SECRET_BYTES}). */
  constructor(readonly secret: string = randomBytes(PAGE_SECRET_BYTES).toString('base64url')) {}

  claim(username: string, credential: string, member: ScopeMember, nowMs: number = Date.now()): boolean {
    if (!PAGE_USERNAME.test(username)) return false;
    const expiry = restUsernameExpiry(username);
    if (expiry === null || expiry * 1000 <= nowMs) return false;
    const expected = Buffer.from(restPassword(this.secret, username));
    const given = Buffer.from(credential);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const bound = this.members.get(username) ?? [];
    if (!bound.includes(member)) {
      bound.push(member);
      const mine = this.usernames.get(member) ?? [];
      mine.push(username);
      this.usernames.set(member, mine);
    }
    if (bound.length > MAX_MEMBERS_PER_CREDENTIAL) this.unbind(username, bound.shift()!);
    this.members.set(username, bound);
    return true;
  }

  release(member: ScopeMember): void {
    for (const username of this.usernames.get(member) ?? []) {
      const rest = (this.members.get(username) ?? []).filter((m) => m !== member);
      if (rest.length > 0) this.members.set(username, rest);
      else this.members.delete(username);
    }
    this.usernames.delete(member);
  }

  private unbind(username: string, member: ScopeMember): void {
    const rest = (this.usernames.get(member) ?? []).filter((u) => u !== username);
    if (rest.length > 0) this.usernames.set(member, rest);
    else this.usernames.delete(member);
  }

  allows(username: string, ip: string): boolean {
    for (const member of this.members.get(username) ?? [])
      for (const mate of member.roomMates()) if (mate === ip) return true;
    return false;
  }
}
