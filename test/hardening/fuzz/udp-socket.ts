import dgram from 'node:dgram';
import type { TransportAddress } from '../../../src/wire/address.js';
import { classOf, HEADER_BYTES } from '../../../src/wire/constants.js';
import { replyKey } from './expect.js';

/** Receive buffer asked for the fuzzing sockets, in bytes (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 2 * 1024 * 1024;

/**
 * A UDP socket on 127.0.0.1 that fuzzes one server address: sends anything, keeps every STUN response by
 * transaction ID until {@link takeReplies}, hands everything else (ChannelData, Data indications) to
 * `onOther`, and can await the response to one request ({@link exchange}).
 */
export class UdpFuzzSocket {
  /** Datagrams sent so far. */
  sent = 0;
  /** Called with every datagram that is not a STUN response. */
  onOther: (bytes: Buffer) => void = () => undefined;
  private replies = new Map<string, Buffer>();
  private readonly waiting = new Map<string, (b: Buffer) => void>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly target: TransportAddress,
  ) {
    socket.on('message', (b) => this.onMessage(b));
  }

  /** Binds a socket on 127.0.0.1 (any port) that talks to `target`. */
  static async open(target: TransportAddress): Promise<UdpFuzzSocket> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECV_BUFFER_BYTES });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new UdpFuzzSocket(socket, target);
  }

  /** The socket's own address: the client side of its 5-tuple. */
  get local(): TransportAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port, family: 'IPv4' };
  }

  private onMessage(b: Buffer): void {
    const isResponse = b.length >= HEADER_BYTES && (b[0]! & 0xc0) === 0 && classOf(b.readUInt16BE(0)) >= 2;
    if (!isResponse) {
      this.onOther(b);
      return;
    }
    const key = replyKey(b);
    const w = this.waiting.get(key);
    if (w) {
      this.waiting.delete(key);
      w(b);
    } else this.replies.set(key, b);
  }

  /** Sends one datagram to the target, or to `port` on the target's address. */
  send(bytes: Buffer, port = this.target.port): void {
    this.sent++;
    this.socket.send(bytes, port, this.target.address);
  }

  /** Sends a request and resolves with its response, or `null` after `timeoutMs`. */
  exchange(bytes: Buffer, timeoutMs = 2_000): Promise<Buffer | null> {
    const key = replyKey(bytes);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(key, (b) => {
        clearTimeout(timer);
        resolve(b);
      });
      this.send(bytes);
    });
  }

  /** The responses received since the last call (not those {@link exchange} awaited), by transaction ID. */
  takeReplies(): Map<string, Buffer> {
    const r = this.replies;
    this.replies = new Map();
    return r;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
