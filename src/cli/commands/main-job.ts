import type { Command } from 'commander';

interface MainFlags {
  json?: boolean;
  timeout: string;
  server?: string[];
  serversFile?: string;
}

/**
 * The default action of `ice-doctor`: probe the public servers and self-test the bundled server on
 * loopback; prints a report and exits 0 even offline (public part then replaced by a one-line reason).
 */
export function registerMain(program: Command): void {
  program
    .option('--json', 'print the report as one JSON object (schemaVersion 1)')
    .option('--timeout <ms>', 'deadline of each probe, in ms', '3000')
    .option(
      '--server <url...>',
      'public STUN servers to probe instead of the defaults (env ICE_DOCTOR_STUN_SERVERS)',
    )
    .option('--servers-file <file>', 'public STUN servers to probe, one URL per line (# comments)')
    .action(async (flags: MainFlags) => {
      // Loaded here, not at the top: `--version`, `--help` and the other commands never pay for them.
      const { parseMs, publicServers } = await import('../config/probe-flags.js');
      const { renderDiagnosisText } = await import('../render/diagnosis.js');
      const { runDiagnosis } = await import('../../diagnosis/run.js');
      const { startProgress } = await import('./progress.js');
      const { invocation } = await import('../invocation.js');
      const timeoutMs = parseMs('--timeout', flags.timeout);
      const progress = startProgress('starting');
      const report = await runDiagnosis({
        servers: publicServers(flags.server, process.env, flags.serversFile),
        timeoutMs,
        onProgress: (t) => progress.update(t),
      }).finally(() => progress.stop());
      // The report is typed by its zod schema, and the tests validate this output against it; parsing it here
      // again only reordered keys and cost ~100 ms of loading zod on every --json run.
      process.stdout.write(
        flags.json ? `${JSON.stringify(report)}\n` : `${renderDiagnosisText(report, invocation())}\n`,
      );
    });
}
