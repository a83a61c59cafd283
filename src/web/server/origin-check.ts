import { hostOf, type ListenPorts } from './security-headers.js';

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** `host:port` of a Host header, the port defaulted by the listener's scheme; null when malformed. */
function hostPort(hostHeader: string | undefined, secure: boolean): string | null {
  const host = hostOf(hostHeader);
  if (host === null) return null;
  const port = /:(\d{1,5})$/.exec(hostHeader!.slice(host.length))?.[1];
  return `${host}:${port ?? (secure ? 443 : 80)}`;
}

/**
 * Whether a WebSocket upgrade's `Origin` (RFC 6454) may open a signaling socket — the defence against
 * cross-site WebSocket hijacking (RFC 6455 §10.2). Allowed when the Origin is:
 * - the same `host:port` as the request's Host header (the page was loaded from where it connects), or
 * - this server's other listener on that host (`http://<host>:<http port>` or `https://<host>:<https
 *   port>`: a page loaded over HTTP may test `wss://` and the other way round), or
 * - in `allowed` (exact serialized origins, e.g. `https://example.org`).
 * A missing, `null` or unparseable Origin, or a malformed Host header, is refused.
 * @param secure whether the upgrade came in on the HTTPS listener (Host's default port 443, else 80).
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  secure: boolean,
  ports: ListenPorts,
  allowed: ReadonlySet<string>,
): boolean {
  if (origin === undefined || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.has(url.origin)) return true;
  const defaultPort = DEFAULT_PORT[url.protocol];
  if (defaultPort === undefined) return false;
  const originHostPort = `${url.hostname}:${url.port || defaultPort}`;
  const host = hostPort(hostHeader, secure);
  if (host === null) return false;
  if (originHostPort === host) return true;
  const own = [
    ...(ports.http === null ? [] : [`http://${hostOf(hostHeader)}:${ports.http}`]),
    ...(ports.https === null ? [] : [`https://${hostOf(hostHeader)}:${ports.https}`]),
  ];
  return own.includes(`${url.protocol}//${originHostPort}`);
}
