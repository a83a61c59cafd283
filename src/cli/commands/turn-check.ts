import type { Command } from 'commander';
import { PROXY_FLAG_HELP } from '../config/proxy-flag-help.js';
import type { TurnCredentialFlags } from '../config/turn-check-credentials.js';
import { DEFAULT_REST_TTL_S, DEFAULT_REST_USER } from '../config/turn-check-defaults.js';
import { withInvocation } from '../examples.js';

/** Commander's flags: the credential flags as given, `--rest-ttl` and `--timeout` still text. */
interface TurnCheckFlags extends Omit<TurnCredentialFlags, 'restTtlS'> {
  restTtl: string;
  insecure?: boolean;
  ca?: string;
  json?: boolean;
  timeout: string;
  quality: boolean;
  qualityDuration?: string;
  /** False with `--no-outside-reach`. */
  outsideReach: boolean;
  proxy?: string;
}

const EXAMPLES = `
Examples:
  ice-doctor turn-check turn:turn.example.org --user alice --password s3cret
  ice-doctor turn-check 'turn:203.0.113.10:3478?transport=udp' turns:turn.example.org:5349 --user alice --password s3cret
  ice-doctor turn-check turns:turn.example.org --auth-secret "$STATIC_AUTH_SECRET" --rest-user probe --json
  ice-doctor turn-check turns:turn.internal.example:5349 --ca private-root.pem --user alice --password s3cret
  ICE_DOCTOR_TURN_USER=alice ICE_DOCTOR_TURN_PASSWORD=s3cret ice-doctor turn-check turn:turn.example.org
  HTTPS_PROXY=http://proxy.example.org:3128 ice-doctor turn-check turns:turn.example.org:443 --user alice --password s3cret

For each URL and transport (turn: = UDP and TCP unless ?transport= narrows it; turns: = TLS) it allocates a
relay, makes a second allocation on the same server as the peer, installs permissions and channels, sends
data both ways as Send indications and as ChannelData, measures the relay's quality (RTT, loss, jitter and
the largest datagram that survives, ~1 s; --no-quality skips it), refreshes and deletes, asks for a relay of
the other address family (IPv4/IPv6), and names what is wrong. Beside that, ice-doctor's own UDP socket is an outside
peer: it sends to 3 more relayed addresses and gets data back through them, to tell whether the relay ports
are reachable from outside the TURN host (--no-outside-reach skips it).
Credentials may also come from ICE_DOCTOR_TURN_USER, ICE_DOCTOR_TURN_PASSWORD, ICE_DOCTOR_TURN_SECRET.
Exit status: 0 every check passed, 1 a check failed, 2 usage error.`;

/**
 * `ice-doctor turn-check URL... (--user U --password P | --auth-secret S [--rest-user NAME])`: checks TURN
 * servers end to end (RFC 8656) and names what is wrong in plain words. Exit 0 when every check passes, 1
 * when any fails, 2 on usage errors (bad URL, missing or conflicting credentials) — thrown as ConfigError
 * before anything is sent. With `--json`, exactly one JSON object matching `turnCheckReportSchema`.
 */
export function registerTurnCheck(program: Command): void {
  program
    .command('turn-check')
    .description(
      'check TURN servers end to end (allocate, permissions, relay both ways, channels, refresh, delete)',
    )
    .argument('<url...>', 'turn:host[:port][?transport=udp|tcp] or turns:host[:port]')
    .option('--user <name>', 'long-term credential user name')
    .option('--password <password>', 'long-term credential password')
    .option('--auth-secret <secret>', "mint TURN REST credentials from the server's static-auth-secret")
    .option(
      '--rest-user <name>',
      `user part of the minted TURN REST user name (default: ${DEFAULT_REST_USER})`,
    )
    .option(
      '--rest-ttl <s>',
      'lifetime of minted TURN REST credentials, in seconds',
      String(DEFAULT_REST_TTL_S),
    )
    .option('--insecure', 'do not verify the TLS certificate of turns: servers (and say so in the report)')
    .option(
      '--ca <file>',
      'PEM file of CA certificates to trust for turns: besides the bundled roots (private CA)',
    )
    .option('--json', 'print the report as one JSON object (schemaVersion 1)')
    .option('--timeout <ms>', 'deadline for each URL and transport, in ms', '10000')
    .option('--no-quality', 'skip the relay quality measure (RTT, loss, jitter, largest datagram)')
    .option(
      '--quality-duration <ms>',
      'length of the relay quality probe stream, in ms (200–10000, default 1000: 50 probes every 20 ms)',
    )
    .option(
      '--no-outside-reach',
      'skip the check that relay ports are reachable from outside (ice-doctor sends to them from its own socket)',
    )
    .option('--proxy <url>', PROXY_FLAG_HELP)
    .addHelpText('after', withInvocation(EXAMPLES))
    .action(async (urls: string[], flags: TurnCheckFlags) => {
      // Loaded here, not at the top: `--version`, `--help` and the other commands never pay for them.
      const { parseMs, parseSeconds } = await import('../config/probe-flags.js');
      const { credentialFlagsFromEnv, resolveTurnCredentials } = await import(
        '../config/turn-check-credentials.js'
      );
      const { renderTurnCheckText } = await import('../render/turn-check.js');
      const { runTurnCheck } = await import('../../client/turn-check/run.js');
      const { parseTurnTargets } = await import('../../client/url/turn-url.js');
      const { readCaFile } = await import('../config/ca-file.js');
      const { startProgress } = await import('./progress.js');
      const { parseQualityFlags } = await import('../config/turn-quality-flags.js');
      const { resolveProxy } = await import('../config/proxy-flag.js');
      const targets = parseTurnTargets(urls);
      const proxy = resolveProxy(flags.proxy, process.env);
      const timeoutMs = parseMs('--timeout', flags.timeout);
      const quality = parseQualityFlags(flags.quality, flags.qualityDuration, timeoutMs);
      const ca = flags.ca === undefined ? undefined : readCaFile('--ca', flags.ca);
      const credentials = resolveTurnCredentials({
        ...credentialFlagsFromEnv(flags),
        restTtlS: parseSeconds('--rest-ttl', flags.restTtl),
      });
      const progress = startProgress('turn-check');
      const report = await runTurnCheck({
        targets,
        credentials,
        insecure: flags.insecure ?? false,
        ca,
        timeoutMs,
        quality,
        outsideReach: flags.outsideReach,
        proxy,
        onProgress: (t) => progress.update(t),
      }).finally(() => progress.stop());
      // The report is typed by its zod schema, and the tests validate this output against it; parsing it here
      // again only reordered keys and cost ~100 ms of loading zod on every --json run.
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderTurnCheckText(report)}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });
}
