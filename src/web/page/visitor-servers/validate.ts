import type { PathKind } from '../../../report/browser-schema.js';
import { parseIceServerUrl } from '../../../shared/ice-url.js';
import { DEFAULT_REST_TTL_S, DEFAULT_REST_USER, isRestServer, type VisitorServer } from './model.js';

/**
 * The rules a visitor's server entry (model.ts) must follow before the page hands it to `RTCPeerConnection`,
 * each broken rule a message naming the server and the field: the URL by the shared ICE-URL grammar
 * (shared/ice-url.ts, RFC 7064 §3.1 / RFC 7065 §3.1) plus what browsers take (no `stuns:`, no `user@`, only
 * `?transport=udp|tcp` on `turn:`), and the credential rules of W3C WebRTC §4.2.4 (a `turn:`/`turns:` URL
 * needs a username and a credential — here a static pair or a shared secret to mint one; a `stun:` URL
 * takes none).
 */

/** The fields of an entry, as the form names them. */
export type VisitorField = 'urls' | 'username' | 'credential' | 'secret' | 'user';

/** What the form calls each field in messages. */
export const FIELD_LABELS: Readonly<Record<VisitorField, string>> = {
  urls: 'URL',
  username: 'username',
  credential: 'credential',
  secret: 'shared secret',
  user: 'REST user',
};

/** One broken rule: which server (1-based, as the form numbers them), which field, and why. */
export interface VisitorProblem {
  server: number;
  field: VisitorField;
  /** `Server 2, URL: port 0 is outside 1–65535`. */
  message: string;
}

/** How the page authenticates to a checked server. */
export type VisitorAuth =
  | { kind: 'none' }
  | { kind: 'static'; username: string; credential: string }
  | { kind: 'rest'; secret: string; user: string; ttlS: number };

/** An entry that follows every rule: its path kind, its URL (trimmed) and its credentials. */
export interface CheckedServer {
  /** 1-based position in the list. */
  server: number;
  kind: PathKind;
  url: string;
  auth: VisitorAuth;
}

/** The result of {@link checkVisitorServers}: the good entries and the problems of the others. */
export interface VisitorCheck {
  servers: CheckedServer[];
  problems: VisitorProblem[];
}

/** Why a URL is not one the page can test, or its path kind. */
function urlKind(url: string): { kind: PathKind } | { why: string } {
  if (url === '') return { why: 'empty: type a stun:, turn: or turns: URL' };
  const parsed = parseIceServerUrl(url);
  if (!parsed.ok) return { why: `${parsed.message} (${url})` };
  const u = parsed.url;
  if (u.scheme === 'stuns')
    return { why: 'browsers do not support stuns: (STUN over TLS); use stun: or turns:' };
  if (u.userinfo) return { why: 'a user@ part is not allowed in the URL: put the username in its own field' };
  if (u.extraQuery) return { why: 'the only query parameter allowed is ?transport=udp or ?transport=tcp' };
  if (u.scheme === 'stun')
    return u.transport === undefined
      ? { kind: 'stun' }
      : { why: 'a stun: URL takes no ?transport= (browsers ask STUN servers over UDP only)' };
  if (u.scheme === 'turns')
    return u.transport === 'udp'
      ? { why: 'turns: runs over TLS on TCP: ?transport=udp is not possible' }
      : { kind: 'turns' };
  return { kind: u.transport === 'tcp' ? 'turn-tcp' : 'turn-udp' };
}

/**
 * Checks one entry (position `server`, 1-based).
 * @returns the checked server, or the problems (one per broken rule; at least one).
 */
export function checkVisitorServer(entry: VisitorServer, server: number): CheckedServer | VisitorProblem[] {
  const problems: VisitorProblem[] = [];
  const fail = (field: VisitorField, why: string): void => {
    problems.push({ server, field, message: `Server ${server}, ${FIELD_LABELS[field]}: ${why}` });
  };
  const url = entry.urls.trim();
  const kind = urlKind(url);
  if ('why' in kind) {
    fail('urls', kind.why);
    return problems;
  }
  const turn = kind.kind !== 'stun';
  let auth: VisitorAuth = { kind: 'none' };
  if (isRestServer(entry)) {
    if (!turn) fail('secret', 'only a TURN server takes a shared secret; remove it for a stun: URL');
    else if (entry.secret === '') fail('secret', 'empty: paste the TURN server’s static-auth-secret');
    else if (entry.user?.includes(':'))
      fail('user', 'must not contain ":" (the minted username is <expiry>:<user>)');
    else
      auth = {
        kind: 'rest',
        secret: entry.secret,
        user: entry.user?.trim() || DEFAULT_REST_USER,
        ttlS: entry.ttlS ?? DEFAULT_REST_TTL_S,
      };
  } else {
    const username = entry.username ?? '';
    const credential = entry.credential ?? '';
    if (!turn) {
      if (username !== '') fail('username', 'a stun: server takes no username; leave it empty');
      if (credential !== '') fail('credential', 'a stun: server takes no credential; leave it empty');
    } else {
      if (username === '') fail('username', 'a TURN server needs one (or use a shared secret)');
      if (credential === '') fail('credential', 'a TURN server needs one (or use a shared secret)');
      auth = { kind: 'static', username, credential };
    }
  }
  return problems.length > 0 ? problems : { server, kind: kind.kind, url, auth };
}

/** Checks every entry of a list ({@link checkVisitorServer}), keeping the list's order. */
export function checkVisitorServers(entries: readonly VisitorServer[]): VisitorCheck {
  const out: VisitorCheck = { servers: [], problems: [] };
  entries.forEach((entry, i) => {
    const checked = checkVisitorServer(entry, i + 1);
    if (Array.isArray(checked)) out.problems.push(...checked);
    else out.servers.push(checked);
  });
  return out;
}
