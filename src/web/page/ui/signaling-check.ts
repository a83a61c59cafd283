import type { SignalingCheck } from '../../../report/browser-schema.js';
import type { PageConfig } from '../../api-schema.js';
import { type SignalingScheme, signalingUrl } from '../signaling-url.js';
import { SIGNALING_CHECK_TIMEOUT_MS, signalingCheckFailure } from '../signaling-words.js';

/**
 * Can this browser open the report server's signaling WebSocket, over ws:// (the HTTP port) and wss:// (the
 * HTTPS port), and how long does the opening handshake take (RFC 6455 §4: TCP, TLS for wss, HTTP Upgrade)?
 */

/** The parts of `window.location` the check reads. */
export type CheckLocation = Pick<Location, 'protocol' | 'hostname' | 'port'>;

/** How one socket ended: opened after `upgradeMs`, failed (`timeout`, `error`), or refused by the browser. */
type Attempt =
  | { scheme: SignalingScheme; port: number; url: string; upgradeMs: number }
  | { scheme: SignalingScheme; port: number; url: string; failed: 'timeout' | 'error' }
  | { scheme: SignalingScheme; port: number; url: string; refused: string };

/** Opens one socket, times the upgrade, closes it (1000). Never rejects. */
function attempt(scheme: SignalingScheme, port: number, url: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const startMs = performance.now();
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (err) {
      const refused =
        err instanceof DOMException && err.name === 'SecurityError'
          ? 'an https:// page may not open ws:// (mixed content); the wss:// check is the one that counts here'
          : `the browser would not open it: ${err instanceof Error ? err.message : String(err)}`;
      resolve({ scheme, port, url, refused });
      return;
    }
    const done = (result: Attempt): void => {
      clearTimeout(timer);
      socket.onopen = null;
      socket.onerror = null;
      socket.close(1000);
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ scheme, port, url, failed: 'timeout' }),
      SIGNALING_CHECK_TIMEOUT_MS,
    );
    socket.onopen = () =>
      done({ scheme, port, url, upgradeMs: Math.round((performance.now() - startMs) * 10) / 10 });
    socket.onerror = () => done({ scheme, port, url, failed: 'error' });
  });
}

/**
 * Checks ws:// on `config.signaling.httpPort` and wss:// on `httpsPort` (in parallel; a listener that is
 * off gives no row), each at `loc.hostname` (IPv6 bracketed) and `config.signaling.path`. `upgradeMs` is
 * the time from `new WebSocket()` to its `open` event, in ms to 0.1 ms; the socket is closed right after.
 * A socket that does not open within {@link SIGNALING_CHECK_TIMEOUT_MS} is a failure; every failure says
 * why in plain words (see `signalingCheckFailure`). Never rejects.
 */
export async function checkSignaling(config: PageConfig, loc: CheckLocation): Promise<SignalingCheck[]> {
  const { httpPort, httpsPort, path } = config.signaling;
  const attempts = await Promise.all([
    ...(httpPort === null ? [] : [attempt('ws', httpPort, signalingUrl('ws', loc.hostname, httpPort, path))]),
    ...(httpsPort === null
      ? []
      : [attempt('wss', httpsPort, signalingUrl('wss', loc.hostname, httpsPort, path))]),
  ]);
  const ws = attempts.find((a) => a.scheme === 'ws');
  return attempts.map((a): SignalingCheck => {
    const { scheme, url } = a;
    if ('upgradeMs' in a) return { scheme, url, ok: true, upgradeMs: a.upgradeMs };
    const error =
      'refused' in a
        ? a.refused
        : signalingCheckFailure({
            scheme,
            timedOut: a.failed === 'timeout',
            hostname: loc.hostname,
            port: a.port,
            pageOnThisOrigin: loc.protocol === 'https:' && loc.port === String(a.port),
            wsOpened: ws === undefined ? null : 'upgradeMs' in ws,
          });
    return { scheme, url, ok: false, upgradeMs: null, error };
  });
}
