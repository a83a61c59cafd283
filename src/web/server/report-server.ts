import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { WebSocketServer } from 'ws';
import { SettingsError } from '../../errors.js';
import { type ConnectionBudget, processConnectionBudget } from '../../net/connection-budget.js';
import { HTTP_SERVER_LIMITS, limitConnections } from '../../net/http-limits.js';
import { RefusalLog } from '../../net/refusal-log.js';
import { TLS_SERVER_POLICY } from '../../net/tls-policy.js';
import { generateSelfSignedCredentials, type TlsCredentials } from '../../server/stun/tls-credentials.js';
import type { ScopeBinder } from '../../server/turn/page-scope.js';
import { formatAddress, type TransportAddress } from '../../wire/address.js';
import type { ServerProbe } from '../api-schema.js';
import { createReportApp } from './app.js';
import { buildIceConfig, DEFAULT_CREDENTIAL_TTL_S, type PageIceServer } from './ice-config.js';
import { clientRateLimiter, DEFAULT_ICE_RATE_LIMIT, type RateLimit } from './ice-rate-limit.js';
import { listenOn } from './listen.js';
import type { OutsidePeerResponder } from './outside-peer.js';
import { outsidePeerAddress, type RunningOutsidePeer, startOutsidePeer } from './outside-peer-socket.js';
import type { ListenPorts } from './security-headers.js';
import { canonicalHost, ServedHosts } from './served-hosts.js';
import { type ServerProbeRunner, startServerProbe } from './server-probe.js';
import { SignalingHub } from './signaling-hub.js';
import { DEFAULT_SIGNALING_LIMITS, type SignalingLimits } from './signaling-limits.js';
import { signalingUpgradeHandler, UPGRADE_REFUSED_MESSAGE } from './signaling-upgrade.js';
import type { SupportDeps } from './support-deps.js';
import { packageVersion } from './version.js';

/** Where `npm run build` puts the page (from src/web/server/ and dist/web/server/ alike). */
export const DEFAULT_PUBLIC_DIR = new URL('../../../dist/web/public/', import.meta.url);

/** What {@link startReportServer} takes; every field is optional. */
export interface ReportServerOptions {
  /** IP to listen on (default 127.0.0.1); a wildcard (`0.0.0.0`, `::`) is allowed. */
  host?: string;
  /** HTTP port (default 0: picked); null: no HTTP listener. */
  httpPort?: number | null;
  /** HTTPS port (default 0: picked); null: no HTTPS listener. */
  httpsPort?: number | null;
  /** Certificate and key of the HTTPS listener (default: self-signed for `localhost` and `host`). */
  tls?: TlsCredentials;
  /** The servers the page tests, in path-matrix order (default none). */
  iceServers?: readonly PageIceServer[];
  /** Lifetime of minted TURN credentials, in s (default 600). */
  credentialTtlS?: number;
  /** Rate limit of `/api/ice-servers` per client IP (default 30 per 60 000 ms). */
  iceRateLimit?: RateLimit;
  /** The server's own probe of its STUN server, started once in the background (default: none). */
  probe?: ServerProbeRunner | null;
  /**
   * Where signaling binds the page's TURN credentials to rooms (page-scope.ts), or none (default): the
   * bundled server's page credentials then reach only its own relayed addresses.
   */
  pageScope?: ScopeBinder | null;
  /**
   * Run the outside-peer responder (outside-peer.ts: an ICE-lite UDP socket beside the page, for the
   * page's "reachable from outside the TURN host" proof of other TURN servers); `serve` turns it on.
   * Default false. Page credentials (the bundled server's) never reach it: the page does not run the proof
   * through the bundled server, which shares this host.
   */
  outsidePeer?: boolean;
  /** Rate limit of `/api/outside-peer` per client IP (default 60 per 60 000 ms). */
  outsidePeerRateLimit?: RateLimit;
  /** Limits of the signaling WebSocket (defaults: `DEFAULT_SIGNALING_LIMITS`). */
  signaling?: Partial<SignalingLimits>;
  /**
   * Origins besides this server's own that may open the signaling WebSocket, e.g. `https://example.org`
   * (a page hosted elsewhere); default none.
   */
  allowedOrigins?: readonly string[];
  /**
   * Names (or IP literals) the page is reached by besides its listen address, e.g. `turn.example.org`
   * (`serve --public-host`): a request whose Host is none of the served hosts (`ServedHosts`) gets 421,
   * the signaling upgrade too (DNS rebinding). Default none.
   */
  publicHosts?: readonly string[];
  /**
   * The connection budget both listeners' accepted connections count against (default: the process's,
   * `processConnectionBudget()`, shared with the TURN listeners).
   */
  connectionBudget?: ConnectionBudget;
  /** Folder of the built page (default {@link DEFAULT_PUBLIC_DIR}). */
  publicDir?: URL | string;
  /** pino logger (default silent). */
  logger?: Logger;
  /** The support links (issue 17: invites, report collection, the dashboard), or absent: off. */
  support?: SupportDeps;
}

