import { parseServeLine, type ServeLine } from '../report/serve-schema.js';
import type { LabProcess } from './processes.js';
import type { Lab } from './topology.js';

/** UDP/TCP port P1 of the bundled server in pub (alternate port P2 = this + 1), as a STUN server's default. */
export const BUNDLED_STUN_PORT = 3478;

/**
 * How long the bundled server may take to print its `--json` line, in ms. It is ready in ~1 s on a quiet
 * machine; a 2-core machine at load average 12 once took over 15 s (a lab test's stress run).
 */
const READY_TIMEOUT_MS = 30_000;

/** The bundled server running in pub: its process (teardown kills it by PID) and its `serve --json` line. */
export interface BundledServer {
  readonly proc: LabProcess;
  readonly ready: ServeLine;
}

/**
 * Starts ice-doctor's bundled server in pub as a process: `ip netns exec <pub> <node> <cliPath> serve
 * --listen <listen> --port 3478 --json [extraArgs]`, and resolves once it has printed its `--json` line
 * (src/report/serve-schema.ts; printed when every listener is bound, so datagrams sent after it are queued).
 * The one starter of the lab: `ice-doctor lab` passes its own path, tests and benches `dist/cli.js`.
 * @param cliPath the ice-doctor CLI to run (a JS file run with this process's `node`).
 * @param listen the addresses in pub to serve on (up to two per family, primary first).
 * @param extraArgs further `serve` flags, e.g. `--allow-peer 203.0.113.0/24` or `--no-report`.
 * @throws Error (with the server's last output lines) when it exits or prints no valid line within 15 s;
 *   the process is stopped first.
 */
export async function startBundledServer(
  lab: Lab,
  cliPath: string,
  listen: readonly string[],
  extraArgs: readonly string[] = [],
): Promise<BundledServer> {
  const proc = lab.start('pub', 'ice-doctor serve', process.execPath, [
    cliPath,
    'serve',
    '--listen',
    listen.join(','),
    '--port',
    String(BUNDLED_STUN_PORT),
    '--json',
    ...extraArgs,
  ]);
  try {
    const line = await proc.waitForLine(
      (l) => l.trimStart().startsWith('{') && l.includes('"udp"'),
      READY_TIMEOUT_MS,
    );
    return { proc, ready: parseServeLine(line) };
  } catch (err) {
    await proc.stop();
    throw new Error(`${proc.name} not ready: ${(err as Error).message}\n${proc.lines.slice(-30).join('\n')}`);
  }
}
