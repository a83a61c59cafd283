import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { adminRoutes } from '../admin/server/admin-routes.js';
import type { IceConfig, PageConfig, ServerProbe } from '../api-schema.js';
import { apiErrorHandler, apiNotFound, pageNotFound } from './api-errors.js';
import { issueOutsidePeer, type OutsidePeerSource, outsidePeerSeen } from './outside-peer-routes.js';
import { precompressed } from './precompressed.js';
import { type ListenPorts, securityHeaders } from './security-headers.js';
import type { SupportDeps } from './support-deps.js';
import { supportLinkRoutes } from './support-routes.js';
import { visitorAddress } from './visitor.js';

/** Path of the signaling WebSocket on both listeners. */
export const SIGNALING_PATH = '/signal';

/** What the express app serves; every function is called per request. */
export interface ReportAppDeps {
  /** Folder of the built page (index.html, app.js, style.css), a file system path. */
  publicDir: string;
  /** The `/api/ice-servers` body with fresh credentials. */
  iceConfig: () => IceConfig;
  /** The rate limiter in front of `/api/ice-servers`. */
  iceRateLimit: RequestHandler;
  /** The outside-peer responder (`/api/outside-peer`), or null without one. */
  outsidePeer: OutsidePeerSource;
  /** The rate limiter in front of `/api/outside-peer`. */
  outsidePeerRateLimit: RequestHandler;
  /** The `/api/probe` body. */
  serverProbe: () => ServerProbe;
  /** The bound ports, for `/api/config` and the CSP's ws/wss origins. */
  ports: () => ListenPorts;
  /** Whether a Host header names this server (`ServedHosts.allows`): other requests get 421. */
  hostAllowed: (hostHeader: string | undefined) => boolean;
  /** ice-doctor's version, in `/api/config`. */
  version: string;
  /** The first `--public-host` name, in `/api/config` (`pageConfigSchema.publicHost`); null when none. */
  publicHost: string | null;
  /** Where failed requests are logged. */
  log: Logger;
  /** The support links' store and settings (issue 17), or absent: no `/i/…`, `/api/invites/…`, `/admin`. */
  support?: SupportDeps;
}

/** 503 in plain text when the page was never built: `npm run build` makes dist/web/public/. */
function pageNotBuilt(publicDir: string): RequestHandler {
  return (_req, res, next) => {
    if (existsSync(join(publicDir, 'index.html'))) return next();
    res
      .status(503)
      .type('text/plain')
      .send(`the report page is not built: no index.html in ${publicDir} (run npm run build)\n`);
  };
}

/**
 * 421 Misdirected Request (RFC 9110 §15.5.20) in plain text for a request whose Host this server does not
 * serve (a DNS-rebound name), logged at debug level only (an attacker chooses how many).
 */
function hostCheck(allowed: ReportAppDeps['hostAllowed'], log: Logger): RequestHandler {
  return (req, res, next) => {
    if (allowed(req.headers.host)) return next();
    log.debug('request refused: Host not served');
    res
      .status(421)
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send('this server does not serve that host name (serve --public-host names the ones it does)\n');
  };
}

/**
 * The report server's express 5 app (shared by its HTTP and HTTPS listeners):
 * - helmet with the strict CSP ({@link securityHeaders}) on every response;
 * - 421 for a Host that is not one this server serves (`hostAllowed`: DNS rebinding), on every route;
 * - `GET /api/ice-servers` (`iceConfigSchema`, rate-limited per client IP), `GET /api/config`
 *   (`pageConfigSchema`), `GET /api/probe` (`serverProbeSchema`), `POST /api/outside-peer` and
 *   `GET /api/outside-peer/:ufrag` (outside-peer-routes.ts, rate-limited per client IP); every `/api` response has
 *   `Cache-Control: no-store`; with `support`, the support links (support-routes.ts); other `/api` paths
 *   answer JSON 404;
 * - the built page from `publicDir` (`/` is index.html), compressed at build time when the client accepts
 *   it ({@link precompressed}), plain-text 404 elsewhere;
 * - errors as JSON `{error, message}`, never a stack trace.
 */
export function createReportApp(deps: ReportAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders(deps.ports));
  app.use(hostCheck(deps.hostAllowed, deps.log));
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.get('/api/ice-servers', deps.iceRateLimit, (_req, res) => {
    res.json(deps.iceConfig());
  });
  app.get('/api/config', (req, res) => {
    const ports = deps.ports();
    const body: PageConfig = {
      version: deps.version,
      visitor: visitorAddress(req.socket),
      signaling: { path: SIGNALING_PATH, httpPort: ports.http, httpsPort: ports.https },
      publicHost: deps.publicHost,
    };
    res.json(body);
  });
  app.post('/api/outside-peer', deps.outsidePeerRateLimit, issueOutsidePeer(deps.outsidePeer));
  app.get('/api/outside-peer/:ufrag', deps.outsidePeerRateLimit, outsidePeerSeen(deps.outsidePeer));
  app.get('/api/probe', (_req, res) => {
    res.json(deps.serverProbe());
  });
  if (deps.support) app.use(supportLinkRoutes(deps.support));
  if (deps.support) app.use('/admin', adminRoutes(deps.support));
  app.use('/api', apiNotFound);
  app.get('/', pageNotBuilt(deps.publicDir));
  app.use(precompressed(deps.publicDir));
  app.use(express.static(deps.publicDir, { index: 'index.html', redirect: false, dotfiles: 'ignore' }));
  app.use(pageNotFound);
  app.use(apiErrorHandler(deps.log));
  return app;
}
