import { isIPv6 } from 'node:net';
import { type Logger, pino } from 'pino';
import { STUN_DEFAULT_PORT } from '../../shared/ice-url.js';
import type { Family, TransportAddress } from '../../wire/address.js';
import { byFamily, DEFAULT_ADDRESSES, DEFAULT_SOFTWARE } from '../stun/options.js';
import { type RunningStunServer, type ServerPlugins, startStunServer } from '../stun/server.js';
import {
  generateSelfSignedCredentials,
  loadTlsCredentials,
  type TlsCredentials,
} from '../stun/tls-credentials.js';
import { AlternatePicker } from './alternate.js';
import type { RelayFamilyConfig } from './config.js';
import { createTurnEngine, type TurnEngine } from './engine.js';
import { createTurnMetrics, type MetricsServer, startMetricsServer } from './metrics.js';
import type { PageScope } from './page-scope.js';
import { createPeerPolicy } from './peer-policy.js';
import { resolveTurnSettings, type TurnSettings, type TurnSettingsInput } from './settings.js';

/** What {@link startTurnServer} takes: the STUN listener settings and the validated TURN settings. */
export interface TurnServerOptions {
  /** Up to two IPs per family (default 127.0.0.1, 127.0.0.2); each family gets its own RFC 5780 set. */
  addresses?: string[];
  /** Primary port P1 (default STUN_DEFAULT_PORT, 3478, RFC 8489 §18.5; 0 picks). */
  port?: number;
  altPort?: number;
  tcp?: boolean;
  /** Receive buffer of each UDP socket in bytes (default 4 MiB; 0: the kernel default). */
  udpBufferBytes?: number;
  software?: string;
  /**
   * TURN settings: resolved ones (`resolveTurnSettings`, or the CLI's parsers) or any input, resolved here
   * with the same defaults as `ice-doctor serve` (a generated user when none; loopback peers allowed only
   * when every listening address is loopback). Absent: every default.
   */
  turn?: TurnSettingsInput | TurnSettings;
  /**
   * The report page's credential scope: credentials minted from its secret are accepted besides `turn`'s,
   * scoped (page-scope.ts). Absent: no page credentials.
   */
  pageScope?: PageScope;
  logger?: Logger;
}

/** The certificate of the `turns:` listener, as reported. */
export interface CertificateInfo {
  selfSigned: boolean;
  fingerprint256: string;
  names: string[];
  notAfter: string;
}

/** A running STUN/TURN server. */
export interface RunningTurnServer {
  /** One listener set per address family, the primary's first. */
  readonly fronts: RunningStunServer[];
  /** UDP, TCP and TLS addresses of TURN clients: A1:P1 of each family and each TLS listener. */
  readonly turnUdp: TransportAddress[];
  readonly turnTcp: TransportAddress[];
  readonly turnTls: TransportAddress[];
  readonly realm: string;
  /** Configured usernames (never passwords) and the generated user, whose password is shown to its operator. */
  readonly usernames: string[];
  readonly generatedUser: { username: string; password: string } | null;
  readonly authSecretCount: number;
  readonly relay: (RelayFamilyConfig & { family: Family })[];
  readonly allowPeers: string[];
  readonly allowPeersDefaulted: boolean;
  /** The TLS listener's certificate now (after a {@link RunningTurnServer.setTlsCredentials}, the new one). */
  readonly certificate: CertificateInfo | null;
  readonly metricsUrl: string | null;
  readonly engine: TurnEngine;
  /**
   * Replaces the certificate of every TLS listener (a renewed certificate): new handshakes present it,
   * open TURN/TLS connections and their allocations keep going. Does nothing without a TLS listener.
   * @param credentials as `loadTlsCredentials` returns them (it checks that key and certificate match).
   * @throws Error from OpenSSL when no secure context can be made of them; the old certificate stays then.
   */
  setTlsCredentials(credentials: TlsCredentials): void;
  /** Closes every allocation, socket, timer and the metrics endpoint. Idempotent. */
  close(): Promise<void>;
}

function certificateInfo(cert: TlsCredentials): CertificateInfo {
  return {
    selfSigned: cert.selfSigned,
    fingerprint256: cert.fingerprint256,
    names: cert.names,
    notAfter: cert.notAfter.toISOString(),
  };
}

async function tlsCredentials(turn: TurnSettings, addresses: string[]): Promise<TlsCredentials | null> {
  if (turn.tlsPort === null) return null;
  if (turn.tlsCertFile && turn.tlsKeyFile) return loadTlsCredentials(turn.tlsCertFile, turn.tlsKeyFile);
  return generateSelfSignedCredentials(['localhost', ...addresses, ...turn.externalIps]);
}

