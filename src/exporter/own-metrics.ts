import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ConcurrencyLimiter } from './limiter.js';

/** The exporter's own metrics, served at `/metrics` (never mixed with a probe's). */
export interface ExporterMetrics {
  /** Its own registry; also holds the process metrics (CPU, memory, event loop, open fds). */
  registry: Registry;
  /** `ice_doctor_exporter_probes_total{module,result}`: probes run, `result` `success` or `failure`. */
  probes: Counter<'module' | 'result'>;
  /**
   * `ice_doctor_exporter_probe_errors_total{reason}`: `/probe` requests answered without probing:
   * `bad-request` (400), `forbidden-target` (403), `busy` (503), `internal` (500).
   */
  errors: Counter<'reason'>;
}

/** The reason label of a refused `/probe` request, by HTTP status. */
export const ERROR_REASONS = {
  400: 'bad-request',
  403: 'forbidden-target',
  503: 'busy',
  500: 'internal',
} as const;

/**
 * Creates the exporter's registry: the process metrics, the counters above, and two gauges read from
 * `limiter` at scrape time: `ice_doctor_exporter_probes_in_flight` (probes running now) and
 * `ice_doctor_exporter_probes_queued` (waiting for a slot), with `ice_doctor_exporter_max_concurrent`.
 */
export function createExporterMetrics(limiter: ConcurrencyLimiter): ExporterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const probes = new Counter({
    name: 'ice_doctor_exporter_probes_total',
    help: 'Probes run, by module and result (success, failure).',
    labelNames: ['module', 'result'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'ice_doctor_exporter_probe_errors_total',
    help: '/probe requests refused without probing, by reason (bad-request, forbidden-target, busy, internal).',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of Object.values(ERROR_REASONS)) errors.inc({ reason }, 0);
  const live = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  live('ice_doctor_exporter_probes_in_flight', 'Probes running now.', () => limiter.inUse);
  live('ice_doctor_exporter_probes_queued', 'Probes waiting for a free slot now.', () => limiter.queued);
  live('ice_doctor_exporter_max_concurrent', 'Probes allowed at once (--max-concurrent).', () => limiter.max);
  return { registry, probes, errors };
}
