import type { TransportAddress } from '../../../src/wire/address.js';
import { Attr, messageType, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { appendFingerprint } from '../../../src/wire/integrity.js';
import type { Probe } from './expect.js';
import type { Prng } from './prng.js';
import type { Signer } from './signer.js';
import { attribute, requestType, stunMessage } from './wire.js';

/** What the signed variants need: the user's signer and a peer the server allows (CreatePermission). */
export interface SignedTarget {
  signer: Signer;
  peer: TransportAddress;
}

const TURN_REQUESTS = [
  StunMethod.allocate,
  StunMethod.refresh,
  StunMethod.createPermission,
  StunMethod.channelBind,
];

/** 100–600 MESSAGE-INTEGRITY / -SHA256 attributes with random 20- or 32-byte values. */
function integrityCopies(rng: Prng, types: readonly number[]): Buffer[] {
  return Array.from({ length: rng.int(100, 600) }, () => {
    const type = rng.pick(types);
    return attribute(type, rng.bytes(type === Attr.MESSAGE_INTEGRITY ? 20 : 32));
  });
}

/** 100–600 FINGERPRINT attributes with random values. */
function fingerprintCopies(rng: Prng): Buffer[] {
  return Array.from({ length: rng.int(100, 600) }, () => attribute(Attr.FINGERPRINT, rng.bytes(4)));
}

const BOTH_MI = [Attr.MESSAGE_INTEGRITY, Attr.MESSAGE_INTEGRITY_SHA256];

/**
 * 100–600 attributes a request could act on, with values the decoder accepts: unknown comprehension-required
 * types, XOR-PEER-ADDRESS (random IPv4 peers), LIFETIME, CHANNEL-NUMBER, REQUESTED-TRANSPORT, DONT-FRAGMENT
 * (which the TURN engine answers 420 when it counts), MESSAGE-INTEGRITY copies.
 */
function assortedAttributes(rng: Prng): Buffer[] {
  return Array.from({ length: rng.int(100, 600) }, () => {
    const r = rng.next();
    if (r < 0.3) return attribute(rng.int(0x0030, 0x7fff), rng.bytes(rng.int(0, 16)));
    if (r < 0.5) return attribute(Attr.XOR_PEER_ADDRESS, Buffer.concat([Buffer.from([0, 1]), rng.bytes(6)]));
    if (r < 0.6) return attribute(Attr.LIFETIME, Buffer.alloc(4));
    if (r < 0.7) return attribute(Attr.CHANNEL_NUMBER, Buffer.from([0x40, rng.int(0, 255), 0, 0]));
    if (r < 0.8) return attribute(Attr.REQUESTED_TRANSPORT, Buffer.from([rng.int(0, 255), 0, 0, 0]));
    if (r < 0.9) return attribute(Attr.DONT_FRAGMENT, Buffer.alloc(0));
    return attribute(Attr.MESSAGE_INTEGRITY, rng.bytes(20));
  });
}

/**
 * Hundreds of FINGERPRINT / MESSAGE-INTEGRITY(-SHA256) attributes (RFC 8489 §14.5–14.7):
 * - Binding, unsigned, hundreds of MI / MI-SHA256 (a valid FINGERPRINT last, half the time): success, as
 *   Binding needs no authentication and understands (ignores) MESSAGE-INTEGRITY;
 * - Binding with hundreds of FINGERPRINTs (the last one valid, half the time): nothing, the first
 *   FINGERPRINT is not the last attribute (§7.3: discard);
 * - a TURN request with hundreds of MI and no USERNAME: 400 (§9.2.4);
 * - signed CreatePermission, a valid MI then hundreds of attributes it would otherwise act on
 *   ({@link assortedAttributes}), then FINGERPRINT: success, nothing after MESSAGE-INTEGRITY counts (§14.5);
 * - signed CreatePermission, a valid MI then hundreds of MI copies, then FINGERPRINT: success (attributes
 *   after MESSAGE-INTEGRITY are ignored, §14.5); the same with a valid MI-SHA256 followed by MI-SHA256 and
 *   MI copies: success;
 * - signed, a valid MI then hundreds of FINGERPRINTs: nothing.
 */
export function integrityFlood(rng: Prng, target: SignedTarget): Probe {
  const tid = rng.bytes(12);
  const r = rng.next();
  const binding = requestType(StunMethod.binding);
  if (r < 0.3) {
    const bytes = stunMessage(binding, tid, Buffer.concat(integrityCopies(rng, BOTH_MI)));
    return { bytes: rng.chance(0.5) ? appendFingerprint(bytes) : bytes, expect: { kind: 'success' } };
  }
  if (r < 0.5) {
    const bytes = stunMessage(binding, tid, Buffer.concat(fingerprintCopies(rng)));
    return { bytes: rng.chance(0.5) ? appendFingerprint(bytes) : bytes, expect: { kind: 'none' } };
  }
  if (r < 0.6) {
    const type = messageType(rng.pick(TURN_REQUESTS), StunClass.request);
    return {
      bytes: stunMessage(type, tid, Buffer.concat(integrityCopies(rng, BOTH_MI))),
      expect: { kind: 'error', code: 400 },
    };
  }
  const peer = [{ type: Attr.XOR_PEER_ADDRESS, address: target.peer }];
  if (r < 0.7) {
    const bytes = target.signer.signWithTrailer(
      StunMethod.createPermission,
      peer,
      tid,
      assortedAttributes(rng),
    );
    return { bytes, expect: { kind: 'success' } };
  }
  const sha256 = r >= 0.85 && r < 0.95;
  const integrity = sha256 ? 'sha256' : 'sha1';
  if (r >= 0.95) {
    const bytes = target.signer.signWithTrailer(
      StunMethod.createPermission,
      peer,
      tid,
      fingerprintCopies(rng),
      {
        integrity,
        fingerprint: false,
      },
    );
    return { bytes, expect: { kind: 'none' } };
  }
  const copies = integrityCopies(rng, sha256 ? BOTH_MI : [Attr.MESSAGE_INTEGRITY]);
  const bytes = target.signer.signWithTrailer(StunMethod.createPermission, peer, tid, copies, { integrity });
  return { bytes, expect: { kind: 'success' } };
}
