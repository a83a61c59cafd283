import type { TurnStep, TurnTargetReport } from '../../report/schema.js';
import type { ConnectObservation, RequestObservation, TurnTargetObservations } from './observations.js';

/**
 * Socket errors that are about this host, not the server: no route for the family (`ENETUNREACH`), no IPv6
 * on the host (`EAFNOSUPPORT`), no local address to send from (`EADDRNOTAVAIL`). `ECONNREFUSED` is not one:
 * it is the server's host answering that nothing listens (a name with an AAAA while the server listens only
 * on IPv4 is a real misconfiguration for IPv6 clients).
 */
const LOCAL = /\b(ENETUNREACH|EAFNOSUPPORT|EADDRNOTAVAIL)\b/;

/**
 * Why one node of a name with several addresses (`t.node`) could not be checked from this host at all — the
 * connection (TCP/TLS) or the first Allocate's send (UDP) failed with a {@link LOCAL} error — or null.
 */
export function localLimitation(t: TurnTargetObservations): string | null {
  if (!t.node) return null;
  const c = t.observations.find((o): o is ConnectObservation => o.step === 'connect');
  if (c?.errorCode && LOCAL.test(c.errorCode)) return c.errorCode;
  const a = t.observations.find((o): o is RequestObservation => o.step === 'allocate');
  const message = a && !a.success ? (a.failure?.message ?? '') : '';
  return LOCAL.exec(message)?.[1] ?? null;
}

/**
 * The report of a node this host could not check (`why` from {@link localLimitation}): not a failure of the
 * run — failed and skipped steps become skipped "not checked from this host", the findings one
 * `node-not-checked-here` warning.
 */
export function notCheckedHere(r: TurnTargetReport, why: string): TurnTargetReport {
  const detail = `not checked from this host: ${why} (this host cannot reach ${r.server?.address ?? 'it'})`;
  const steps: TurnStep[] = r.steps.map((s) => (s.status === 'ok' ? s : { ...s, status: 'skipped', detail }));
  const message =
    `Address ${r.server?.address ?? r.node?.address} was not checked from this host (${why}): it has no route ` +
    'or no address of that family. Check it from a host that has one.';
  return {
    ...r,
    ok: true,
    steps,
    diagnoses: [{ code: 'node-not-checked-here', severity: 'warn', message, step: null }],
  };
}
