import type { AttributeSpec } from '../../../src/wire/build.js';
import { Attr, MAGIC_COOKIE, messageType, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { appendFingerprint } from '../../../src/wire/integrity.js';
import type { Expect, Probe } from './expect.js';
import type { SignedTarget } from './gen-integrity.js';
import type { Prng } from './prng.js';
import { attribute, requestType, stunMessage } from './wire.js';

/** Most types a 420 lists (the server's MAX_UNKNOWN_ATTRIBUTES bound on its response size). */
const LISTED_AT_MOST = 16;

/**
 * Comprehension-required types (0x0000–0x7FFF, RFC 8489 §14) that neither the Binding responder nor the
 * TURN engine understands and the decoder does not parse: retired RFC 3489 types (RESPONSE-ADDRESS,
 * SOURCE-ADDRESS, CHANGED-ADDRESS, PASSWORD, REFLECTED-FROM), unassigned low numbers, and 0x0030–0x7FFF.
 */
const LOW_UNKNOWN = [
  0x0000, 0x0002, 0x0004, 0x0005, 0x0007, 0x000b, 0x000e, 0x000f, 0x0010, 0x0011, 0x001f, 0x0021, 0x0023,
  0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
];

function unknownRequiredType(rng: Prng): number {
  return rng.chance(0.3) ? rng.pick(LOW_UNKNOWN) : rng.int(0x0030, 0x7fff);
}

/** Known attributes Binding and TURN both accept anywhere: USERNAME, REALM, SOFTWARE. */
const HARMLESS_KNOWN: readonly number[] = [Attr.USERNAME, Attr.REALM, Attr.SOFTWARE];

/** 1–40 attributes: unknown comprehension-required, unknown optional (0x8030–0xBFFF), harmless known ones. */
function mixedAttributes(rng: Prng): { tlvs: { type: number; value: Buffer }[]; unknown: number[] } {
  const tlvs = Array.from({ length: rng.int(1, 40) }, () => {
    const r = rng.next();
    const type =
      r < 0.5 ? unknownRequiredType(rng) : r < 0.85 ? rng.int(0x8030, 0xbfff) : rng.pick(HARMLESS_KNOWN);
    return { type, value: rng.bytes(rng.int(0, 24)) };
  });
  const unknown: number[] = [];
  for (const t of tlvs) {
    if (
      unknown.length < LISTED_AT_MOST &&
      t.type < 0x8000 &&
      !HARMLESS_KNOWN.includes(t.type) &&
      !unknown.includes(t.type)
    )
      unknown.push(t.type);
  }
  return { tlvs, unknown };
}

/** 420 with exactly `unknown` (RFC 8489 §6.3.1, §14.9), or success when there is none. */
function unknownOr(unknown: number[], success: Expect): Expect {
  return unknown.length > 0 ? { kind: 'error', code: 420, unknown } : success;
}

/** Most distinct types in one "many types" request: as many empty attributes as a 64 KiB datagram holds. */
const MANY_TYPES_AT_MOST = 16_000;

/**
 * A Binding request of 1,000–16,000 empty attributes of distinct unknown types (0x0030 upward): 420 listing
 * the first 16. A decoder that looks each type up one by one spends ~0.1 s of CPU on one such datagram.
 */
function manyDistinctTypes(rng: Prng, tid: Buffer): Probe {
  const n = rng.int(1_000, MANY_TYPES_AT_MOST);
  const body = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) body.writeUInt16BE(0x0030 + i, 4 * i);
  const listed = Array.from({ length: LISTED_AT_MOST }, (_, i) => 0x0030 + i);
  return {
    bytes: stunMessage(requestType(StunMethod.binding), tid, body),
    expect: { kind: 'error', code: 420, unknown: listed },
  };
}

/**
 * Unknown comprehension-required attributes (RFC 8489 §6.3.1, §6.3.2):
 * - Binding request (a valid FINGERPRINT last, half the time): 420 listing them in wire order, each once
 *   (at most 16), or success when the mix drew none; one time in 400, thousands of distinct types
 *   ({@link manyDistinctTypes});
 * - RFC 3489 Binding request (no cookie): 420 with an even count, the last type repeated (RFC 3489 §11.2.10);
 * - unsigned TURN request: 401 (authentication comes before the attribute check, §6.3.1);
 * - signed CreatePermission: 420 with the list;
 * - Binding indication: no answer (§6.3.2: discarded).
 */
export function unknownAttributes(rng: Prng, target: SignedTarget): Probe {
  const tid = rng.bytes(12);
  const { tlvs, unknown } = mixedAttributes(rng);
  const body = Buffer.concat(tlvs.map((t) => attribute(t.type, t.value)));
  const r = rng.next();
  if (r < 0.0025) return manyDistinctTypes(rng, tid);
  if (r < 0.5) {
    const bytes = stunMessage(requestType(StunMethod.binding), tid, body);
    return {
      bytes: rng.chance(0.5) ? appendFingerprint(bytes) : bytes,
      expect: unknownOr(unknown, { kind: 'success' }),
    };
  }
  if (r < 0.6) {
    const bytes = stunMessage(requestType(StunMethod.binding), tid, body, {
      cookie: rng.int(0, MAGIC_COOKIE - 1),
    });
    const even = unknown.length % 2 === 1 ? [...unknown, unknown.at(-1)!] : unknown;
    return { bytes, expect: unknownOr(even, { kind: 'success' }) };
  }
  if (r < 0.7) {
    const method = rng.pick([
      StunMethod.allocate,
      StunMethod.refresh,
      StunMethod.createPermission,
      StunMethod.channelBind,
    ]);
    return { bytes: stunMessage(requestType(method), tid, body), expect: { kind: 'error', code: 401 } };
  }
  if (r < 0.9) {
    const raw: AttributeSpec[] = tlvs.map((t) => ({ type: t.type, raw: t.value }));
    const bytes = target.signer.sign(
      StunMethod.createPermission,
      [{ type: Attr.XOR_PEER_ADDRESS, address: target.peer }, ...raw],
      tid,
    );
    return { bytes, expect: unknownOr(unknown, { kind: 'success' }) };
  }
  const indication = messageType(StunMethod.binding, StunClass.indication);
  return { bytes: stunMessage(indication, tid, body), expect: { kind: 'none' } };
}