/**
 * Starts the bundled STUN/TURN server: the RFC 5780 Binding responder and the RFC 8656 TURN engine on the
 * same sockets, over UDP, TCP and TLS, for IPv4 and/or IPv6, with long-term and TURN REST authentication,
 * the deny-by-default peer policy, quotas, and Prometheus metrics when a metrics port is set. Without
 * certificate files the TLS listener uses a self-signed certificate generated now (`certificate.selfSigned`).
 * @throws SettingsError naming the field for invalid settings (settings.ts, options.ts, a bad CIDR in
 *   peer-policy.ts, an unusable certificate in tls-credentials.ts); UserError `address-in-use`
 *   and friends when a socket cannot be bound. Nothing is left listening when it throws.
 */
export async function startTurnServer(opts: TurnServerOptions): Promise<RunningTurnServer> {
  const addresses = opts.addresses ?? [...DEFAULT_ADDRESSES];
  const port = opts.port ?? STUN_DEFAULT_PORT;
  const turn = resolveTurnSettings(opts.turn ?? {}, addresses, port === 0);
  const log = opts.logger ?? pino({ level: 'silent' });
  const groups = byFamily(addresses);
  const peerPolicy = createPeerPolicy({ allow: turn.allowPeers, deny: turn.denyPeers });
  let cert = await tlsCredentials(turn, addresses);
  const relay: RunningTurnServer['relay'] = groups.map((g) => {
    const family: Family = isIPv6(g[0]!) ? 'IPv6' : 'IPv4';
    const externalIp = turn.externalIps.find((ip) => isIPv6(ip) === (family === 'IPv6'));
    return { family, ip: g[0]!, ports: turn.relayPorts, ...(externalIp && { externalIp }) };
  });
  const metrics = createTurnMetrics();
  const engine = createTurnEngine({
    credentials: {
      realm: turn.realm,
      users: turn.users,
      authSecrets: turn.authSecrets,
      pageSecret: opts.pageScope?.secret ?? null,
      nonceLifetimeS: turn.nonceLifetimeS,
    },
    authLimit: turn.authLimit,
    software: opts.software ?? DEFAULT_SOFTWARE,
    lifetimes: turn.lifetimes,
    relay: Object.fromEntries(relay.map((r) => [r.family, r])),
    quotas: { perUser: turn.userQuota, total: turn.totalQuota, bandwidthBytesPerS: turn.bandwidthBytesPerS },
    peerPolicy,
    pageScope: opts.pageScope ?? null,
    metrics,
    log,
    ...(turn.alternate.servers.length > 0 && { alternate: new AlternatePicker(turn.alternate) }),
  });
  const fronts: RunningStunServer[] = [];
  let metricsServer: MetricsServer | null = null;
  const closeAll = async (): Promise<void> => {
    engine.close();
    await Promise.all([...fronts.map((f) => f.close()), metricsServer?.close()]);
  };
  try {
    for (const group of groups) {
      const plugins: ServerPlugins = {
        handlers: engine.handlers,
        indications: engine.indications,
        channelData: engine.channelData,
        allocateTimeoutMs: turn.allocateTimeoutS * 1000,
        ...(cert && turn.tlsPort !== null && { tls: { cert: cert.cert, key: cert.key, port: turn.tlsPort } }),
      };
      fronts.push(
        await startStunServer(
          {
            addresses: group,
            port,
            ...(opts.altPort !== undefined && { altPort: opts.altPort }),
            ...(opts.tcp !== undefined && { tcp: opts.tcp }),
            ...(opts.udpBufferBytes !== undefined && { udpBufferBytes: opts.udpBufferBytes }),
            ...(opts.software !== undefined && { software: opts.software }),
            logger: log,
          },
          plugins,
        ),
      );
    }
    if (turn.metricsPort !== null)
      metricsServer = await startMetricsServer(metrics, { host: turn.metricsHost, port: turn.metricsPort });
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    fronts,
    turnUdp: fronts.map((f) => f.primary),
    turnTcp: fronts.flatMap((f) => f.tcp.slice(0, 1)),
    turnTls: fronts.flatMap((f) => (f.tls ? [f.tls] : [])),
    realm: turn.realm,
    usernames: [...turn.users.keys()],
    generatedUser: turn.generatedUser,
    authSecretCount: turn.authSecrets.length,
    relay,
    allowPeers: turn.allowPeers,
    allowPeersDefaulted: turn.allowPeersDefaulted,
    get certificate() {
      return cert && certificateInfo(cert);
    },
    setTlsCredentials(credentials) {
      if (cert === null) return;
      for (const f of fronts) f.setTlsCredentials(credentials);
      cert = credentials;
    },
    metricsUrl: metricsServer?.url ?? null,
    engine,
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
