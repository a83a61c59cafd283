import type { TurnDiagnosis, TurnDiagnosisCode, TurnStepName } from '../../report/schema.js';
import { formatAddress, type TransportAddress } from '../../wire/address.js';
import type {
  RequestObservation,
  ResolveObservation,
  TurnObservation,
  TurnTargetObservations,
} from './observations.js';

/* The vocabulary the turn-check judgements share (turn-diagnose, turn-judge-connect, turn-judge-family). */

/** What one observation amounts to: the step's verdict and what it tells the user. */
export interface Judged {
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  findings: Finding[];
}

/** A finding before it is tied to a step. */
export type Finding = Omit<TurnDiagnosis, 'step'>;

/** A finding that fails the check. */
export const fail = (code: TurnDiagnosisCode, message: string): Finding => ({
  code,
  severity: 'fail',
  message,
});
/** A finding that does not fail the check. */
export const warn = (code: TurnDiagnosisCode, message: string): Finding => ({
  code,
  severity: 'warn',
  message,
});
/** A step that passed with nothing to report. */
export const stepOk = (detail: string): Judged => ({ status: 'ok', detail, findings: [] });
/** A step that failed for one reason. */
export const stepFailed = (detail: string, finding: Finding): Judged => ({
  status: 'fail',
  detail,
  findings: [finding],
});

/** The address the resolve step found (what every later step talks to), or null. */
export function resolvedServer(t: TurnTargetObservations): TransportAddress | null {
  return t.observations.find((o): o is ResolveObservation => o.step === 'resolve')?.address ?? null;
}

/** The server as the messages name it: the address connected to, else the host of the URL. */
export function serverWords(t: TurnTargetObservations): string {
  const server = resolvedServer(t);
  return server ? formatAddress(server) : t.host;
}

/** The error response as the server said it, `403 Forbidden` (for a step that got one). */
export function saidWords(o: RequestObservation): string {
  return `${o.errorCode} ${o.errorReason ?? ''}`.trim();
}

/** The first observation of request step `step` in `t.observations` (a target's, or a run's so far), if it ran. */
export function firstRequest(
  t: { readonly observations: readonly TurnObservation[] },
  step: TurnStepName,
): RequestObservation | undefined {
  return t.observations.find((o): o is RequestObservation => o.step === step);
}
