import dgram from 'node:dgram';
import net from 'node:net';
import type { TransportAddress } from '../../src/wire/address.js';
import { StreamFramer } from '../../src/wire/framing.js';
import { decodeMessage, type StunMessage } from '../../src/wire/message.js';

/** A datagram received by a test client: its bytes and where it came from. */
export interface Received {
  bytes: Buffer;
  from: TransportAddress;
}

/** A UDP socket on loopback that queues what it receives. */
export interface UdpClient {
  port: number;
  send(bytes: Buffer, to: TransportAddress): void;
  /** The next datagram, or null when none arrives within `timeoutMs`. */
  next(timeoutMs?: number): Promise<Received | null>;
  close(): Promise<void>;
}

export async function udpClient(address = '127.0.0.1'): Promise<UdpClient> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const queue: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  socket.on('message', (bytes, rinfo) => {
    const r: Received = {
      bytes,
      from: { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4' },
    };
    const w = waiters.shift();
    if (w) w(r);
    else queue.push(r);
  });
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return {
    port: socket.address().port,
    send: (bytes, to) => socket.send(bytes, to.port, to.address),
    next(timeoutMs = 1000) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const w = (r: Received): void => {
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          resolve(null);
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export { bindingRequest } from '../../src/client/nat-probe/requests.js';

/** A TCP connection that collects STUN frames and knows when it was closed. */
export interface TcpClient {
  socket: net.Socket;
  /** The next frame decoded, or null when none arrives within `timeoutMs`. */
  next(timeoutMs?: number): Promise<StunMessage | null>;
  closed: Promise<void>;
}

export async function tcpClient(to: TransportAddress): Promise<TcpClient> {
  const socket = net.connect({ host: to.address, port: to.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const framer = new StreamFramer();
  const queue: StunMessage[] = [];
  const waiters: ((m: StunMessage) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) {
      const m = decodeMessage(Buffer.from(f.bytes));
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    closed,
    next(timeoutMs = 1000) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const w = (m: StunMessage): void => {
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          resolve(null);
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