/** A running report server. */
export interface RunningReportServer {
  /** The bound HTTP and HTTPS addresses (null when that listener is off). */
  readonly http: TransportAddress | null;
  readonly https: TransportAddress | null;
  /** The page's URLs, e.g. `http://127.0.0.1:8080/` (null when that listener is off). */
  readonly urls: { http: string | null; https: string | null };
  /**
   * The page's URLs on the first public host (`publicHosts[0]`) with the bound ports, e.g.
   * `https://turn.example.org:8443/` (null when that listener is off); null without a public host.
   */
  readonly publicUrls: { http: string | null; https: string | null } | null;
  /** The HTTPS listener's certificate now: generated (self-signed) or given, or set by `setTlsCredentials`. */
  readonly certificate: { selfSigned: boolean; fingerprint256: string } | null;
  /**
   * Replaces the HTTPS listener's certificate (a renewed one; `https.Server.setSecureContext` with the same
   * `TLS_SERVER_POLICY`): new handshakes present it, open connections keep theirs. Does nothing without
   * an HTTPS listener.
   * @throws Error from OpenSSL when no secure context can be made of them; the old certificate stays then.
   */
  setTlsCredentials(credentials: TlsCredentials): void;
  /** Signaling sockets and rooms open now (both listeners). */
  signalingStats(): { sockets: number; rooms: number };
  /** Closes both listeners and every connection, socket and timer. Idempotent. */
  close(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** The serialized form of each allowed origin (RFC 6454 §6.2). */
function parseOrigins(origins: readonly string[]): Set<string> {
  return new Set(
    origins.map((o) => {
      try {
        return new URL(o).origin;
      } catch {
        throw new SettingsError('allowedOrigins', `'${o}' is not an origin like https://example.org`);
      }
    }),
  );
}

function pageUrl(scheme: 'http' | 'https', a: TransportAddress | null): string | null {
  if (a === null) return null;
  const host = WILDCARDS.has(a.address) ? (a.family === 'IPv6' ? '::1' : '127.0.0.1') : a.address;
  return `${scheme}://${formatAddress({ address: host, port: a.port })}/`;
}

/** The page's URL on `publicHost` (canonical: an IPv6 literal in brackets) at the bound port of `a`. */
function publicPageUrl(
  scheme: 'http' | 'https',
  publicHost: string,
  a: TransportAddress | null,
): string | null {
  return a === null ? null : `${scheme}://${publicHost}:${a.port}/`;
}

/** `/api/outside-peer`: 60 requests per minute per client IP (a page asks twice per TURN path). */
export const DEFAULT_OUTSIDE_PEER_RATE_LIMIT: RateLimit = { limit: 60, windowMs: 60_000 };

/**
 * The outside-peer responder on `host` (outside-peer-socket.ts); null, logged, when there is no address to advertise or the socket cannot be bound: the page then says
 * the proof could not be made.
 */
async function startOutsidePeerOrNone(
  host: string,
  publicHosts: readonly string[],
  log: Logger,
): Promise<RunningOutsidePeer | null> {
  const advertise = outsidePeerAddress(host, publicHosts);
  if (advertise === null) {
    log.info(
      'no outside-peer responder: a wildcard listen address and no IP literal as the first public host',
    );
    return null;
  }
  try {
    const running = await startOutsidePeer(host, advertise, log);
    return running;
  } catch (err) {
    log.warn({ err }, 'no outside-peer responder: its UDP socket could not be bound');
    return null;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts the web report server: one express app (see `createReportApp`) and one signaling hub (see
 * `SignalingHub`, WebSocket on `/signal`) served over HTTP and HTTPS. TURN credentials in
 * `/api/ice-servers` are minted per request; the server's own STUN probe (`probe`) starts now in the
 * background. Both listeners admit connections within `connectionBudget` (`limitConnections`), close slow
 * clients (`HTTP_SERVER_LIMITS`: headers within 15 s), answer only the hosts they serve (`ServedHosts`), and
 * the HTTPS one has `TLS_SERVER_POLICY` (Mozilla intermediate suites, no renegotiation, a 10-s handshake:
 * https.Server destroys a socket whose handshake times out).
 * @throws SettingsError (naming the field) when both listeners are off, `credentialTtlS` is not positive, an allowed origin
 *   is not an origin or a public host is not a host name; UserError `address-in-use` (and friends) when a
 *   port cannot be bound. Nothing is left listening when it throws, and the probe starts only once both
 *   listeners are up.
 */
export async function startReportServer(opts: ReportServerOptions = {}): Promise<RunningReportServer> {
  const host = opts.host ?? '127.0.0.1';
  const httpPort = opts.httpPort === undefined ? 0 : opts.httpPort;
  const httpsPort = opts.httpsPort === undefined ? 0 : opts.httpsPort;
  const ttlS = opts.credentialTtlS ?? DEFAULT_CREDENTIAL_TTL_S;
  if (httpPort === null && httpsPort === null)
    throw new SettingsError(
      'httpPort',
      'the report server needs an HTTP or HTTPS port (httpPort or httpsPort)',
    );
  if (!(ttlS > 0 && Number.isFinite(ttlS)))
    throw new SettingsError('credentialTtlS', `must be positive, not ${ttlS} s`);
  const log = opts.logger ?? pino({ level: 'silent' });
  const allowedOrigins = parseOrigins(opts.allowedOrigins ?? []);
  const ports: ListenPorts = { http: null, https: null };
  const served = new ServedHosts(opts.publicHosts ?? []);
  const hostAllowed = (h: string | undefined): boolean => served.allows(h);
  const budget = opts.connectionBudget ?? processConnectionBudget();
  const limits: SignalingLimits = { ...DEFAULT_SIGNALING_LIMITS, ...opts.signaling };
  const iceServers = opts.iceServers ?? [];
  let tls =
    httpsPort === null
      ? null
      : (opts.tls ??
        (await generateSelfSignedCredentials([
          ...new Set([
            'localhost',
            ...(WILDCARDS.has(host) ? [] : [host]),
            ...(opts.publicHosts ?? []).map((h) => canonicalHost(h)!.replace(/^\[(.*)\]$/, '$1')),
          ]),
        ])));
  const publicDir = opts.publicDir ?? DEFAULT_PUBLIC_DIR;
  const limiter = clientRateLimiter(opts.iceRateLimit ?? DEFAULT_ICE_RATE_LIMIT);
  const outsideLimiter = clientRateLimiter(opts.outsidePeerRateLimit ?? DEFAULT_OUTSIDE_PEER_RATE_LIMIT);
  let outside: RunningOutsidePeer | null = null;
  const outsidePeer = (): OutsidePeerResponder | null => outside?.responder ?? null;
  let serverProbe: () => ServerProbe = () => ({ report: null, reason: 'the report server is starting' });
  const app = createReportApp({
    publicDir: typeof publicDir === 'string' ? publicDir : fileURLToPath(publicDir),
    iceConfig: () => buildIceConfig(iceServers, ttlS),
    iceRateLimit: limiter.middleware,
    outsidePeer,
    outsidePeerRateLimit: outsideLimiter.middleware,
    serverProbe: () => serverProbe(),
    ports: () => ports,
    hostAllowed,
    version: packageVersion(),
    publicHost: opts.publicHosts?.[0] ?? null,
    log,
    ...(opts.support && { support: opts.support }),
  });
  const hub = new SignalingHub(limits, log, opts.pageScope ?? null);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayloadBytes,
    perMessageDeflate: false,
  });
  const upgradeRefusals = new RefusalLog(log, UPGRADE_REFUSED_MESSAGE);
  const servers: Server[] = [];
  let httpsServer: HttpsServer | null = null;
  const serve = (server: Server, secure: boolean): Server => {
    limitConnections(server, budget, log, `the report page (${secure ? 'HTTPS' : 'HTTP'})`);
    server.on(
      'upgrade',
      signalingUpgradeHandler({
        wss,
        hub,
        secure,
        ports: () => ports,
        hostAllowed,
        allowedOrigins,
        log,
        refusals: upgradeRefusals,
      }),
    );
    servers.push(server);
    return server;
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      limiter.close();
      outsideLimiter.close();
      await outside?.close();
      await hub.close();
      wss.close();
      await Promise.all(servers.map(closeServer));
    })();
    return closing;
  };
  try {
    let http: TransportAddress | null = null;
    let https: TransportAddress | null = null;
    if (httpPort !== null) {
      const server = serve(createHttpServer(HTTP_SERVER_LIMITS, app), false);
      http = await listenOn(server, host, httpPort, 'the report page (HTTP)');
      ports.http = http.port;
    }
    if (tls !== null && httpsPort !== null) {
      httpsServer = createHttpsServer(
        { ...TLS_SERVER_POLICY, ...HTTP_SERVER_LIMITS, cert: tls.cert, key: tls.key },
        app,
      );
      https = await listenOn(serve(httpsServer, true), host, httpsPort, 'the report page (HTTPS)');
      ports.https = https.port;
    }
    outside = opts.outsidePeer ? await startOutsidePeerOrNone(host, opts.publicHosts ?? [], log) : null;
    serverProbe = startServerProbe(opts.probe ?? null, log);
    log.info({ http: pageUrl('http', http), https: pageUrl('https', https) }, 'report page listening');
    const publicHost = opts.publicHosts?.[0];
    return {
      http,
      https,
      urls: { http: pageUrl('http', http), https: pageUrl('https', https) },
      publicUrls:
        publicHost === undefined
          ? null
          : {
              http: publicPageUrl('http', canonicalHost(publicHost)!, http),
              https: publicPageUrl('https', canonicalHost(publicHost)!, https),
            },
      get certificate() {
        return tls && { selfSigned: tls.selfSigned, fingerprint256: tls.fingerprint256 };
      },
      setTlsCredentials(credentials) {
        if (httpsServer === null) return;
        httpsServer.setSecureContext({ ...TLS_SERVER_POLICY, cert: credentials.cert, key: credentials.key });
        tls = credentials;
      },
      signalingStats: () => hub.stats,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
