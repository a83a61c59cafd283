import { connect, type Socket } from 'node:net';
import type { TransportAddress } from '../../../src/wire/address.js';
import { classOf } from '../../../src/wire/constants.js';
import { StreamFramer } from '../../../src/wire/framing.js';
import { Condition } from './condition.js';
import { replyKey } from './expect.js';
import type { FuzzTransport } from './probe-round.js';

/** How long a connection may take to be accepted, in ms. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * One TCP connection that fuzzes the server (RFC 8489 §6.2.2 framing, RFC 8656 §12.5 for ChannelData):
 * writes anything, cuts what the server writes back into frames, keeps STUN responses by transaction ID
 * until {@link takeReplies}, hands every other frame (ChannelData, Data indications) to `onOther`, and tells
 * when the server closed the connection. A reply stream that is not STUN/ChannelData counts in `garbled`.
 */
export class StreamConn implements FuzzTransport {
  /** Frames written so far. */
  written = 0;
  /** Times the server's byte stream could not be framed (should stay 0). */
  garbled = 0;
  /** When the connection closed (`performance.now()`, ms), 0 while open. */
  closedAtMs = 0;
  /** Called with every frame that is not a STUN response. */
  onOther: (frame: Buffer) => void = () => undefined;
  private replies = new Map<string, Buffer>();
  private readonly waiting = new Map<string, (b: Buffer) => void>();
  private readonly framer = new StreamFramer();
  private readonly closing = new Condition();

  private constructor(private readonly socket: Socket) {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAtMs = performance.now();
      this.closing.poke();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.framer.push(chunk)) this.onFrame(f.bytes, f.kind === 'stun');
      } catch {
        this.garbled++;
      }
    });
  }

  /**
   * Connects to `server` from 127.0.0.1.
   * @throws Error when the connection is refused or not accepted within 5 s.
   */
  static async open(server: TransportAddress): Promise<StreamConn> {
    const socket = connect({ port: server.port, host: server.address, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('TCP connect timed out'));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return new StreamConn(socket);
  }

  private onFrame(frame: Buffer, stun: boolean): void {
    if (!stun || classOf(frame.readUInt16BE(0)) < 2) {
      this.onOther(frame);
      return;
    }
    const key = replyKey(frame);
    const w = this.waiting.get(key);
    if (w) {
      this.waiting.delete(key);
      w(frame);
    } else this.replies.set(key, frame);
  }

  /** True once the connection is closed (by either side). */
  get closed(): boolean {
    return this.closedAtMs > 0;
  }

  /** Writes bytes (one frame, part of one, or several); nothing once the connection is closed. */
  send(bytes: Buffer): void {
    this.written++;
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Resolves once the bytes written so far are handed to the kernel (back-pressure). */
  drained(): Promise<void> {
    if (this.socket.writableLength === 0 || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Writes a request and resolves with its response, or `null` after `timeoutMs` or once closed. */
  exchange(bytes: Buffer, timeoutMs = 2_000): Promise<Buffer | null> {
    const key = replyKey(bytes);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const finish = (b: Buffer | null): void => {
        clearTimeout(timer);
        this.waiting.delete(key);
        this.socket.off('close', onClose);
        resolve(b);
      };
      const onClose = (): void => finish(null);
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.waiting.set(key, finish);
      this.socket.once('close', onClose);
      this.send(bytes);
    });
  }

  /** The responses received since the last call (not those {@link exchange} awaited), by transaction ID. */
  takeReplies(): Map<string, Buffer> {
    const r = this.replies;
    this.replies = new Map();
    return r;
  }

  /** Resolves `true` once the connection is closed, `false` after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<boolean> {
    return this.closing.wait(() => this.closed, timeoutMs);
  }

  /** Half-closes (FIN): the server sees the stream end, maybe mid-frame. */
  end(): void {
    this.socket.end();
  }

  /** Closes with a reset (RST): the server sees an error, maybe mid-frame. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  /** Closes at once (FIN, pending writes dropped). */
  destroy(): void {
    this.socket.destroy();
  }
}
