import { decodeClassicMessage } from '../../../src/wire/classic.js';
import { HEADER_BYTES, MAGIC_COOKIE, StunClass } from '../../../src/wire/constants.js';
import { decodeMessage, getErrorCode, getUnknownAttributes } from '../../../src/wire/message.js';

/**
 * What the server must answer to one fuzzed message, by its transaction ID (header bytes 8–19):
 * - `none`: nothing (a message RFC 8489 §6.3 says to discard: not STUN, not a request, bad FINGERPRINT);
 * - `error`: an error response with this code, and, for 420, exactly these UNKNOWN-ATTRIBUTES (§14.9);
 * - `success`: a success response;
 * - `answered`: some response (a signed request reaching a TURN handler must never go unanswered);
 * - `any`: not judged (random bytes whose meaning the generator does not work out).
 */
export type Expect =
  | { kind: 'none' }
  | { kind: 'error'; code: number; unknown?: readonly number[] }
  | { kind: 'success' }
  | { kind: 'answered' }
  | { kind: 'any' };

/** One fuzzed input and what must come back. */
export interface Probe {
  bytes: Buffer;
  expect: Expect;
}

/** The key replies are matched by: the transaction ID (header bytes 8–19) in hex. */
export function replyKey(bytes: Buffer): string {
  return bytes.subarray(8, HEADER_BYTES).toString('hex');
}

/**
 * Judges the reply (or its absence) to one probe; an answer without the magic cookie is read as RFC 3489's.
 * @returns `null` when it is what `expect` asks, else a one-line description of what was wrong.
 */
export function judge(expect: Expect, reply: Buffer | undefined): string | null {
  if (expect.kind === 'any') return null;
  if (expect.kind === 'none') return reply ? `answered ${reply.length} bytes, expected nothing` : null;
  if (!reply) return `no answer, expected ${expect.kind === 'error' ? expect.code : expect.kind}`;
  let cls: number;
  let code: number | undefined;
  let unknown: number[];
  try {
    const m =
      reply.readUInt32BE(4) === MAGIC_COOKIE ? decodeMessage(reply) : decodeClassicMessage(reply).message;
    cls = m.cls;
    code = getErrorCode(m)?.code;
    unknown = getUnknownAttributes(m);
  } catch (err) {
    return `undecodable answer: ${(err as Error).message}`;
  }
  if (expect.kind === 'answered')
    return cls === StunClass.successResponse || cls === StunClass.errorResponse ? null : `class ${cls}`;
  if (expect.kind === 'success')
    return cls === StunClass.successResponse ? null : `answered ${code}, expected success`;
  if (cls !== StunClass.errorResponse || code !== expect.code)
    return `answered ${code ?? 'success'}, expected ${expect.code}`;
  if (expect.unknown && unknown.join() !== expect.unknown.join())
    return `UNKNOWN-ATTRIBUTES [${unknown.map(hex)}], expected [${expect.unknown.map(hex)}]`;
  return null;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
