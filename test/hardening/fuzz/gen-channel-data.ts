import { MIN_CHANNEL } from '../../../src/wire/channel-data.js';
import type { Prng } from './prng.js';
import { channelDataBytes } from './wire.js';

/** The channel the fuzz allocations bind to their sink peer (RFC 8656 §12). */
export const BOUND_CHANNEL = MIN_CHANNEL;

/** One ChannelData-shaped input and the datagram the peer must receive for it (`null`: nothing). */
export interface RelayProbe {
  bytes: Buffer;
  relayed: Buffer | null;
}

/** A channel number in 0x0000–0x3FFF or 0x8000–0xFFFF (first bits not 01: not ChannelData), never 0x0001. */
function outsideChannel(rng: Prng): number {
  const n = rng.chance(0.5) ? rng.int(0x0002, 0x3fff) : rng.int(0x8000, 0xffff);
  return rng.chance(0.1) ? 0x0000 : n;
}

/**
 * ChannelData over UDP from a client whose channel 0x4000 is bound (RFC 8656 §12.4–12.6):
 * - valid, 0–1200 bytes: relayed as is;
 * - a length longer than the datagram (by 1 up to 0xFFFF): discarded;
 * - a length shorter than the datagram (1–64 bytes of trailer): the first `length` bytes relayed, the rest
 *   ignored as padding;
 * - an unbound channel (0x4001–0x7FFF): discarded;
 * - a "channel" outside 0x4000–0x7FFF (first bits 00 or 1x, not 0x0001, which could read as an RFC 3489
 *   Binding request): not ChannelData, discarded;
 * - the 4-byte header alone: relayed as an empty datagram when its length is 0, discarded otherwise.
 */
export function udpChannelData(rng: Prng): RelayProbe {
  const r = rng.next();
  const payload = rng.bytes(rng.chance(0.8) ? rng.int(0, 200) : rng.int(201, 1200));
  if (r < 0.15) return { bytes: channelDataBytes(BOUND_CHANNEL, payload), relayed: payload };
  if (r < 0.35) {
    const length = Math.min(0xffff, payload.length + rng.pick([1, 2, 3, 4, rng.int(5, 0xffff)]));
    return { bytes: channelDataBytes(BOUND_CHANNEL, payload, length), relayed: null };
  }
  if (r < 0.55) {
    const length = Math.max(0, payload.length - rng.int(1, 64));
    return { bytes: channelDataBytes(BOUND_CHANNEL, payload, length), relayed: payload.subarray(0, length) };
  }
  if (r < 0.7) return { bytes: channelDataBytes(rng.int(BOUND_CHANNEL + 1, 0x7fff), payload), relayed: null };
  if (r < 0.85) return { bytes: channelDataBytes(outsideChannel(rng), payload), relayed: null };
  const length = rng.chance(0.5) ? 0 : rng.int(1, 0xffff);
  return {
    bytes: channelDataBytes(BOUND_CHANNEL, Buffer.alloc(0), length),
    relayed: length === 0 ? Buffer.alloc(0) : null,
  };
}

/** ChannelData padded to a multiple of 4 bytes, as over TCP (RFC 8656 §12.5). */
export function paddedChannelData(channel: number, payload: Buffer): Buffer {
  const pad = (4 - (payload.length % 4)) % 4;
  return Buffer.concat([channelDataBytes(channel, payload), Buffer.alloc(pad)]);
}

/**
 * Well-framed ChannelData over TCP from a client whose channel 0x4000 is bound (RFC 8656 §12.5): valid
 * (0–1200 bytes, or 8,000–65,507 one time in 50): relayed; an unbound channel (0x4001–0x7FFF): discarded;
 * an empty one: relayed as an empty datagram. The stream stays framed.
 */
export function tcpChannelData(rng: Prng): RelayProbe {
  const r = rng.next();
  if (r < 0.02) {
    const payload = rng.bytes(rng.int(8_000, 65_507));
    return { bytes: paddedChannelData(BOUND_CHANNEL, payload), relayed: payload };
  }
  const payload = rng.bytes(rng.chance(0.8) ? rng.int(0, 200) : rng.int(201, 1200));
  if (r < 0.5) return { bytes: paddedChannelData(BOUND_CHANNEL, payload), relayed: payload };
  if (r < 0.9)
    return { bytes: paddedChannelData(rng.int(BOUND_CHANNEL + 1, 0x7fff), payload), relayed: null };
  return { bytes: paddedChannelData(BOUND_CHANNEL, Buffer.alloc(0)), relayed: Buffer.alloc(0) };
}

/** How a TCP ChannelData stream goes wrong at its end. */
export type ChannelDataTail = 'longer-than-sent' | 'garbage-after-length' | 'unpadded' | 'outside-channel';

/**
 * The malformed end of a TCP ChannelData stream, after which the stream is ended (FIN): a length longer than
 * the bytes that follow (the server holds a partial frame), a length shorter than the bytes that follow
 * (the surplus starts with 0xFF: not STUN nor ChannelData), an unpadded frame followed by more frames (the
 * stream loses its framing), a channel outside 0x4000–0x7FFF. The server must close the connection.
 */
export function channelDataTail(rng: Prng): { kind: ChannelDataTail; bytes: Buffer } {
  const kind = rng.pick<ChannelDataTail>([
    'longer-than-sent',
    'garbage-after-length',
    'unpadded',
    'outside-channel',
  ]);
  const payload = rng.bytes(rng.int(1, 300));
  switch (kind) {
    case 'longer-than-sent':
      return {
        kind,
        bytes: channelDataBytes(
          BOUND_CHANNEL,
          payload,
          Math.min(0xffff, payload.length + rng.int(1, 0xffff)),
        ),
      };
    case 'garbage-after-length': {
      const surplus = Buffer.concat([Buffer.from([0xff]), rng.bytes(rng.int(0, 40))]);
      return {
        kind,
        bytes: Buffer.concat([channelDataBytes(BOUND_CHANNEL, payload, payload.length), surplus]),
      };
    }
    case 'unpadded': {
      const odd = payload.length % 4 === 0 ? payload.subarray(1) : payload;
      const more = Array.from({ length: rng.int(1, 5) }, () =>
        paddedChannelData(BOUND_CHANNEL, rng.bytes(rng.int(1, 50))),
      );
      return { kind, bytes: Buffer.concat([channelDataBytes(BOUND_CHANNEL, odd), ...more]) };
    }
    default:
      return { kind, bytes: paddedChannelData(rng.int(0x8000, 0xffff), payload) };
  }
}
