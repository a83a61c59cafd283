import type { Command } from 'commander';
import { withInvocation } from '../examples.js';

/** Commander's flags of `exporter`, as text. */
interface ExporterFlags {
  config: string;
  listen: string;
  maxConcurrent: string;
  maxQueued: string;
}

/** Where the exporter listens when `--listen` is not given: loopback only (an open prober is an SSRF tool). */
export const DEFAULT_EXPORTER_LISTEN = '127.0.0.1:9478';

const EXAMPLES = `
Examples:
  ice-doctor exporter --config exporter.yaml
  ice-doctor exporter --config exporter.yaml --listen 0.0.0.0:9478 --max-concurrent 8
      (listening beyond loopback needs allowedTargets in exporter.yaml, or allowAnyTarget: true)
  curl 'http://127.0.0.1:9478/probe?target=turns:turn.example.org:5349&module=turn_tls'

GET /probe?target=URL&module=NAME runs one probe (a turn-check for kind: turn, a STUN Binding request for
kind: stun) and answers Prometheus text: probe_success, probe_duration_seconds, phase durations, relay RTT
and loss, certificate expiry, relay reachability from outside. GET /metrics: the exporter's own metrics.
Credentials come from the config file's modules (environment variables or files), never from the target.
Prometheus config and alert rules: deploy/prometheus/; a Grafana dashboard: deploy/grafana/. See docs/exporter.md.
Runs until SIGINT/SIGTERM. Exit status: 2 on a usage or config error.`;

/**
 * `ice-doctor exporter --config FILE [--listen HOST:PORT] [--max-concurrent N] [--max-queued N]`: a
 * Prometheus prober modelled on blackbox_exporter (src/exporter/). Prints one line once listening, logs one
 * line per failed probe to stderr, stops on SIGINT/SIGTERM (exit 0). Config errors: ConfigError, exit 2.
 */
export function registerExporter(program: Command): void {
  program
    .command('exporter')
    .description('Prometheus prober: GET /probe?target=…&module=… runs a turn-check or STUN probe')
    .requiredOption('--config <file>', 'YAML file of modules (kind: turn | stun) and allowedTargets')
    .option('--listen <host:port>', 'address to listen on', DEFAULT_EXPORTER_LISTEN)
    .option('--max-concurrent <n>', 'probes run at once', '4')
    .option('--max-queued <n>', 'probes that may wait for a free slot (more are answered 503)', '8')
    .addHelpText('after', withInvocation(EXAMPLES))
    .action(async (flags: ExporterFlags) => {
      const { parseWhole } = await import('../config/flag-values.js');
      const { parseListen, readExporterConfig, refuseOpenProber } = await import(
        '../config/exporter-config.js'
      );
      const { startExporter } = await import('../../exporter/server.js');
      const { logText } = await import('../../shared/log-text.js');
      const listen = parseListen(flags.listen);
      const settings = readExporterConfig(flags.config, {
        maxConcurrent: parseWhole('--max-concurrent', flags.maxConcurrent, { min: 1, max: 1000 }),
        maxQueued: parseWhole('--max-queued', flags.maxQueued, { min: 0, max: 10_000 }),
      });
      refuseOpenProber(flags.config, listen.host, settings);
      const log = (line: string): void => {
        process.stderr.write(`${new Date().toISOString()} ${logText(line, 1000)}\n`);
      };
      const exporter = await startExporter(settings, listen, log);
      const open = settings.allowedTargets === null ? ' (any target: set allowedTargets to narrow it)' : '';
      process.stdout.write(
        `ice-doctor exporter listening on ${exporter.url}: modules ${[...settings.modules.keys()].join(', ')}${open}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await exporter.close();
    });
}
