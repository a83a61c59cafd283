import dgram from 'node:dgram';
import { createServer } from 'node:net';
import type { TransportAddress } from '../../../src/wire/address.js';

/** A UDP socket that only listens: a relay that leaks toward its address would be heard. */
export interface Canary {
  readonly address: TransportAddress;
  /** Datagrams received so far. */
  heard(): number;
  close(): Promise<void>;
}

/**
 * Binds a canary on `ip` (a loopback address: any of 127.0.0.0/8, or ::1), on a port the system picks.
 * @throws Error when the address cannot be bound.
 */
export async function openCanary(ip: string): Promise<Canary> {
  const family = ip.includes(':') ? 'IPv6' : 'IPv4';
  const socket = dgram.createSocket(family === 'IPv6' ? 'udp6' : 'udp4');
  let heard = 0;
  socket.on('message', () => {
    heard++;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, ip, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    address: { address: ip, port: socket.address().port, family },
    heard: () => heard,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a child's `--metrics-port`). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
