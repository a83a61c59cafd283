import { randomBytes } from 'node:crypto';
import { sameAddress, type TransportAddress } from '../../wire/address.js';
import { buildMessage } from '../../wire/build.js';
import { Attr, StunClass, StunMethod } from '../../wire/constants.js';
import { shortTermKey, verifyFingerprint, verifyIntegrity } from '../../wire/integrity.js';
import { decodeMessage, getString, looksLikeStun, type StunMessage } from '../../wire/message.js';
import type { OutsidePeerOffer } from '../api-schema.js';

/** How long an issued ufrag is answered, in ms: one path's relay proof takes a few seconds. */
export const OUTSIDE_PEER_TTL_MS = 60_000;
/** Sessions alive at once; the oldest is dropped beyond it (the endpoint is rate-limited per client too). */
export const MAX_OUTSIDE_PEER_SESSIONS = 1024;
/** Checks answered per session at most (the first check, retransmissions and consent checks, RFC 7675). */
export const MAX_ANSWERS_PER_SESSION = 64;
/** Distinct source addresses remembered per session. */
export const MAX_SEEN_PER_SESSION = 4;

/** One issued ICE username fragment and what its checks showed. */
interface Session {
  ufrag: string;
  key: Buffer;
  expiresAtMs: number;
  answers: number;
  /** Source addresses of valid checks, first seen first. */
  seen: TransportAddress[];
}

/** Sends one datagram from the responder's socket. */
export type DatagramSend = (bytes: Buffer, to: TransportAddress) => void;

/** A random SDP `a=fingerprint` value: 32 hex pairs. No DTLS is ever done with it (see the class comment). */
function randomFingerprint(): string {
  return (randomBytes(32).toString('hex').toUpperCase().match(/../g) ?? []).join(':');
}

/**
 * The report server as an ICE-lite peer outside the TURN host (RFC 8445 §2.5, §7.3): the page gets an
 * offer ({@link issue}: ufrag, password, the responder's UDP host candidate), points a relay-only peer
 * connection at it through the path's TURN server, and the browser sends ICE connectivity checks from its
 * relayed address. A check is answered — a Binding success response with XOR-MAPPED-ADDRESS (the source
 * seen), MESSAGE-INTEGRITY under the issued password and FINGERPRINT (RFC 8445 §7.3.1.1, RFC 8489 §9.1) —
 * only when it is a Binding request whose USERNAME starts with a ufrag issued here and still alive, whose
 * MESSAGE-INTEGRITY is valid under that ufrag's password and whose FINGERPRINT is valid. Everything else is
 * ignored without a word (no 400/401 either): the responder never sends to an address that did not first
 * send it a valid check, an answer is no larger than the check it answers (no amplification), and each
 * session answers at most {@link MAX_ANSWERS_PER_SESSION}. The pair reaching `succeeded` in the browser
 * proves the relay carries data both ways between the visitor and this socket; DTLS never starts (the
 * fingerprint is random; DTLS packets are ignored) and is not needed for that proof.
 */
export class OutsidePeerResponder {
  private readonly sessions = new Map<string, Session>();
  private readonly fingerprint = randomFingerprint();

  /**
   * @param candidate the responder's address as the page is told it (its host candidate).
   * @param send how an answer leaves (the bound UDP socket).
   */
  constructor(
    readonly candidate: TransportAddress,
    private readonly send: DatagramSend,
  ) {}

  /** A new session: a fresh ufrag (16 hex) and password (32 hex, RFC 8445 §5.3: at least 128 bits). */
  issue(nowMs: number = Date.now()): OutsidePeerOffer {
    this.expire(nowMs);
    if (this.sessions.size >= MAX_OUTSIDE_PEER_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const ufrag = randomBytes(8).toString('hex');
    const pwd = randomBytes(16).toString('hex');
    const expiresAtMs = nowMs + OUTSIDE_PEER_TTL_MS;
    this.sessions.set(ufrag, { ufrag, key: shortTermKey(pwd), expiresAtMs, answers: 0, seen: [] });
    return {
      ufrag,
      pwd,
      fingerprint: this.fingerprint,
      candidate: this.candidate,
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
  }

  /** The source addresses of the valid checks for `ufrag`, or null when it was not issued or expired. */
  seen(ufrag: string, nowMs: number = Date.now()): TransportAddress[] | null {
    const s = this.sessions.get(ufrag);
    return s && s.expiresAtMs > nowMs ? [...s.seen] : null;
  }

  /**
   * Handles one datagram that arrived from `from`.
   * @returns whether it was answered.
   */
  handle(bytes: Buffer, from: TransportAddress, nowMs: number = Date.now()): boolean {
    const check = this.validCheck(bytes, nowMs);
    if (!check) return false;
    const { msg, session } = check;
    if (session.answers >= MAX_ANSWERS_PER_SESSION) return false;
    const answer = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.successResponse,
      transactionId: msg.transactionId,
      attributes: [{ type: Attr.XOR_MAPPED_ADDRESS, address: from }],
      integrityKey: session.key,
      fingerprint: true,
    });
    if (answer.length > bytes.length) return false;
    session.answers++;
    if (session.seen.length < MAX_SEEN_PER_SESSION && !session.seen.some((a) => sameAddress(a, from)))
      session.seen.push({ ...from });
    this.send(answer, from);
    return true;
  }

  /** The check and its session when `bytes` is a valid ICE check for a live issued ufrag, else null. */
  private validCheck(bytes: Buffer, nowMs: number): { msg: StunMessage; session: Session } | null {
    if (!looksLikeStun(bytes)) return null;
    let msg: StunMessage;
    try {
      msg = decodeMessage(bytes);
    } catch {
      return null;
    }
    if (msg.method !== StunMethod.binding || msg.cls !== StunClass.request) return null;
    const username = getString(msg, Attr.USERNAME);
    const colon = username?.indexOf(':') ?? -1;
    if (username === undefined || colon <= 0) return null;
    const session = this.sessions.get(username.slice(0, colon));
    if (!session || session.expiresAtMs <= nowMs) return null;
    if (verifyFingerprint(msg) !== 'valid') return null;
    if (verifyIntegrity(msg, session.key, 'sha1') !== 'valid') return null;
    return { msg, session };
  }

  /** Drops expired sessions (they are in issue order, so the scan stops at the first live one). */
  private expire(nowMs: number): void {
    for (const [ufrag, s] of this.sessions) {
      if (s.expiresAtMs > nowMs) break;
      this.sessions.delete(ufrag);
    }
  }
}
