import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { SIGNALING_PATH } from './app.js';
import { originAllowed } from './origin-check.js';
import type { ListenPorts } from './security-headers.js';
import type { SignalingHub } from './signaling-hub.js';

/** What the upgrade handler of one listener needs. */
export interface SignalingUpgradeDeps {
  /** A `ws` server in `noServer` mode, shared by both listeners. */
  wss: WebSocketServer;
  hub: SignalingHub;
  /** True for the HTTPS listener. */
  secure: boolean;
  ports: () => ListenPorts;
  /** Whether a Host header names this server (`ServedHosts.allows`). */
  hostAllowed: (hostHeader: string | undefined) => boolean;
  /** Extra allowed origins (serialized, e.g. `https://example.org`). */
  allowedOrigins: ReadonlySet<string>;
  log: Logger;
}

/** Answers an upgrade request with a plain HTTP error and closes the connection (no WebSocket is made). */
function refuse(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The `upgrade` listener of an HTTP(S) server for the signaling WebSocket (RFC 6455 §4.2): only
 * {@link SIGNALING_PATH} is upgraded (other paths: 404); the Host must be one this server serves (else 421:
 * DNS rebinding); the Origin must pass `originAllowed` (else 403,
 * before any WebSocket exists); a hub at `maxSockets` answers 503. The accepted socket goes to the hub.
 * `ws` itself answers a malformed handshake with 400. Never throws.
 */
export function signalingUpgradeHandler(
  deps: SignalingUpgradeDeps,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', (err) => deps.log.debug({ err }, 'signaling upgrade socket error'));
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== SIGNALING_PATH) return refuse(socket, 404, `no WebSocket endpoint at ${path}`);
      if (!deps.hostAllowed(req.headers.host)) return refuse(socket, 421, 'host not served');
      if (
        !originAllowed(req.headers.origin, req.headers.host, deps.secure, deps.ports(), deps.allowedOrigins)
      ) {
        deps.log.info(
          { origin: req.headers.origin, host: req.headers.host },
          'signaling upgrade refused: origin',
        );
        return refuse(socket, 403, 'origin not allowed');
      }
      if (deps.hub.full) return refuse(socket, 503, 'too many signaling connections; try again later');
      deps.wss.handleUpgrade(req, socket, head, (ws) => deps.hub.accept(ws, req.socket.remoteAddress));
    } catch (err) {
      deps.log.error({ err }, 'signaling upgrade failed');
      socket.destroy();
    }
  };
}
