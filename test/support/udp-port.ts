import { createSocket } from 'node:dgram';

/**
 * Whether UDP port `port` on 127.0.0.1 can be bound right now (no socket of any process holds it): how
 * tests see that a server freed its relay sockets.
 */
export function udpBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
