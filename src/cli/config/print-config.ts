import { Document } from 'yaml';
import { formatAddress } from '../../wire/address.js';
import type { ServeConfig } from './serve-config.js';
import type { SupportSettings } from './support-flags.js';

/** What a secret or password is printed as. */
const MASK = '****';

/** A `--page-ice-server` value with its secret or password masked (`;secret-env=VAR` names no secret). */
function maskPageIceServer(spec: string): string {
  const semi = spec.indexOf(';');
  if (semi < 0) return spec;
  const [url, param] = [spec.slice(0, semi), spec.slice(semi + 1)];
  if (param.startsWith('secret=')) return `${url};secret=${MASK}`;
  if (param.startsWith('user=')) return `${url};user=${param.slice(5).split(':')[0]}:${MASK}`;
  return spec;
}

/** A database URL with its password masked (user-info and the `password` / `sslpassword` parameters). */
function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = MASK;
    for (const key of ['password', 'sslpassword']) if (u.searchParams.has(key)) u.searchParams.set(key, MASK);
    return u.href;
  } catch {
    return MASK;
  }
}

/** The support links' keys (`data-dir` or `database`, password masked; retention in whole units). */
function supportConfig(s: SupportSettings): Record<string, unknown> {
  const unit = (
    [
      ['d', 86_400_000],
      ['h', 3_600_000],
      ['m', 60_000],
      ['s', 1000],
    ] as const
  ).find(([, ms]) => s.retentionMs % ms === 0) ?? ['s', 1000];
  return {
    ...('dataDir' in s.location
      ? { 'data-dir': s.location.dataDir }
      : { database: maskDatabaseUrl(s.location.databaseUrl) }),
    retention: s.retentionMs === 0 ? '0' : `${s.retentionMs / unit[1]}${unit[0]}`,
    'scrub-ips': s.scrubIps,
    ...(s.webhookUrl !== null && { 'webhook-url': s.webhookUrl }),
    ...(s.webhookSecretFile !== null && { 'webhook-secret-file': s.webhookSecretFile }),
  };
}

/**
 * The effective settings of `serve` under the config file's keys (the long flags), every default filled:
 * what `serve` would run with. Secrets and passwords are {@link MASK}ed (`auth-secret`, the password of
 * each `user`, `;secret=`/`;user=` of `page-ice-server`, the password of `database`); the generated user, whose password is random at
 * each start, is left out. Settings that are off (no alternate port with port 0, no bandwidth cap, no
 * metrics endpoint, no certificate files) are left out, so the result is itself a config file. The loopback
 * peers an all-loopback server allows by default are left out too (a comment in {@link renderConfig} says
 * so): written down, they would stay allowed after `listen` is changed to a public address.
 */
export function effectiveConfig(config: ServeConfig): Record<string, unknown> {
  const { stun, turn, report, flags } = config;
  const users = [...turn.users.keys()].filter((u) => u !== turn.generatedUser?.username);
  const lifetimes = turn.lifetimes;
  return {
    listen: stun.addresses,
    port: stun.port,
    ...(stun.altPort !== null && { 'alt-port': stun.altPort }),
    tcp: stun.tcp,
    'udp-buffer-bytes': stun.udpBufferBytes,
    tls: turn.tlsPort !== null,
    ...(turn.tlsPort !== null && { 'tls-port': turn.tlsPort }),
    ...(turn.tlsCertFile !== null && { 'tls-cert': turn.tlsCertFile, 'tls-key': turn.tlsKeyFile }),
    realm: turn.realm,
    user: users.map((u) => `${u}:${MASK}`),
    'auth-secret': turn.authSecrets.map(() => MASK),
    'external-ip': turn.externalIps,
    'relay-ports': `${turn.relayPorts.min}-${turn.relayPorts.max}`,
    ...(!turn.allowPeersDefaulted && { 'allow-peer': turn.allowPeers }),
    'deny-peer': turn.denyPeers,
    'allocation-lifetime': lifetimes.allocationDefaultS,
    'max-allocation-lifetime': lifetimes.allocationMaxS,
    'permission-lifetime': lifetimes.permissionS,
    'channel-lifetime': lifetimes.channelS,
    'nonce-lifetime': turn.nonceLifetimeS,
    'auth-failure-limit': turn.authLimit.failureLimit,
    'auth-block': turn.authLimit.blockMs / 1000,
    'allocate-timeout': turn.allocateTimeoutS,
    'max-connections-per-ip': turn.connectionsPerIp,
    'user-quota': turn.userQuota,
    'total-quota': turn.totalQuota,
    ...(turn.bandwidthBytesPerS !== null && { bandwidth: turn.bandwidthBytesPerS }),
    ...(turn.metricsPort !== null && { 'metrics-port': turn.metricsPort }),
    'metrics-host': turn.metricsHost,
    'alternate-server': turn.alternate.servers.map(formatAddress),
    'alternate-server-when': turn.alternate.when,
    report: report !== null,
    ...(report && {
      'report-port': report.httpPort,
      'report-https-port': report.httpsPort,
      'report-host': report.host,
      'public-host': report.publicHosts,
      'page-ice-server': (flags.pageIceServer ?? []).map(maskPageIceServer),
    }),
    ...(config.support && supportConfig(config.support)),
    verbose: flags.verbose ?? false,
  };
}

/**
 * `serve --print-config`: the {@link effectiveConfig} as YAML (a config file, with a comment naming the file
 * read and the generated user), or with `json` as one JSON line.
 */
export function renderConfig(config: ServeConfig, json: boolean): string {
  const effective = effectiveConfig(config);
  if (json) return `${JSON.stringify(effective)}\n`;
  const doc = new Document(effective);
  doc.commentBefore = [
    ` ice-doctor serve: the effective settings (flags > ICE_DOCTOR_* > ${config.file ?? 'no config file'} > defaults),`,
    ` secrets and passwords masked as '${MASK}'.`,
    ...(config.turn.generatedUser
      ? [
          ` No user and no auth-secret: serve generates the user '${config.turn.generatedUser.username}' with a random password at start.`,
        ]
      : []),
    ...(config.turn.allowPeersDefaulted
      ? [
          ` No allow-peer: loopback peers (${config.turn.allowPeers.join(', ')}) are allowed because every listen address is loopback; with any other listen address they are denied.`,
        ]
      : []),
  ].join('\n');
  return String(doc);
}
