import type { Logger } from 'pino';
import type { ProbeReport } from '../../report/schema.js';
import type { ServerProbe } from '../api-schema.js';

/** Runs the report server's own RFC 5780 probe of its STUN server (e.g. `runProbe` on the bundled one). */
export type ServerProbeRunner = () => Promise<ProbeReport>;

/**
 * Starts `run` once, now, in the background, and returns a reader of its state for `GET /api/probe`
 * (`serverProbeSchema`): `{report: null, reason: 'the server's probe is still running'}` until it
 * settles, then the report, or `report: null` with the failure as the reason. With `run === null`:
 * `report: null` with `noProbeReason`. Never throws; a failure is logged at warn level.
 */
export function startServerProbe(
  run: ServerProbeRunner | null,
  log: Logger,
  noProbeReason = 'this report server has no STUN server of its own to probe',
): () => ServerProbe {
  if (run === null) return () => ({ report: null, reason: noProbeReason });
  let state: ServerProbe = { report: null, reason: "the server's own probe is still running" };
  new Promise<ProbeReport>((resolve) => resolve(run())).then(
    (report) => {
      state = { report, reason: null };
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ err }, 'the report server could not probe its STUN server');
      state = { report: null, reason: `the server's own probe failed: ${message}` };
    },
  );
  return () => state;
}
