import { type ServedPage, servePage } from './report-page-harness.js';
import { createSandbox, type Sandbox } from './sandbox.js';

/** `ice-doctor serve` (the built `dist/cli.js`) running inside a fresh {@link Sandbox}. */
export interface SandboxedServe extends ServedPage {
  readonly sandbox: Sandbox;
  readonly httpsUrl: string;
  /** Stops the server (its PID), then deletes the namespace. */
  close(): Promise<void>;
}

/**
 * Creates a sandbox and starts `serve --listen 100.64.90.1 --port 0 --allow-peer 100.64.0.0/10` in it with
 * {@link servePage} (picked ports, relaying allowed inside the sandbox only). Needs root and `npm run build`.
 * @throws Error when serve prints no HTTP and HTTPS page URL within 20 s (the sandbox is removed).
 */
export async function serveInSandbox(): Promise<SandboxedServe> {
  const sandbox = await createSandbox();
  try {
    const served = await servePage(sandbox.ns, ['--port', '0']);
    const { httpsUrl } = served;
    if (httpsUrl === null) {
      await served.serve.stop();
      throw new Error('serve printed no HTTPS page URL');
    }
    return {
      ...served,
      httpsUrl,
      sandbox,
      async close() {
        await served.serve.stop();
        await sandbox.close();
      },
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}
