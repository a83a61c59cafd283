import type { PageIceServer } from './ice-config.js';

/** Default HTTP port of the report page beside the bundled server (`ice-doctor serve`). */
export const DEFAULT_REPORT_PORT = 8080;
/** Default HTTPS port of the report page beside the bundled server. */
export const DEFAULT_REPORT_HTTPS_PORT = 8443;

/**
 * Validated settings of the report page beside the bundled server (bundled-report.ts): where it listens and
 * which other servers it tests. The CLI makes them from `serve`'s flags (src/cli/config/report-flags.ts).
 */
export interface ReportSettings {
  /** IP literal the page listens on. */
  host: string;
  /** 0 picks a free port. */
  httpPort: number;
  httpsPort: number;
  /** The other STUN/TURN servers the page tests, in the order given. */
  pageIceServers: PageIceServer[];
  /** DNS names the page is reached by (canonical: lowercase, IPv6 in brackets), in the order given. */
  publicHosts: string[];
}
