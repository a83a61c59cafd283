import type { Command } from 'commander';
import { PROXY_FLAG_HELP } from '../config/proxy-flag-help.js';
import { withInvocation } from '../examples.js';

interface ProbeFlags {
  json?: boolean;
  timeout: string;
  hairpin?: boolean;
  lifetime?: boolean;
  maxLifetime: string;
  pathMtu: boolean;
  insecure?: boolean;
  ca?: string;
  serversFile?: string;
  proxy?: string;
  portMapping: boolean;
  gateway?: string;
}

/**
 * `ice-doctor probe [URL...]`: NAT behaviour (RFC 5780) and STUN reachability against the given servers
 * (default: the public list). Exit 0 when a report was produced and at least one server answered, 1 when
 * no server answered on any transport, 2 on usage errors.
 */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('probe NAT mapping/filtering (RFC 5780) and STUN reachability over UDP/TCP/TLS')
    .argument(
      '[url...]',
      'stun:host[:port][?transport=tcp] or stuns:host[:port] (default: public servers, env ICE_DOCTOR_STUN_SERVERS)',
    )
    .option('--json', 'print the report as one JSON object (schemaVersion 1)')
    .option('--timeout <ms>', 'deadline for the whole probe, in ms', '5000')
    .option('--hairpin', 'also test hairpinning (RFC 5780 §4.5; some firewalls flag it)')
    .option('--lifetime', 'also measure the binding lifetime (RFC 5780 §4.6; slow)')
    .option('--max-lifetime <s>', 'upper bound of the lifetime search, in seconds', '60')
    .option('--no-path-mtu', 'skip the path MTU measure (padded Binding requests, RFC 5780 §7.6)')
    .option('--insecure', 'accept any TLS certificate for stuns: URLs')
    .option('--ca <file>', 'PEM file of CA certificates to trust for stuns: besides the bundled roots')
    .option('--servers-file <file>', 'probe the STUN URLs in FILE too (one per line, # comments)')
    .option('--proxy <url>', PROXY_FLAG_HELP)
    .option(
      '--no-port-mapping',
      'do not ask the gateway by UPnP IGD, NAT-PMP and PCP (nor create a test mapping)',
    )
    .option(
      '--gateway <ip>',
      "the gateway to ask for port mapping (default: the default route's, /proc/net/route)",
    )
    .addHelpText(
      'after',
      withInvocation(
        '\nExamples:\n  ice-doctor probe stun:stun.example.org\n  ice-doctor probe --json stun:203.0.113.10:3478 stuns:turn.example.org:5349',
      ),
    )
    .action(async (urls: string[], flags: ProbeFlags) => {
      // Loaded here, not at the top: `--version`, `--help` and the other commands never pay for them.
      const { parseMs, parseSeconds, publicServers } = await import('../config/probe-flags.js');
      const { UserError } = await import('../../errors.js');
      const { renderProbeText } = await import('../render/probe.js');
      const { isResolveFailure } = await import('../../client/transport/resolve.js');
      const { readCaFile } = await import('../config/ca-file.js');
      const { runProbe } = await import('../../client/nat-probe/run-probe.js');
      const { startProgress } = await import('./progress.js');
      const { resolveProxy } = await import('../config/proxy-flag.js');
      const proxy = resolveProxy(flags.proxy, process.env);
      const timeoutMs = parseMs('--timeout', flags.timeout);
      const maxLifetimeS = flags.lifetime ? parseSeconds('--max-lifetime', flags.maxLifetime) : undefined;
      const ca = flags.ca === undefined ? undefined : readCaFile('--ca', flags.ca);
      const { parseGateway } = await import('../config/gateway-flag.js');
      const gateway = flags.gateway === undefined ? undefined : parseGateway(flags.gateway);
      const progress = startProgress('probing');
      const report = await runProbe({
        urls: publicServers(urls, process.env, flags.serversFile),
        timeoutMs,
        hairpin: flags.hairpin,
        maxLifetimeS,
        pathMtu: flags.pathMtu,
        insecure: flags.insecure,
        ca,
        proxy,
        portMapping: flags.portMapping ? { ...(gateway !== undefined && { gateway }) } : undefined,
        onProgress: (t) => progress.update(t),
      }).finally(() => progress.stop());
      const unresolved = report.reachability.filter((r) => isResolveFailure(r.error));
      if (!flags.json && unresolved.length === report.reachability.length) {
        throw new UserError('dns', unresolved.map((r) => r.error).join('; '), 1);
      }
      // The report is typed by its zod schema, and the tests validate this output against it; parsing it here
      // again only reordered keys and cost ~100 ms of loading zod on every --json run.
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${renderProbeText(report)}\n`);
      if (!report.reachability.some((r) => r.reachable)) process.exitCode = 1;
    });
}
