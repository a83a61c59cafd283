// The operator's TLS certificate of `ice-doctor serve` (`--tls-cert`/`--tls-key`): whether it names the
// public hosts, and its reload on SIGHUP for a renewed certificate.

import type { Logger } from 'pino';
import { SettingsError } from '../../errors.js';
import {
  certificateNamesHost,
  loadTlsCredentials,
  type TlsCredentials,
} from '../../server/stun/tls-credentials.js';

/** A listener set whose certificate can be replaced: the TURN server, the report page. */
export interface TlsReloadTarget {
  setTlsCredentials(credentials: TlsCredentials): void;
}

/**
 * One warning per public host the certificate does not name (RFC 6125 matching, `certificateNamesHost`):
 * a browser opening `https://NAME/` or `turns:NAME` refuses it. A warning, never a refusal: the operator
 * may put a proxy that has the right certificate in front, or renew it shortly.
 * @param publicHosts `--public-host` names, canonical (IPv6 in brackets).
 * @returns e.g. `--tls-cert does not name the --public-host 'turn.example.org' (its names: other.example.org):
 *   browsers will refuse https://turn.example.org/ and turns:turn.example.org`; empty when all are named.
 */
export function publicHostWarnings(credentials: TlsCredentials, publicHosts: readonly string[]): string[] {
  return publicHosts
    .filter((host) => !certificateNamesHost(credentials, host))
    .map(
      (host) =>
        `--tls-cert does not name the --public-host '${host}' (its names: ${credentials.names.join(', ') || 'none'}): ` +
        `browsers will refuse https://${host}/ and turns:${host} with it`,
    );
}

/** What {@link reloadTlsOnSignal} reloads, from where, and where it says so. */
export interface TlsReloadOptions {
  certFile: string;
  keyFile: string;
  /** The listeners that take the new certificate (the TURN server's TLS listener, the page's HTTPS). */
  targets: readonly TlsReloadTarget[];
  /** Checked against each new certificate ({@link publicHostWarnings}). */
  publicHosts: readonly string[];
  logger: Logger;
  /** The signal that triggers a reload (default SIGHUP). */
  signal?: NodeJS.Signals;
}

/**
 * Re-reads the certificate and key files on `signal` (default SIGHUP: what certbot's `--deploy-hook`,
 * systemd's `ExecReload=kill -HUP $MAINPID` and `docker compose kill -s SIGHUP` send) and hands them to
 * every target: handshakes from then on present the new certificate, open connections keep theirs. A pair
 * that does not load (unreadable, not PEM, key not of the certificate, refused by OpenSSL) is logged at
 * error level and the old certificate stays. A reload is logged at info level with the new certificate's
 * expiry, fingerprint and names, plus the public-host warnings. A signal, not a file watch: renewal tools
 * write the certificate and the key one after the other and swap symlinks, so a watch would fire between
 * the two files (a mismatched pair) or keep watching the replaced inode and miss the renewal.
 * @returns a function that stops listening for the signal.
 */
export function reloadTlsOnSignal(opts: TlsReloadOptions): () => void {
  const signal = opts.signal ?? 'SIGHUP';
  const reload = (): void => {
    let credentials: TlsCredentials;
    try {
      credentials = loadTlsCredentials(opts.certFile, opts.keyFile);
      for (const t of opts.targets) t.setTlsCredentials(credentials);
    } catch (err) {
      const reason =
        err instanceof SettingsError ? err.detail : err instanceof Error ? err.message : String(err);
      opts.logger.error(
        { signal, certFile: opts.certFile, keyFile: opts.keyFile, err: reason },
        `TLS certificate not reloaded, the old one stays in use: ${reason}`,
      );
      return;
    }
    opts.logger.info(
      {
        signal,
        certFile: opts.certFile,
        notAfter: credentials.notAfter.toISOString(),
        fingerprint256: credentials.fingerprint256,
        names: credentials.names,
      },
      `TLS certificate reloaded, expires ${credentials.notAfter.toISOString()}`,
    );
    for (const w of publicHostWarnings(credentials, opts.publicHosts)) opts.logger.warn(w);
  };
  process.on(signal, reload);
  return () => process.off(signal, reload);
}
