// What `ice-doctor serve` prints once listening: the human description and the one JSON line of `--json`
// (its shape: src/report/serve-schema.ts).

import type { ServeLine } from '../../report/serve-schema.js';
import { udpBufferText, udpRecvBuffer } from '../../server/stun/udp-buffer.js';
import type { RunningTurnServer } from '../../server/turn/server.js';
import { bundledTurnUrls } from '../../web/server/bundled-ice-server.js';
import type { RunningReportServer } from '../../web/server/report-server.js';
import { type Family, formatAddress } from '../../wire/address.js';
import { type FdReport, fdText } from '../commands/serve-fds.js';
import type { SupportSummary } from '../commands/serve-support.js';

/**
 * What serve prints about: the STUN/TURN server, the operator's secret count, the report page, the
 * open-file limit and the connection budget set from it.
 */
export interface Served {
  server: RunningTurnServer;
  /** `--auth-secret`s configured by the operator (the report page's own secret is not counted). */
  authSecrets: number;
  report: RunningReportServer | null;
  fds: FdReport;
  /** The first `--public-host` (canonical), named by the `turns:` URLs and the page's URLs; null: none. */
  publicHost: string | null;
  /** The support links (`--data-dir` / `--database`), or null: off. */
  support: SupportSummary | null;
}

/**
 * The support-link line: `support links: on (SQLite /var/lib/…/ice-doctor.sqlite), 0 admin users — add one
 * with `…``; invites are created with `invite create` on the same store.
 */
function supportLines(support: SupportSummary | null): string[] {
  if (support === null) return [];
  const users = `${support.admins} admin user${support.admins === 1 ? '' : 's'}`;
  return [
    `  support links: on (${support.where}), ${users} — add one with \`${support.addUser}\``,
    `  invite links: ${support.baseUrl}/i/<token>, dashboard: ${support.baseUrl}/admin`,
  ];
}

/** The TURN URLs clients should use: the page's own (`bundledTurnUrls`), the `turns:` ones on the public host. */
function turnUrls({ server, publicHost }: Served): string[] {
  return bundledTurnUrls(server, publicHost).map((u) => u.url);
}

/**
 * The lines about the report page: which URL to open, on the first `--public-host` when there is one (then
 * also where it listens, for a name that does not resolve here).
 */
function reportLines(report: RunningReportServer | null): string[] {
  if (report === null) return ['  report page: off (--no-report)'];
  const { http, https } = report.publicUrls ?? report.urls;
  const tls = report.certificate?.selfSigned ? ', self-signed certificate' : '';
  const lines = [
    `Open ${http ?? https} in a browser to see whether calls connect from there` +
      (http && https ? ` (or ${https}${tls}).` : '.'),
  ];
  if (report.publicUrls)
    lines.push(
      `  report page listening on ${[report.urls.http, report.urls.https].filter(Boolean).join(' and ')}`,
    );
  return lines;
}

/**
 * Which address families the TURN server relays (RFC 8656 §7.1 REQUESTED-ADDRESS-FAMILY), and what an
 * Allocate gets for the other: `relays IPv6 only: an Allocate without REQUESTED-ADDRESS-FAMILY IPv6 gets 440`.
 */
function relayFamiliesLine(families: Family[]): string {
  if (families.length > 1)
    return 'relays IPv4 and IPv6 (REQUESTED-ADDRESS-FAMILY picks one; IPv4 by default)';
  return families[0] === 'IPv6'
    ? 'relays IPv6 only: an Allocate without REQUESTED-ADDRESS-FAMILY IPv6 asks for IPv4 and gets 440'
    : 'relays IPv4 only: an Allocate asking for IPv6 gets 440';
}

/**
 * The human description of a running server: STUN endpoints, TURN endpoints, auth, relay, peers, TLS,
 * open files and connections, page.
 */
