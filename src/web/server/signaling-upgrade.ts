import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { RefusalLog } from '../../net/refusal-log.js';
import { logText } from '../../shared/log-text.js';
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
  /**
   * Where refused upgrades are counted and logged (one per client per minute at warn level, each at debug);
   * share one between the listeners. Default: one of this handler's own.
   */
  refusals?: RefusalLog;
}

/** The summary line of refused signaling upgrades (see {@link RefusalLog}). */
export const UPGRADE_REFUSED_MESSAGE = 'signaling upgrades refused';

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
 * DNS rebinding); the Origin must pass `originAllowed` (else 403);
 * a hub at `maxSockets` answers 503, a client at `maxSocketsPerIp` 429 (`SignalingHub.admit`); all of
 * them before any WebSocket exists. The accepted socket goes to the hub. `ws` itself answers a malformed
 * handshake with 400. Each refusal goes to `refusals` with the path, Origin and Host truncated and
 * escaped (`logText`): at debug level each, at warn level a count per client per minute. Never throws.
 */
export function signalingUpgradeHandler(
  deps: SignalingUpgradeDeps,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const refusals = deps.refusals ?? new RefusalLog(deps.log, UPGRADE_REFUSED_MESSAGE);
  return (req, socket, head) => {
    socket.on('error', (err) => deps.log.debug({ err }, 'signaling upgrade socket error'));
    const remote = req.socket.remoteAddress;
    const refused = (status: number, reason: string, answer: string): void => {
      refusals.refused(remote, {
        status,
        reason,
        path: logText(req.url),
        origin: logText(req.headers.origin),
        host: logText(req.headers.host),
      });
      refuse(socket, status, answer);
    };
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== SIGNALING_PATH) return refused(404, 'path', `no WebSocket endpoint at ${path}`);
      if (!deps.hostAllowed(req.headers.host)) return refused(421, 'host', 'host not served');
      if (
        !originAllowed(req.headers.origin, req.headers.host, deps.secure, deps.ports(), deps.allowedOrigins)
      )
        return refused(403, 'origin', 'origin not allowed');
      const admission = deps.hub.admit(remote);
      if (admission === 'full')
        return refused(503, 'server-full', 'too many signaling connections; try again later');
      if (admission === 'per-ip')
        return refused(429, 'client-full', 'too many signaling connections from your network');
      deps.wss.handleUpgrade(req, socket, head, (ws) => deps.hub.accept(ws, remote));
    } catch (err) {
      deps.log.error({ err }, 'signaling upgrade failed');
      socket.destroy();
    }
  };
}
