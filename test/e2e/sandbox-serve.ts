import { CLI_PATH } from '../natlab/paths.js';
import { type LabProcess, startInNs } from '../natlab/processes.js';
import { createSandbox, SANDBOX_IP, type Sandbox } from './sandbox.js';

/** `ice-doctor serve` (the built `dist/cli.js`) running inside a fresh {@link Sandbox}. */
export interface SandboxedServe {
  readonly sandbox: Sandbox;
  readonly serve: LabProcess;
  /** The report page over HTTP and HTTPS (`report.url` / `report.httpsUrl` of the `--json` line). */
  readonly url: string;
  readonly httpsUrl: string;
  /** Stops the server (its PID), then deletes the namespace. */
  close(): Promise<void>;
}

/**
 * Creates a sandbox and starts `ip netns exec <ns> node dist/cli.js serve --listen 100.64.90.1 --port 0
 * --json --allow-peer 100.64.0.0/10` in it (picked ports, relaying allowed inside the sandbox only), and
 * waits up to 20 s for its `--json` line. Needs root and `npm run build`.
 */
export async function serveInSandbox(): Promise<SandboxedServe> {
  const sandbox = await createSandbox();
  let serve: LabProcess | null = null;
  try {
    serve = startInNs(sandbox.ns, 'serve', process.execPath, [
      CLI_PATH,
      'serve',
      '--listen',
      SANDBOX_IP,
      '--port',
      '0',
      '--json',
      '--allow-peer',
      '100.64.0.0/10',
    ]);
    const line = await serve.waitForLine((l) => l.startsWith('{'), 20_000);
    const { report } = JSON.parse(line) as { report: { url: string; httpsUrl: string } | null };
    if (report === null) throw new Error(`serve printed no report URL: ${line}`);
    const running = serve;
    return {
      sandbox,
      serve: running,
      url: report.url,
      httpsUrl: report.httpsUrl,
      async close() {
        await running.stop();
        await sandbox.close();
      },
    };
  } catch (err) {
    await serve?.stop();
    await sandbox.close();
    throw err;
  }
}
