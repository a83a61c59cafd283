import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { probeDeadlineMs, SCRAPE_TIMEOUT_HEADER } from './deadline.js';
import type { ConcurrencyLimiter } from './limiter.js';
import type { ExporterSettings, ProbeModule } from './module.js';
import { ERROR_REASONS, type ExporterMetrics } from './own-metrics.js';
import { runProbe } from './probe.js';
import { ProbeRequestError } from './request-error.js';
import { allowedPlan } from './target.js';

/** What the exporter's express app serves from. */
export interface ExporterAppDeps {
  settings: ExporterSettings;
  limiter: ConcurrencyLimiter;
  metrics: ExporterMetrics;
  /** Told one line per failed probe and per refused request (the CLI writes it to stderr). */
  log: (line: string) => void;
}

/** A query parameter given once, as text; anything else (absent, repeated) is undefined. */
function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  return typeof v === 'string' ? v : undefined;
}

/** The module a `/probe` names. @throws ProbeRequestError 400 naming the modules of the config file. */
function moduleOf(req: Request, modules: ExporterSettings['modules']): ProbeModule {
  const name = param(req, 'module');
  const known = [...modules.keys()].join(', ');
  if (name === undefined) throw new ProbeRequestError(400, `module: missing (one of: ${known})`);
  const module = modules.get(name);
  if (!module) throw new ProbeRequestError(400, `module: unknown "${name}" (one of: ${known})`);
  return module;
}

/**
 * The least time (ms) a probe must have left after waiting for a slot: under it the answer is 503 "no time
 * left" rather than a probe that could only time out and report probe_success 0 about a healthy server.
 */
export const MIN_PROBE_MS = 500;

/** Runs one `/probe`: module, plan, deadline, a slot, the probe; answers its registry as Prometheus text. */
async function probe(deps: ExporterAppDeps, req: Request, res: Response): Promise<void> {
  const { settings, limiter, metrics } = deps;
  const module = moduleOf(req, settings.modules);
  const plan = allowedPlan(param(req, 'target'), module, settings.allowedTargets);
  const header = req.get(SCRAPE_TIMEOUT_HEADER);
  const deadlineMs = probeDeadlineMs(header, module.timeoutMs, settings.timeoutOffsetMs);
  const start = performance.now();
  const release = await limiter.acquire(AbortSignal.timeout(deadlineMs));
  try {
    const left = Math.floor(deadlineMs - (performance.now() - start));
    if (left < MIN_PROBE_MS)
      throw new ProbeRequestError(
        503,
        `no time left: the probe waited ${Math.round(performance.now() - start)} ms for a free slot and ${Math.max(0, left)} ms of its ${deadlineMs} ms deadline remain (at least ${MIN_PROBE_MS} ms needed)`,
      );
    const outcome = await runProbe(plan, left, settings.allowedTargets);
    metrics.probes.inc({ module: module.name, result: outcome.success ? 'success' : 'failure' });
    for (const reason of outcome.reasons) deps.log(`probe ${module.name} ${plan.host}: ${reason}`);
    res
      .set('Cache-Control', 'no-store')
      .type(outcome.registry.contentType)
      .send(await outcome.registry.metrics());
  } finally {
    release();
  }
}

const HOME =
  'ice-doctor exporter: GET /probe?target=turns:turn.example.org:5349&module=NAME (Prometheus text), ' +
  "GET /metrics (the exporter's own metrics)\n";

/**
 * The exporter's express 5 app (modelled on Prometheus' blackbox_exporter):
 * - `GET /probe?target=…&module=…`: one probe (turn-check or STUN Binding) in Prometheus text format
 *   0.0.4, under the deadline from `X-Prometheus-Scrape-Timeout-Seconds` and a concurrency slot; refusals
 *   are plain-text 400 (bad parameter, credentials in the target), 403 (outside `allowedTargets`) or 503
 *   (busy), counted in `ice_doctor_exporter_probe_errors_total`;
 * - `GET /metrics`: the exporter's own registry; `GET /`: one line of help; 404 elsewhere; any other error
 *   is a plain-text 400 or 500;
 * - helmet's headers on every answer, no stack trace in any.
 */
export function createExporterApp(deps: ExporterAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.get('/probe', (req, res) => {
    probe(deps, req, res).catch((err: unknown) => {
      const status = err instanceof ProbeRequestError ? err.status : 500;
      const message = err instanceof ProbeRequestError ? err.message : 'internal error';
      if (status === 500) deps.log(`probe failed: ${String(err)}`);
      deps.metrics.errors.inc({ reason: ERROR_REASONS[status] });
      if (!res.headersSent) res.status(status).type('text/plain').send(`${message}\n`);
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/', (_req, res) => {
    res.type('text/plain').send(HOME);
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found: GET /probe or /metrics\n');
  });
  // Express's own handler would answer an error (a malformed %-escape, say) with its stack outside production.
  app.use((err: { status?: unknown }, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    res
      .status(status)
      .type('text/plain')
      .send(status === 500 ? 'internal error\n' : 'bad request\n');
  });
  return app;
}
