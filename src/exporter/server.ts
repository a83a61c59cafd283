import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import { HTTP_SERVER_LIMITS } from '../net/http-limits.js';
import { hostPort } from '../shared/address-text.js';
import { createExporterApp } from './app.js';
import { ConcurrencyLimiter } from './limiter.js';
import type { ExporterSettings } from './module.js';
import { createExporterMetrics } from './own-metrics.js';

/** A running exporter. */
export interface RunningExporter {
  /** `http://host:port` as bound (the port the OS picked when 0 was asked). */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the exporter's HTTP listener on `host`:`port` (0 picks a free port).
 * @param log told one line per failed probe or refused request.
 * @throws UserError `address-in-use` / `listen` (exit 2) when it cannot bind.
 */
export async function startExporter(
  settings: ExporterSettings,
  listen: { host: string; port: number },
  log: (line: string) => void,
): Promise<RunningExporter> {
  const limiter = new ConcurrencyLimiter(settings.maxConcurrent, settings.maxQueued);
  const metrics = createExporterMetrics(limiter);
  const server: Server = createServer(
    HTTP_SERVER_LIMITS,
    createExporterApp({ settings, limiter, metrics, log }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = hostPort(listen.host, listen.port);
      reject(
        err.code === 'EADDRINUSE'
          ? new UserError('address-in-use', `--listen ${where}: address already in use`)
          : new UserError('listen', `--listen ${where}: cannot listen (${err.code ?? err.message})`),
      );
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${hostPort(listen.host, port)}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
