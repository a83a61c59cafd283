import { hostPort } from './address.js';
import type { SignalingScheme } from './signaling-url.js';

/**
 * Plain-words explanations of signaling failures: a WebSocket that did not open (a browser's `error` event
 * carries no detail, so the words come from what else is known), a close code of the report server's
 * signaling hub (server/signaling-limits.ts `SignalCloseCode`), and its `error` messages' codes.
 */

/** How long the signaling check waits for a socket to open, in ms. */
export const SIGNALING_CHECK_TIMEOUT_MS = 3000;

/** What is known about a signaling socket that did not open. */
export interface SignalingFailure {
  scheme: SignalingScheme;
  /** True when it did not open within {@link SIGNALING_CHECK_TIMEOUT_MS}; false after an `error` event. */
  timedOut: boolean;
  /** The server's host name and the socket's port. */
  hostname: string;
  port: number;
  /** True when the page itself came from `https://hostname:port` (its certificate is then accepted). */
  pageOnThisOrigin: boolean;
  /** Whether the ws:// check of the same server opened; null when there was none. */
  wsOpened: boolean | null;
}

/**
 * Why a signaling socket did not open: a timeout is a dropped connection; a wss:// error while ws:// opened
 * is the self-signed certificate the browser has not been told to accept (a page on another origin cannot
 * show the certificate warning, so the visitor has to open the HTTPS URL once); otherwise the connection
 * was refused or cut before the HTTP Upgrade.
 */
export function signalingCheckFailure(f: SignalingFailure): string {
  if (f.timedOut)
    return `no answer within ${SIGNALING_CHECK_TIMEOUT_MS / 1000} s: a firewall or proxy may drop the connection`;
  const accept = `open https://${hostPort(f.hostname, f.port)}/ once to accept it`;
  if (f.scheme === 'wss' && !f.pageOnThisOrigin) {
    if (f.wsOpened === true) return `the browser refused the certificate; ${accept}`;
    if (f.wsOpened === null) return `the browser refused the certificate or could not connect; ${accept}`;
  }
  return 'the connection was refused or cut before the WebSocket upgrade: the server may be down, or a proxy or firewall blocks WebSockets';
}

/** Why the signaling socket closed, from its close code (RFC 6455 §7.4; 4000–4002 are the hub's own). */
export function signalingCloseReason(code: number): string {
  switch (code) {
    case 1001:
      return 'the report server is shutting down';
    case 1008:
      return 'the report server closed signaling after too many refused messages';
    case 1009:
      return 'the report server refused a signaling message as too large';
    case 4000:
      return 'the room expired (rooms last 10 minutes); invite again for a new link';
    case 4001:
      return 'the report server dropped this page for reading signaling too slowly';
    case 4002:
      return 'the report server closed signaling because this page joined no room within 30 s';
    default:
      return `the connection to the signaling server was lost (close code ${code}): the network or a proxy cut it`;
  }
}

/** A signaling `error` message in plain words; unknown codes keep the server's own message. */
export function signalingErrorReason(code: string, message: string): string {
  switch (code) {
    case 'no-such-room':
      return 'this invitation link is no longer valid: its room does not exist (it may have expired); ask for a new link';
    case 'room-full':
      return 'the room of this invitation link is full; ask for a new link';
    case 'server-busy':
      return 'the report server has too many rooms open; try again in a few minutes';
    case 'too-many-rooms':
      return 'too many rooms are open from your network on the report server; close another test page or try again later';
    case 'rate-limited':
      return 'this page sent signaling messages too fast and the server refused some';
    default:
      return `the signaling server refused a message (${code}): ${message}`;
  }
}
