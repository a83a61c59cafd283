import { HEADER_BYTES } from './constants.js';
import { StunDecodeError } from './errors.js';

/** A frame cut from a TCP/TLS stream: a STUN message or a ChannelData message (RFC 8656 §12.4). */
export interface StreamFrame {
  kind: 'stun' | 'channel-data';
  /** The frame without any trailing ChannelData padding. */
  bytes: Buffer;
}

/**
 * Cuts STUN messages and ChannelData out of a byte stream (RFC 8489 §6.2.2, RFC 8656 §12.5: over TCP a
 * ChannelData message is padded to a multiple of 4 bytes). ChannelData is any frame whose first two bits are
 * 01: channels 0x4000–0x7FFF, RFC 5766's range, which clients such as coturn's still use (RFC 8656 §12
 * narrowed it to 0x4FFF). Holds at most one partial frame.
 */
export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  /**
   * Feeds bytes and returns every complete frame.
   * @throws StunDecodeError when the stream is neither STUN nor ChannelData (the connection must close); frames
   *   completed earlier in the same chunk are dropped with it.
   */
  push(chunk: Buffer): StreamFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: StreamFrame[] = [];
    for (;;) {
      const buf = this.pending;
      if (buf.length < 4) break;
      const top = buf[0]! >> 6;
      let frameBytes: number;
      let consumed: number;
      let kind: StreamFrame['kind'];
      if (top === 0) {
        kind = 'stun';
        frameBytes = HEADER_BYTES + buf.readUInt16BE(2);
        consumed = frameBytes;
      } else if (top === 1) {
        kind = 'channel-data';
        const len = buf.readUInt16BE(2);
        frameBytes = 4 + len;
        consumed = frameBytes + ((4 - (len % 4)) % 4);
      } else {
        throw new StunDecodeError(
          'not-stun',
          'stream carries neither STUN nor ChannelData (channel 0x4000–0x7FFF)',
        );
      }
      if (buf.length < consumed) break;
      frames.push({ kind, bytes: buf.subarray(0, frameBytes) });
      this.pending = buf.subarray(consumed);
    }
    return frames;
  }

  /** Bytes of an incomplete frame held back (a stream that ends with this > 0 stopped mid-frame). */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
