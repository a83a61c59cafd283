import dgram from 'node:dgram';
import type { TransportAddress } from '../../../src/wire/address.js';
import { Condition } from './condition.js';

/**
 * A UDP peer for relayed traffic (RFC 8656 §2): keeps every datagram the relay sends it until {@link take},
 * and sends datagrams of its own to a relayed address. Bound on a loopback IP (127.0.0.1 unless told).
 */
export class SinkPeer {
  private received: Buffer[] = [];
  private readonly arrived = new Condition();

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (b) => {
      this.received.push(b);
      this.arrived.poke();
    });
  }

  /** Binds a peer on `ip` (a loopback address), any port. */
  static async open(ip = '127.0.0.1'): Promise<SinkPeer> {
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 2 * 1024 * 1024 });
    await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
    return new SinkPeer(socket);
  }

  get address(): TransportAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port, family: 'IPv4' };
  }

  /** The datagrams received since the last call. */
  take(): Buffer[] {
    const r = this.received;
    this.received = [];
    return r;
  }

  /** Resolves `true` once a datagram kept since the last {@link take} matches; `false` after `timeoutMs`. */
  waitFor(match: (b: Buffer) => boolean, timeoutMs = 2_000): Promise<boolean> {
    return this.arrived.wait(() => this.received.some(match), timeoutMs);
  }

  /** Sends one datagram to `to`. */
  send(bytes: Buffer, to: TransportAddress): void {
    this.socket.send(bytes, to.port, to.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
