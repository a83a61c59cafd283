import type { Command } from 'commander';
import { STUN_DEFAULT_PORT, STUNS_DEFAULT_PORT } from '../../shared/ice-url.js';
import { DEFAULT_REPORT_HTTPS_PORT, DEFAULT_REPORT_PORT } from '../../web/server/report-settings.js';
import type { ServeCommandFlags } from '../config/serve-config.js';
import { withInvocation } from '../examples.js';
import type { Served } from '../render/serve.js';

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
const collectWhole = (value: string, previous: string[] = []): string[] => [...previous, value];

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
 * TURN over UDP, TCP and TLS) and, unless `--no-report`, the web report page beside it (HTTP and HTTPS,
 * src/web/server) until SIGINT/SIGTERM, then deletes every allocation, closes every socket and
 * exits 0. The page's TURN credentials are minted from a random per-process TURN REST secret that the
 * TURN server accepts besides the operator's, scoped to this server's relayed addresses and the page's
 * signaling room-mates (page-scope.ts); static `--user` passwords never reach the page. Once
 * listening it prints the endpoints and the page's URL (with `--json`: exactly one line
 * on stdout, shaped by src/report/serve-schema.ts `serveLineSchema`). Logs are pino
 * JSON on stderr: allocations at info level, every request with `--verbose`; at warn level, a TURN REST
 * secret under 16 bytes, a UDP receive buffer the kernel capped below `--udp-buffer-bytes`, a soft
 * open-file limit under LOW_FD_LIMIT (4,096), a `--total-quota` above the relay sockets that limit leaves,
 * and connections refused by the connection budget (once per client a minute). Before any listener
 * starts, the process connection budget (src/net/connection-budget.ts) is set from the open-file limit and
 * `--max-connections-per-ip`; the limit and budget are printed (`fds` in the JSON line, serve-fds.ts).
 * `--allocate-timeout` closes TURN TCP/TLS connections with no allocation (default 60 s). Settings come
 * from the flags, then the environment (`ICE_DOCTOR_LISTEN`, `ICE_DOCTOR_REALM`, `ICE_DOCTOR_AUTH_SECRET`,
 * `ICE_DOCTOR_EXTERNAL_IP`, `ICE_DOCTOR_RELAY_PORTS`, `ICE_DOCTOR_PUBLIC_HOST`), then the YAML file of `--config FILE` (or
 * `ICE_DOCTOR_CONFIG`; keys are the long flags), then the server's defaults (src/cli/config/serve-config.ts);
 * `--print-config` prints the merged result with secrets masked (YAML, or one JSON line with `--json`) and
 * exits 0 without binding anything.
 * With `--tls-cert`/`--tls-key`, a `--public-host` the certificate does not name is warned about, and
 * SIGHUP reloads the pair for the TURN TLS listener and the page's HTTPS (serve-tls.ts; a pair that does
 * not load is logged at error level and the old one stays). The first `--public-host` names the `turns:`
 * URLs and the printed page URLs (bundled-ice-server.ts `bundledTurnUrls`).
 * With `--data-dir DIR` or `--database URL` (or `ICE_DOCTOR_DATA_DIR` / `ICE_DOCTOR_DATABASE_URL`) the support
 * links are on (serve-support.ts): the store is opened before any listener, the report server gets the
 * invite routes, `public-base-url` is written once it listens, the webhook dispatcher (with
 * `--webhook-secret-file`) and the `--retention` sweep run until shutdown, and the store is closed last.
 * Bad flags, variables or file keys: ConfigError, exit 2; a port in use: UserError `address-in-use`, exit 2.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bundled STUN/TURN server (RFC 5780 two IPs × two ports; TURN over UDP, TCP, TLS)')
    .option('--listen <addrs>', 'up to two IPs per family, comma-separated (default: 127.0.0.1,127.0.0.2)')
    .option('--port <n>', `primary port P1; 0 picks a free pair (default: ${STUN_DEFAULT_PORT})`)
    .option('--alt-port <n>', 'alternate port P2 (default: port + 1)')
    .option('--no-tcp', 'no TCP listeners')
    .option(
      '--udp-buffer-bytes <n>',
      'receive buffer of each UDP listening socket; 0 = kernel default (default: 4194304, capped by net.core.rmem_max)',
    )
    .option('--tls-port <n>', `TURN/STUN over TLS port (default: ${STUNS_DEFAULT_PORT}; 0 with --port 0)`)
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
    .option(
      '--auth-failure-limit <n>',
      'failed authentications per client IP (IPv6: /64) within 60 s before its passwords go unchecked; 0 = no limit (default: 20)',
    )
    .option('--auth-block <s>', 'seconds a client over --auth-failure-limit is refused (default: 60)')
    .option(
      '--allocate-timeout <s>',
      'seconds a TURN TCP/TLS connection may stay open without an allocation, from its accept (default: 60)',
    )
    .option(
      '--max-connections-per-ip <n>',
      'TCP/TLS/HTTP(S) connections one client IP (IPv6: /64) may hold at once over all listeners (default: 100)',
    )
    .option('--user-quota <n>', 'allocations per user (default: 100)')
    .option('--total-quota <n>', 'allocations in total (default: 2000)')
    .option('--bandwidth <bytes/s>', 'relayed bytes per second per allocation (default: no cap)')
    .option(
      '--alternate-server <ip:port>',
      'answer UDP/TCP Allocates with 300 Try Alternate to this server (IP[:PORT], port default 3478); repeatable, round-robin',
      collect,
    )
    .option(
      '--alternate-server-when <when>',
      'always: redirect every UDP/TCP Allocate (coturn alternate-server); full: only when the total quota or the relay ports are exhausted (default: always)',
    )
    .option('--metrics-port <n>', 'serve Prometheus metrics on this port (default: off)')
    .option('--metrics-host <ip>', 'address of the metrics endpoint (default: 127.0.0.1)')
    .option(
      '--report-port <n>',
      `HTTP port of the report page (default: ${DEFAULT_REPORT_PORT}; 0 with --port 0)`,
    )
    .option(
      '--report-https-port <n>',
      `HTTPS port of the report page (default: ${DEFAULT_REPORT_HTTPS_PORT}; 0 with --port 0)`,
    )
    .option('--report-host <ip>', 'address of the report page (default: the first --listen address)')
    .option(
      '--public-host <names>',
      'DNS name(s) the report page is reached by; the first names the turns: URLs and the printed URLs (the name --tls-cert is for). IP addresses and localhost always work; other Host names get 421 (DNS rebinding); repeatable',
      collect,
    )
    .option('--no-report', 'do not serve the report page')
    .option(
      '--data-dir <dir>',
      'support links on: invites and collected reports in SQLite, DIR/ice-doctor.sqlite (or ICE_DOCTOR_DATA_DIR)',
    )
    .option(
      '--database <url>',
      'support links on, in PostgreSQL: postgres://user@host/db, shareable by several servers (or ICE_DOCTOR_DATABASE_URL)',
    )
    .option(
      '--retention <duration>',
      'delete collected reports older than this, e.g. 30d, 12h; 0 keeps them (default: 30d)',
    )
    .option('--scrub-ips', 'remove IP addresses from every collected report, whatever the invite says')
    .option(
      '--webhook-url <url>',
      'POST every collected report to this http(s) URL, HMAC-signed (needs --webhook-secret-file)',
    )
    .option(
      '--webhook-secret-file <file>',
      'file holding the HMAC key (≥ 16 bytes) that signs webhook POSTs, global and per invite',
    )
    .option(
      '--page-ice-server <url[;cred]>',
      'another STUN/TURN server the page tests: stun:host[:port], or turn:/turns: with ;secret=S, ' +
        ';secret-env=VAR (TURN REST secret) or ;user=NAME:PASSWORD (shown to visitors); repeatable',
      collectWhole,
    )
    .option(
      '--config <file>',
      'YAML config file; keys are the long flags (default: ICE_DOCTOR_CONFIG, else none)',
    )
    .option(
      '--print-config',
      'print the effective settings (YAML, or JSON with --json), secrets masked, and exit',
    )
    .option('--json', 'print the endpoints as one JSON line once listening')
    .option('--verbose', 'log every request as JSON on stderr')
    .addHelpText(
      'after',
      withInvocation(
        [
          '',
          'Examples:',
          '  ice-doctor serve',
          '  ice-doctor serve --listen 203.0.113.10,203.0.113.11 --user alice:s3cret --relay-ports 49160-49200',
          '  ice-doctor serve --listen 10.0.0.5 --external-ip 198.51.100.7 --auth-secret "$SECRET" --metrics-port 9641',
          '  ice-doctor serve --page-ice-server "turns:turn.example.org:5349;secret-env=TURN_SECRET"',
          '  ice-doctor serve --config /etc/ice-doctor.yaml --print-config',
          '  ice-doctor serve --data-dir /var/lib/ice-doctor --webhook-url https://hooks.example.org/ice --webhook-secret-file /etc/ice-doctor/webhook.key',
          '',
          'Settings: flags beat ICE_DOCTOR_* variables, which beat the --config file (YAML; keys are the long',
          'flags without --, lists for repeatable ones, e.g. `tcp: false`, `user: [alice:s3cret]`), which beats',
          'the defaults. --print-config shows the result, secrets masked.',
          '',
          'Peers on private, loopback and link-local ranges (and 169.254.169.254) are refused with 403 unless',
          'allowed with --allow-peer; when every listening address is loopback, loopback peers are allowed.',
          '',
          'Connections: every accepted TCP, TLS, HTTP and HTTPS connection counts against one budget of the',
          'process: half of the open-file limit (RLIMIT_NOFILE, raised to its hard limit at start, printed',
          'then), the other half kept for relay sockets; --max-connections-per-ip of it per client. A TURN',
          'TCP/TLS connection with no allocation --allocate-timeout seconds after its accept is closed, Binding',
          'keepalives or not; a TLS handshake must finish within 10 s. Refusals are logged at debug level, with',
          'one warn line per client a minute at most. A soft open-file limit under 4096 is warned about.',
          '',
          'Password guessing: a client IP that fails --auth-failure-limit authentications (counted only with a',
          'nonce this server sent to that IP, so spoofed floods cannot lock anyone out) gets 401 for every signed',
          'request for --auth-block seconds, right password or not; logged once per block at warn level.',
          '',
          `The report page (http://<report-host>:${DEFAULT_REPORT_PORT}/ and https://…:${DEFAULT_REPORT_HTTPS_PORT}/, self-signed unless --tls-cert) tests`,
          'from a browser which paths connect: STUN on each server IP, TURN over UDP, TCP and TLS, a call',
          'between two browsers. Its TURN credentials are minted per visitor from a random secret of this',
          "process (valid 10 minutes), and relay only to this server's relayed addresses and to the other",
          "browser of the page's two-peer room (403 for any other peer); --user passwords are never shown to",
          'it. A --page-ice-server with',
          ';user=NAME:PASSWORD hands that password to every visitor: use ;secret-env= where you can.',
          '',
          'A real certificate: --public-host turn.example.org --tls-cert fullchain.pem --tls-key privkey.pem.',
          'The turns: URLs and the printed page URLs then use the name (stun: and turn: keep the IP addresses);',
          'a certificate that does not name it is warned about. SIGHUP re-reads --tls-cert/--tls-key (a renewed',
          'certificate) for TURN over TLS and the HTTPS page; a pair that does not load is logged, the old stays.',
          '',
          'Support links (--data-dir or --database): `ice-doctor invite create --label T --expires 7d` makes a',
          'link <page>/i/<token>; the visitor opens it, runs the test and the report is stored (IP addresses',
          'removed with --scrub-ips or an invite made with --no-ips), sent to the webhooks, and listed on',
          '<page>/admin for the users of `ice-doctor admin add-user`. Reports older than --retention are deleted.',
        ].join('\n'),
      ),
    )
    .action(async (given: ServeCommandFlags, command: Command) => {
      // Loaded here, not at the top: `--version`, `--help` and the other commands never pay for express,
      // the certificate generator, pino and the TURN server.
      const { pino } = await import('pino');
      const { loadTlsCredentials } = await import('../../server/stun/tls-credentials.js');
      const { PageScope } = await import('../../server/turn/page-scope.js');
      const { udpBufferWarning, udpRecvBuffer } = await import('../../server/stun/udp-buffer.js');
      const { startTurnServer } = await import('../../server/turn/server.js');
      const { startBundledReport } = await import('../../web/server/bundled-report.js');
      const { resolveServeConfig, saidByServe } = await import('../config/serve-config.js');
      const { renderServeText, serveJson } = await import('../render/serve.js');
      const { fdReport } = await import('./serve-fds.js');
      const { publicHostWarnings, reloadTlsOnSignal } = await import('./serve-tls.js');
      const { processConnectionBudget } = await import('../../net/connection-budget.js');
      const { openServeSupport } = await import('./serve-support.js');
      const { readFdLimit } = await import('../../net/fd-limit.js');
      const config = resolveServeConfig(command, given);
      const { flags, stun: options, turn, report: reportSettings } = config;
      if (flags.printConfig) {
        const { renderConfig } = await import('../config/print-config.js');
        process.stdout.write(renderConfig(config, flags.json === true));
        process.exitCode = 0;
        return;
      }
      // A SettingsError of starting (an unreadable --tls-cert) is said under the flag or file key it came from.
      const said = (err: unknown): never => {
        throw saidByServe(err, config, command);
      };
      let tls: ReturnType<typeof loadTlsCredentials> | null = null;
      try {
        if (turn.tlsCertFile && turn.tlsKeyFile) tls = loadTlsCredentials(turn.tlsCertFile, turn.tlsKeyFile);
      } catch (err) {
        said(err);
      }
      // Asynchronous: lines logged while a write(2) is in flight go out together in the next one, so a burst
      // of allocations costs a few syscalls instead of one per line; pino flushes what is left on exit.
      const logger = pino(
        { level: flags.verbose ? 'debug' : 'info' },
        pino.destination({ dest: 2, sync: false }),
      );
      for (const w of turn.warnings) logger.warn(w);
      const publicHosts = reportSettings?.publicHosts ?? [];
      if (tls) for (const w of publicHostWarnings(tls, publicHosts)) logger.warn(w);
      // Before any listener starts: every TCP, TLS, HTTP and HTTPS listener of the process shares it.
      const fds = fdReport(
        readFdLimit(),
        processConnectionBudget({ perIp: turn.connectionsPerIp }),
        turn.totalQuota,
      );
      for (const w of fds.warnings) logger.warn(w);
      const support = config.support
        ? await openServeSupport(
            config.support,
            logger.child({ component: 'support' }),
            command.parent!.name(),
          )
        : null;
      const pageScope = reportSettings ? new PageScope() : undefined;
      const server = await startTurnServer({
        addresses: options.addresses,
        port: options.port,
        ...(options.altPort !== null && { altPort: options.altPort }),
        tcp: options.tcp,
        udpBufferBytes: options.udpBufferBytes,
        turn,
        ...(pageScope && { pageScope }),
        logger,
      }).catch(async (err: unknown) => {
        await support?.close();
        return said(err);
      });
      let report: Served['report'] = null;
      try {
        if (reportSettings && pageScope)
          report = await startBundledReport(server, {
            settings: reportSettings,
            pageScope,
            ...(tls && { tls }),
            logger: logger.child({ component: 'report' }),
            ...(support && { support: support.deps }),
          });
      } catch (err) {
        await server.close();
        await support?.close();
        said(err);
      }
      const supportSummary = support && report ? await support.started(report) : null;
      const bufferWarning = udpBufferWarning(udpRecvBuffer(server.fronts));
      if (bufferWarning) logger.warn(bufferWarning);
      const stopReload =
        turn.tlsCertFile && turn.tlsKeyFile
          ? reloadTlsOnSignal({
              certFile: turn.tlsCertFile,
              keyFile: turn.tlsKeyFile,
              targets: [server, ...(report ? [report] : [])],
              publicHosts,
              logger,
            })
          : () => undefined;
      const signal = untilSignal();
      const served: Served = {
        server,
        authSecrets: turn.authSecrets.length,
        report,
        fds: fds.report,
        publicHost: publicHosts[0] ?? null,
        support: supportSummary,
      };
      process.stdout.write(flags.json ? `${serveJson(served)}\n` : renderServeText(served));
      logger.info({ signal: await signal }, 'stopping: deleting allocations and closing sockets');
      stopReload();
      await Promise.all([server.close(), report?.close()]);
      await support?.close();
      process.exitCode = 0;
    });
}
