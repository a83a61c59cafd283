import type { Command } from 'commander';
import { pino } from 'pino';
import { formatAddress } from '../stun/address.js';
import { parseServeFlags } from '../turn-server/options.js';
import { type RunningStunServer, startStunServer } from '../turn-server/server.js';

interface ServeCommandFlags {
  listen?: string;
  port?: string;
  altPort?: string;
  tcp?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** The human description of a running server: endpoints, OTHER-ADDRESS, limitations. */
function renderServeText(server: RunningStunServer): string {
  const lines = [
    `ice-doctor STUN server (RFC 8489 Binding + RFC 5780), primary ${formatAddress(server.primary)}`,
    `  UDP  ${server.udp.map(formatAddress).join('  ')}`,
  ];
  if (server.tcp.length > 0) lines.push(`  TCP  ${server.tcp.map(formatAddress).join('  ')}`);
  lines.push(
    `  OTHER-ADDRESS  ${server.otherAddress ? formatAddress(server.otherAddress) : 'none (one IP)'}`,
  );
  for (const l of server.limitations) lines.push(`  limited: ${l}`);
  lines.push('Serving until SIGINT/SIGTERM (Ctrl-C).');
  return `${lines.join('\n')}\n`;
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
 * `ice-doctor serve [--listen ADDR[,ADDR2]] [--port N] [--alt-port N] [--no-tcp] [--json] [--verbose]`:
 * runs the bundled RFC 5780 STUN server until SIGINT/SIGTERM, then closes every socket and exits 0.
 * Once listening it prints the endpoints (with `--json`: exactly one line
 * `{"udp":[...],"tcp":[...],"otherAddress":...,"limitations":[...]}` on stdout, addresses as
 * `{address, port, family}`). With `--verbose` every request is logged as pino JSON (debug) on stderr.
 * Bad flags: ConfigError, exit 2; a port in use: UserError `address-in-use`, exit 2.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bundled STUN server (RFC 5780: two IPs × two ports, UDP and TCP)')
    .option('--listen <addrs>', 'one or two IPs, comma-separated (default: 127.0.0.1,127.0.0.2)')
    .option('--port <n>', 'primary port P1; 0 picks a free pair (default: 3478)')
    .option('--alt-port <n>', 'alternate port P2 (default: port + 1)')
    .option('--no-tcp', 'serve UDP only')
    .option('--json', 'print the endpoints as one JSON line once listening')
    .option('--verbose', 'log every request as JSON on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  ice-doctor serve\n  ice-doctor serve --listen 203.0.113.10,203.0.113.11 --port 3478 --json',
    )
    .action(async (flags: ServeCommandFlags) => {
      const options = parseServeFlags(flags);
      const logger = pino(
        { level: flags.verbose ? 'debug' : 'warn' },
        pino.destination({ dest: 2, sync: true }),
      );
      const server = await startStunServer({ ...options, altPort: options.altPort ?? undefined, logger });
      const signal = untilSignal();
      const { udp, tcp, otherAddress, limitations } = server;
      process.stdout.write(
        flags.json ? `${JSON.stringify({ udp, tcp, otherAddress, limitations })}\n` : renderServeText(server),
      );
      logger.debug({ signal: await signal }, 'stopping');
      await server.close();
      process.exitCode = 0;
    });
}
