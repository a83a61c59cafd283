import type { CandidateErrorRow } from '../../report/browser-schema.js';
import { type Family, maskedFamily } from './address.js';
import { parseIceUrl, urlHostFamily } from './ice-url.js';

/**
 * `icecandidateerror` events in plain words. The codes are STUN error codes (RFC 8489 §14.8, RFC 8656 §18)
 * plus 701, which the browser sets itself when the server did not answer or could not be reached (W3C WebRTC
 * §4.8.2, `RTCPeerConnectionIceErrorEvent`).
 */

/** The fields of an `RTCPeerConnectionIceErrorEvent` the page reads. */
export interface IceErrorEventLike {
  url: string;
  errorCode: number;
  errorText: string;
  /**
   * The local address the browser sent from, partly hidden by Chromium (`0.0.0.x`, `[0:0:0:x::x]`); null when
   * the browser never got a socket (Chromium gives null for a TCP/TLS connection that failed).
   */
  address?: string | null;
  port?: number | null;
}

/** What the page knows about the server beyond its URL. */
export interface ErrorContext {
  /**
   * The address families the server has, when known (from an IP literal in the URL they are derived; pass them
   * for a host name whose addresses the page learned otherwise, e.g. from a candidate of the same URL).
   */
  serverFamilies?: readonly Family[];
}

/** `The TURN server turn:… over UDP`, or `the …` inside a sentence. */
function where(url: string, capital = true): string {
  const u = parseIceUrl(url);
  const the = capital ? 'The' : 'the';
  if (!u) return `${the} server ${url}`;
  const kind = u.scheme.startsWith('turn') ? 'TURN' : 'STUN';
  return `${the} ${kind} server ${url} over ${u.transport.toUpperCase()}`;
}

/** Plain words for each known code (RFC 8489 §14.8, RFC 8656 §18). */
const EXPLAIN: Readonly<Record<number, (url: string) => string>> = {
  300: (u) =>
    `${where(u)} redirected the browser to another server (300 Try Alternate), which browsers do not follow.`,
  400: (u) =>
    `${where(u)} rejected the request as malformed (400 Bad Request): a server bug or a mismatched protocol.`,
  401: (u) =>
    `${where(u)} rejected the username or password (401 Unauthorized): wrong credentials, or TURN REST credentials that expired (their username starts with the expiry time) — fetch fresh ones.`,
  403: (u) =>
    `${where(u)} forbids this (403 Forbidden): its policy refuses this user, this client address or this request.`,
  420: (u) =>
    `${where(u)} did not understand a required attribute (420 Unknown Attribute): an incompatible server.`,
  437: (u) =>
    `${where(u)} says an allocation already exists for this connection, or none does (437 Allocation Mismatch): usually a retry after a network change; it matters only if no other attempt worked.`,
  438: (u) =>
    `${where(u)} kept rejecting its nonce as stale (438 Stale Nonce) and the browser gave up: check the server's nonce lifetime and clock.`,
  440: (u) => `${where(u)} cannot relay the requested address family (440 Address Family not Supported).`,
  441: (u) => `${where(u)} says the credentials changed within the allocation (441 Wrong Credentials).`,
  442: (u) =>
    `${where(u)} does not relay over the requested transport (442 Unsupported Transport Protocol): browsers ask for UDP relays.`,
  486: (u) =>
    `${where(u)} refused a new allocation: this user's allocation quota is reached (486 Allocation Quota Reached) — close old calls or raise the quota.`,
  500: (u) => `${where(u)} failed internally (500 Server Error): see the server's logs.`,
  508: (u) =>
    `${where(u)} has no relay ports or capacity left (508 Insufficient Capacity): raise its relay port range or add servers.`,
};

/**
 * `error 701 (STUN binding request timed out)`: an `icecandidateerror`'s code with the browser's text in
 * brackets, its final period dropped; just `error 701` when the browser gave no text (Firefox, and Chromium
 * for some 701s, send an empty `errorText`).
 */
export function errorLabel(errorCode: number, errorText: string): string {
  const text = errorText.trim().replace(/\.$/, '');
  return text === '' ? `error ${errorCode}` : `error ${errorCode} (${text})`;
}

function unreachable(url: string): string {
  const u = parseIceUrl(url);
  const base = `No answer from ${where(url, false)}: the server is down, the address or port is wrong, or this network blocks it`;
  if (u?.transport === 'tls')
    return `${base}; or the TLS handshake failed: is the certificate trusted? a self-signed certificate is refused by browsers (Chromium reports both as 701).`;
  if (u?.transport === 'tcp') return `${base} (the TCP connection could not be made).`;
  return `${base} (no reply to any retransmission).`;
}

/**
 * The report row of one `icecandidateerror` event, with its explanation. A 701 sent from one address family
 * to a server that has only the other (an IPv6 socket against an IPv4 literal, or the reverse) is marked
 * `harmless: true`: the browser tries every local socket, and the one of the server's family is what counts.
 * Chromium hides part of the local address (`0.0.0.x`, `[0:0:0:x::x]`); the family is read from what is
 * left, and the address is kept as the browser gave it (null when empty).
 * @param pathId the path or `call` whose peer connection raised it; @param tMs ms since the run started.
 */
export function explainCandidateError(
  event: IceErrorEventLike,
  pathId: string,
  tMs: number,
  context: ErrorContext = {},
): CandidateErrorRow {
  const address = event.address ? event.address : null;
  const port = typeof event.port === 'number' ? event.port : null;
  const row = {
    pathId,
    tMs,
    url: event.url,
    errorCode: event.errorCode,
    errorText: event.errorText,
    address,
    port,
  };
  if (event.errorCode === 701) {
    const local = maskedFamily(address);
    const literal = urlHostFamily(event.url);
    const families = context.serverFamilies ?? (literal ? [literal] : []);
    if (local && families.length > 0 && !families.includes(local)) {
      const other = families.join('/');
      return {
        ...row,
        harmless: true,
        explanation: `Harmless: the browser also tried ${event.url} from its ${local} address, but the server has only ${other}; the ${other} attempt is the one that counts.`,
      };
    }
    return { ...row, harmless: false, explanation: unreachable(event.url) };
  }
  const known = EXPLAIN[event.errorCode];
  const explanation = known
    ? known(event.url)
    : `${where(event.url)} answered with ${errorLabel(event.errorCode, event.errorText)}, a code ice-doctor does not know (see RFC 8489 §14.8 and RFC 8656 §18).`;
  return { ...row, harmless: false, explanation };
}
