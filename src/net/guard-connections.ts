import type { Server, Socket } from 'node:net';
import type { ConnectionBudget } from './connection-budget.js';

/** Why a connection was refused, for logs and counters: the limit reached and the client. */
export interface RefusedConnection {
  reason: 'total' | 'per-ip';
  limit: number;
  /** The socket's remote address (undefined when it had already closed). */
  ip: string | undefined;
}

/**
 * Puts every connection `server` accepts (net, tls, http or https: the raw TCP socket, before any TLS
 * handshake or HTTP parsing) under `budget`: the first `connection` listener admits it or destroys it at
 * once, and an admitted connection is released when its socket closes. Listeners added later see a
 * refused socket already destroyed (`socket.destroyed`), and must check that before using it.
 * @param onRefused called for each refused connection, after it was destroyed (never throws into Node).
 */
export function guardConnections(
  server: Server,
  budget: ConnectionBudget,
  onRefused: (refused: RefusedConnection) => void = () => undefined,
): void {
  server.prependListener('connection', (socket: Socket) => {
    const ip = socket.remoteAddress;
    const admission = budget.admit(ip);
    if (admission.ok) {
      socket.once('close', admission.release);
      return;
    }
    socket.destroy();
    try {
      onRefused({ reason: admission.reason, limit: admission.limit, ip });
    } catch {
      // A logging failure must not turn into an uncaught exception in the accept path.
    }
  });
}
