import type { Logger } from 'pino';
import { runProbe } from '../../client/nat-probe/run-probe.js';
import type { TlsCredentials } from '../../server/stun/tls-credentials.js';
import type { PageScope } from '../../server/turn/page-scope.js';
import type { RunningTurnServer } from '../../server/turn/server.js';
import { iceUrlText } from '../../shared/ice-url.js';
import { bundledIceServer } from './bundled-ice-server.js';
import { type RunningReportServer, startReportServer } from './report-server.js';
import type { ReportSettings } from './report-settings.js';
import type { SupportDeps } from './support-deps.js';

/** Deadline of the report server's own probe of the bundled STUN server, in ms. */
const SERVER_PROBE_TIMEOUT_MS = 5000;

/** What {@link startBundledReport} needs beside the running STUN/TURN server. */
export interface BundledReportOptions {
  settings: ReportSettings;
  /**
   * The page credentials' scope, the same one the bundled server was started with: the page's
   * credentials are minted from its secret, and signaling binds them to rooms.
   */
  pageScope: PageScope;
  /** The HTTPS certificate (the operator's `--tls-cert`), or undefined for a self-signed one. */
  tls?: TlsCredentials;
  logger: Logger;
  /** The support links (`serve --data-dir` / `--database`), or absent: off. */
  support?: SupportDeps;
}

/**
 * Starts the report page beside the bundled STUN/TURN server of `ice-doctor serve`: its path matrix is the
 * bundled server's (its `turns:` URLs on the first public host, see `bundledTurnUrls`; credentials minted from the page scope's secret, bound to rooms by signaling) followed by
 * `--page-ice-server`s, and its own probe (`/api/probe`) is an RFC 5780 probe (with hairpinning, RFC 5780
 * §4.5) of the bundled primary address, run once in the background with a {@link SERVER_PROBE_TIMEOUT_MS}
 * deadline.
 * @throws as `startReportServer`.
 */
export function startBundledReport(
  turn: RunningTurnServer,
  opts: BundledReportOptions,
): Promise<RunningReportServer> {
  const primary = turn.fronts[0]!.primary;
  return startReportServer({
    host: opts.settings.host,
    httpPort: opts.settings.httpPort,
    httpsPort: opts.settings.httpsPort,
    publicHosts: opts.settings.publicHosts,
    ...(opts.tls && { tls: opts.tls }),
    iceServers: [
      bundledIceServer(turn, opts.pageScope.secret, opts.settings.publicHosts[0] ?? null),
      ...opts.settings.pageIceServers,
    ],
    probe: () =>
      runProbe({
        urls: [iceUrlText('stun', primary.address, primary.port)],
        timeoutMs: SERVER_PROBE_TIMEOUT_MS,
        hairpin: true,
      }),
    pageScope: opts.pageScope,
    outsidePeer: true,
    logger: opts.logger,
    ...(opts.support && { support: opts.support }),
  });
}
