import type { Command } from 'commander';
import { pino } from 'pino';
import { formatAddress } from '../stun/address.js';
import { parseServeFlags } from '../turn-server/options.js';
import { parseTurnFlags, type TurnFlags } from '../turn-server/turn-options.js';
import { type RunningTurnServer, startTurnServer } from '../turn-server/turn-server.js';

interface ServeCommandFlags extends TurnFlags {
  listen?: string;
  port?: string;
  altPort?: string;
  tcp?: boolean;
  json?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const collectWhole = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The human description of a running server: STUN endpoints, TURN endpoints, auth, relay, peers, TLS. */
function renderServeText(server: RunningTurnServer): string {
  const stun = server.fronts[0]!;
  const list = (addrs: { address: string; port: number }[]): string => addrs.map(formatAddress).join('  ');
  const lines = [
    `ice-doctor STUN/TURN server (RFC 8489 + RFC 5780 + RFC 8656), primary ${formatAddress(stun.primary)}`,
    `  STUN UDP  ${list(server.fronts.flatMap((f) => f.udp))}`,
  ];
  const tcp = server.fronts.flatMap((f) => f.tcp);
  if (tcp.length > 0) lines.push(`  STUN TCP  ${list(tcp)}`);
  lines.push(`  OTHER-ADDRESS  ${stun.otherAddress ? formatAddress(stun.otherAddress) : 'none (one IP)'}`);
  for (const l of server.fronts.flatMap((f) => f.limitations)) lines.push(`  limited: ${l}`);
  const urls = [
    ...server.turnUdp.map((a) => `turn:${formatAddress(a)}?transport=udp`),
    ...server.turnTcp.map((a) => `turn:${formatAddress(a)}?transport=tcp`),
    ...server.turnTls.map((a) => `turns:${formatAddress(a)}?transport=tcp`),
  ];
  lines.push(`  TURN  ${urls.join('\n        ')}`);
  lines.push(`  realm ${server.realm}`);
  if (server.generatedUser)
    lines.push(
      `  user  ${server.generatedUser.username} / password ${server.generatedUser.password}  (generated: no --user or --auth-secret given)`,
    );
  else if (server.usernames.length > 0) lines.push(`  users ${server.usernames.join(', ')}`);
  if (server.authSecretCount > 0)
    lines.push(`  TURN REST API: ${server.authSecretCount} shared secret(s) (username = <expiry>:<user>)`);
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
  lines.push('Serving until SIGINT/SIGTERM (Ctrl-C).');
  return `${lines.join('\n')}\n`;
}

/** The one JSON line of `serve --json`. */
function serveJson(server: RunningTurnServer): string {
  const stun = server.fronts[0]!;
  return JSON.stringify({
    udp: server.fronts.flatMap((f) => f.udp),
    tcp: server.fronts.flatMap((f) => f.tcp),
    otherAddress: stun.otherAddress,
    limitations: server.fronts.flatMap((f) => f.limitations),
    turn: {
      udp: server.turnUdp,
      tcp: server.turnTcp,
      tls: server.turnTls,
      realm: server.realm,
      usernames: server.usernames,
      generatedUser: server.generatedUser,
      authSecrets: server.authSecretCount,
      relay: server.relay,
      allowPeers: server.allowPeers,
      allowPeersDefaulted: server.allowPeersDefaulted,
      certificate: server.certificate,
      metricsUrl: server.metricsUrl,
    },
  });
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `ice-doctor serve [options]`: runs the bundled STUN/TURN server (RFC 8489 Binding with RFC 5780, RFC 8656
 * TURN over UDP, TCP and TLS) until SIGINT/SIGTERM, then deletes every allocation, closes every socket and
 * exits 0. Once listening it prints the endpoints (with `--json`: exactly one line
 * `{"udp":[...],"tcp":[...],"otherAddress":...,"limitations":[...],"turn":{...}}` on stdout). Logs are pino
 * JSON on stderr: allocations at info level, every request with `--verbose`. Environment:
 * `ICE_DOCTOR_LISTEN` (when no --listen), `ICE_DOCTOR_REALM`, `ICE_DOCTOR_AUTH_SECRET`,
 * `ICE_DOCTOR_EXTERNAL_IP`, `ICE_DOCTOR_RELAY_PORTS`.
 * Bad flags: ConfigError, exit 2; a port in use: UserError `address-in-use`, exit 2.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bundled STUN/TURN server (RFC 5780 two IPs × two ports; TURN over UDP, TCP, TLS)')
    .option('--listen <addrs>', 'up to two IPs per family, comma-separated (default: 127.0.0.1,127.0.0.2)')
    .option('--port <n>', 'primary port P1; 0 picks a free pair (default: 3478)')
    .option('--alt-port <n>', 'alternate port P2 (default: port + 1)')
    .option('--no-tcp', 'no TCP listeners')
    .option('--tls-port <n>', 'TURN/STUN over TLS port (default: 5349; 0 with --port 0)')
    .option('--no-tls', 'no TLS listener')
    .option('--tls-cert <file>', 'PEM certificate chain for TLS (default: self-signed, generated at start)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--realm <realm>', 'authentication realm (default: ice-doctor)')
    .option('--user <name:password>', 'a long-term credential; repeatable', collectWhole)
    .option('--auth-secret <secret>', 'TURN REST API shared secret; repeatable for rotation', collectWhole)
    .option('--external-ip <ips>', 'public IP(s) to advertise in XOR-RELAYED-ADDRESS (one per family)')
    .option('--relay-ports <min-max>', 'UDP port range of relayed addresses (default: 49152-65535)')
    .option(
      '--allow-peer <cidrs>',
      'peer ranges to allow despite the deny-by-default policy; repeatable',
      collect,
    )
    .option('--deny-peer <cidrs>', 'more peer ranges to deny; repeatable', collect)
    .option('--allocation-lifetime <s>', 'default allocation lifetime in seconds (default: 600)')
    .option('--max-allocation-lifetime <s>', 'longest allocation lifetime in seconds (default: 3600)')
    .option('--permission-lifetime <s>', 'permission lifetime in seconds (default: 300)')
    .option('--channel-lifetime <s>', 'channel binding lifetime in seconds (default: 600)')
    .option('--nonce-lifetime <s>', 'seconds before a nonce is stale, 438 (default: 600)')
    .option('--user-quota <n>', 'allocations per user (default: 100)')
    .option('--total-quota <n>', 'allocations in total (default: 2000)')
    .option('--bandwidth <bytes/s>', 'relayed bytes per second per allocation (default: no cap)')
    .option('--metrics-port <n>', 'serve Prometheus metrics on this port (default: off)')
    .option('--metrics-host <ip>', 'address of the metrics endpoint (default: 127.0.0.1)')
    .option('--json', 'print the endpoints as one JSON line once listening')
    .option('--verbose', 'log every request as JSON on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  ice-doctor serve',
        '  ice-doctor serve --listen 203.0.113.10,203.0.113.11 --user alice:s3cret --relay-ports 49160-49200',
        '  ice-doctor serve --listen 10.0.0.5 --external-ip 198.51.100.7 --auth-secret "$SECRET" --metrics-port 9641',
        '',
        'Peers on private, loopback and link-local ranges (and 169.254.169.254) are refused with 403 unless',
        'allowed with --allow-peer; when every listening address is loopback, loopback peers are allowed.',
      ].join('\n'),
    )
    .action(async (flags: ServeCommandFlags) => {
      const listen = flags.listen ?? process.env.ICE_DOCTOR_LISTEN;
      const options = parseServeFlags({ ...flags, ...(listen !== undefined && { listen }) });
      const turn = parseTurnFlags(flags, options.addresses, options.port === 0);
      const logger = pino(
        { level: flags.verbose ? 'debug' : 'info' },
        pino.destination({ dest: 2, sync: true }),
      );
      const server = await startTurnServer({
        addresses: options.addresses,
        port: options.port,
        ...(options.altPort !== null && { altPort: options.altPort }),
        tcp: options.tcp,
        turn,
        logger,
      });
      const signal = untilSignal();
      process.stdout.write(flags.json ? `${serveJson(server)}\n` : renderServeText(server));
      logger.info({ signal: await signal }, 'stopping: deleting allocations and closing sockets');
      await server.close();
      process.exitCode = 0;
    });
}
