import { createSocket } from 'node:dgram';
import type { TransportAddress } from '../../wire/address.js';

/** The kernel's answer for one destination: the local source address, or why there is no route. */
export type RouteAnswer = { address: string } | { error: string };

/**
 * Asks the kernel for a route to `to` without sending anything: a UDP socket of `to`'s family is
 * connected (`connect(2)` on a datagram socket only picks the route and the source address) and closed. A host without IPv6 answers at once with `EAFNOSUPPORT` (no IPv6 stack), `ENETUNREACH` (no
 * route) or `EADDRNOTAVAIL` (no usable source address), so a family the host cannot use costs no waiting.
 * @returns the local address the kernel would send from, or the socket error's code (`ENETUNREACH` …).
 */
export async function routeToward(to: TransportAddress): Promise<RouteAnswer> {
  let socket: ReturnType<typeof createSocket>;
  try {
    socket = createSocket(to.family === 'IPv6' ? 'udp6' : 'udp4');
  } catch (err) {
    return { error: codeOf(err) };
  }
  try {
    return await new Promise<RouteAnswer>((resolve) => {
      socket.once('error', (err) => resolve({ error: codeOf(err) }));
      socket.connect(to.port, to.address, (err?: Error) => {
        if (err) resolve({ error: codeOf(err) });
        else resolve({ address: socket.address().address });
      });
    });
  } finally {
    socket.close();
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(err);
}