export function renderServeText(served: Served): string {
  const { server, authSecrets, report, fds } = served;
  const stun = server.fronts[0]!;
  const list = (addrs: { address: string; port: number }[]): string => addrs.map(formatAddress).join('  ');
  const lines = [
    `ice-doctor STUN/TURN server (RFC 8489 + RFC 5780 + RFC 8656), primary ${formatAddress(stun.primary)}`,
    `  STUN UDP  ${list(server.fronts.flatMap((f) => f.udp))}`,
  ];
  const tcp = server.fronts.flatMap((f) => f.tcp);
  if (tcp.length > 0) lines.push(`  STUN TCP  ${list(tcp)}`);
  lines.push(`  OTHER-ADDRESS  ${stun.otherAddress ? formatAddress(stun.otherAddress) : 'none (one IP)'}`);
  lines.push(`  UDP receive buffer  ${udpBufferText(udpRecvBuffer(server.fronts))}`);
  for (const l of server.fronts.flatMap((f) => f.limitations)) lines.push(`  limited: ${l}`);
  lines.push(`  TURN  ${turnUrls(served).join('\n        ')}`);
  lines.push(`  realm ${server.realm}`);
  if (server.generatedUser)
    lines.push(
      `  user  ${server.generatedUser.username} / password ${server.generatedUser.password}  (generated: no --user or --auth-secret given)`,
    );
  else if (server.usernames.length > 0) lines.push(`  users ${server.usernames.join(', ')}`);
  if (authSecrets > 0)
    lines.push(`  TURN REST API: ${authSecrets} shared secret(s) (username = <expiry>:<user>)`);
  lines.push(`  ${relayFamiliesLine(server.relay.map((r) => r.family))}`);
  for (const r of server.relay)
    lines.push(
      `  relay ${r.family} ${r.ip} ports ${r.ports.min}-${r.ports.max}` +
        (r.externalIp ? `, advertised as ${r.externalIp}` : ''),
    );
  lines.push(
    server.allowPeers.length === 0
      ? '  peers: private, loopback, link-local and other special-purpose ranges are denied (403)'
      : `  peers allowed beyond the public internet: ${server.allowPeers.join(', ')}` +
          (server.allowPeersDefaulted ? ' (embedded default: loopback peers, for local tests)' : ''),
  );
  if (server.certificate)
    lines.push(
      `  TLS certificate: ${server.certificate.selfSigned ? 'self-signed, generated at start' : 'from --tls-cert'}` +
        ` for ${server.certificate.names.join(', ')}; SHA-256 ${server.certificate.fingerprint256}`,
    );
  if (server.metricsUrl) lines.push(`  metrics ${server.metricsUrl}`);
  lines.push(`  ${fdText(fds)}`);
  lines.push(...supportLines(served.support));
  lines.push(...reportLines(report));
  lines.push('Serving until SIGINT/SIGTERM (Ctrl-C).');
  return `${lines.join('\n')}\n`;
}

/** The {@link ServeLine} of a running server: what `serve --json` prints (src/report/serve-schema.ts). */
export function serveLine(served: Served): ServeLine {
  const { server, authSecrets, report, fds } = served;
  const stun = server.fronts[0]!;
  return {
    udp: server.fronts.flatMap((f) => f.udp),
    tcp: server.fronts.flatMap((f) => f.tcp),
    otherAddress: stun.otherAddress,
    udpReceiveBuffer: udpRecvBuffer(server.fronts),
    limitations: server.fronts.flatMap((f) => f.limitations),
    fds,
    turn: {
      udp: server.turnUdp,
      tcp: server.turnTcp,
      tls: server.turnTls,
      urls: turnUrls(served),
      realm: server.realm,
      usernames: server.usernames,
      generatedUser: server.generatedUser,
      authSecrets,
      relay: server.relay,
      relayFamilies: server.relay.map((r) => r.family),
      allowPeers: server.allowPeers,
      allowPeersDefaulted: server.allowPeersDefaulted,
      certificate: server.certificate,
      metricsUrl: server.metricsUrl,
    },
    report: report && {
      url: report.urls.http,
      httpsUrl: report.urls.https,
      publicHost: served.publicHost,
      publicUrl: report.publicUrls?.http ?? null,
      publicHttpsUrl: report.publicUrls?.https ?? null,
    },
  };
}

/** The one JSON line of `serve --json` (no newline): {@link serveLine} as JSON. */
export function serveJson(served: Served): string {
  return JSON.stringify(serveLine(served));
}
