import { isIP } from 'node:net';
import { ConfigError } from '../../errors.js';
import {
  DEFAULT_REPORT_HTTPS_PORT,
  DEFAULT_REPORT_PORT,
  type ReportSettings,
} from '../../web/server/report-settings.js';
import { canonicalHost } from '../../web/server/served-hosts.js';
import { parsePort } from './flag-values.js';
import { parsePageIceServer } from './page-ice-server.js';

/** The report flags of `ice-doctor serve`, as commander hands them over. */
export interface ReportFlags {
  /** false with `--no-report`. */
  report?: boolean;
  reportPort?: string;
  reportHttpsPort?: string;
  reportHost?: string;
  pageIceServer?: string[];
  /** `--public-host`, each value already split at commas. */
  publicHost?: string[];
}

function port(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  return parsePort(flag, text);
}

/**
 * Turns the report flags of `serve` into {@link ReportSettings}, or null with `--no-report`.
 * Defaults: HTTP port {@link DEFAULT_REPORT_PORT} and HTTPS port {@link DEFAULT_REPORT_HTTPS_PORT}, both 0
 * when the STUN port is 0 (picked); host the first `--listen` address.
 * @param listen the STUN/TURN listening addresses.
 * @param portZero true when `--port 0`.
 * Public hosts: `--public-host`, else `ICE_DOCTOR_PUBLIC_HOST` (comma-separated; set but empty: none).
 * @param env read by `--page-ice-server …;secret-env=VAR` and for `ICE_DOCTOR_PUBLIC_HOST`.
 * @throws ConfigError with a one-line message naming the flag or variable: a bad port, equal HTTP and HTTPS
 *   ports, a host that is not an IP literal, a bad `--page-ice-server`, a `--public-host` (or
 *   `ICE_DOCTOR_PUBLIC_HOST`) that is not a host name or IP literal (`served-hosts.ts` `canonicalHost`: no
 *   scheme, port, path or wildcard).
 */
export function parseReportFlags(
  flags: ReportFlags,
  listen: readonly string[],
  portZero: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ReportSettings | null {
  if (flags.report === false) return null;
  const httpPort = port('--report-port', flags.reportPort, portZero ? 0 : DEFAULT_REPORT_PORT);
  const httpsPort = port(
    '--report-https-port',
    flags.reportHttpsPort,
    portZero ? 0 : DEFAULT_REPORT_HTTPS_PORT,
  );
  if (httpPort !== 0 && httpPort === httpsPort)
    throw new ConfigError('--report-https-port: must differ from --report-port');
  const host = flags.reportHost ?? listen[0] ?? '127.0.0.1';
  if (isIP(host) === 0) throw new ConfigError(`--report-host: '${host}' is not an IP address`);
  const source = flags.publicHost === undefined ? 'ICE_DOCTOR_PUBLIC_HOST' : '--public-host';
  const names =
    flags.publicHost ??
    (env.ICE_DOCTOR_PUBLIC_HOST ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const publicHosts = names.map((name) => {
    const canonical = canonicalHost(name);
    if (canonical === null)
      throw new ConfigError(
        `${source}: '${name}' is not a host name or IP address (like turn.example.org; no scheme, port or path)`,
      );
    return canonical;
  });
  return {
    host,
    httpPort,
    httpsPort,
    pageIceServers: (flags.pageIceServer ?? []).map((spec) => parsePageIceServer(spec, env)),
    publicHosts,
  };
}
