import { formatAddress, sameAddress, type TransportAddress } from '../../wire/address.js';
import { answered, fromExpectedSource } from './answers.js';
import { controlOutcome } from './change-request-control.js';
import type { BindingObservation, Rfc5780Run } from './observations.js';

/** Why one RFC 5780 candidate was not trusted. */
export interface Distrust {
  /** Every failed check, in plain words, joined with `; `. */
  reason: string;
  /** True when a failed check concerns CHANGE-REQUEST (an error to it, or a reply from the wrong address). */
  changeRequestFailed: boolean;
}

const fmt = (a: TransportAddress | null | undefined): string => (a ? formatAddress(a) : 'nowhere');

function otherAddressProblems(testI: BindingObservation): string[] {
  const other = testI.otherAddress!;
  const out: string[] = [];
  if (!testI.source || !sameAddress(testI.source, testI.target))
    out.push(`mapping test I answered from ${fmt(testI.source)}, asked at ${fmt(testI.target)}`);
  if (other.family !== testI.target.family)
    out.push(`OTHER-ADDRESS ${fmt(other)} is not of the family it was asked over`);
  else if (other.address === testI.target.address)
    out.push(
      `OTHER-ADDRESS ${fmt(other)} has the IP it was asked at (RFC 5780 §7.4: a server without a second IP must not send OTHER-ADDRESS)`,
    );
  if (other.port === testI.target.port)
    out.push(`OTHER-ADDRESS ${fmt(other)} has the port it was asked at, so no port can be changed`);
  return out;
}

function alternateProblems(run: Rfc5780Run): string[] {
  return [run.II, run.III].flatMap((t) => {
    if (!answered(t)) return [`its OTHER-ADDRESS did not answer ${t.name} at ${fmt(t.target)}`];
    return fromExpectedSource(t)
      ? []
      : [`${t.name} sent to ${fmt(t.target)} was answered from ${fmt(t.source)}`];
  });
}

function changeRequestProblems(run: Rfc5780Run): string[] {
  const filtering = [run.filtering.II, run.filtering.III].flatMap((t) => {
    if (t.errorCode !== null) return [`it answered CHANGE-REQUEST (${t.name}) with error ${t.errorCode}`];
    if (answered(t) && !fromExpectedSource(t))
      return [
        `it ignored CHANGE-REQUEST (${t.name} answered from ${fmt(t.source)}, expected ${fmt(t.expectedSource)})`,
      ];
    return [];
  });
  const control = (['II', 'III'] as const).flatMap((which) => {
    const c = controlOutcome(run.control, which);
    if (c.kind === 'ignored') return [c.why];
    return c.kind === 'dropped' && !answered(run.filtering[which]) ? [c.why] : [];
  });
  return [...filtering, ...control];
}

/**
 * Whether a server that sent OTHER-ADDRESS may be used for the RFC 5780 tests: trust is earned on the wire,
 * not read from the attribute. Checks (RFC 5780 §7.4, §4.3, §4.4): test I answered from the address asked
 * at; OTHER-ADDRESS of the same family with another IP and another port; mapping tests II and III answered,
 * each from the alternate address it was sent to; every reply to a CHANGE-REQUEST (filtering tests II/III
 * and the CHANGE-REQUEST control) from the address the request asked for, and no error to it. A silent
 * filtering test II/III counts against the server only when its control was `dropped` (silent although
 * the reply's path was shown open, `change-request-control.ts`); otherwise it may be the NAT's filtering.
 * Pure.
 * @param run the candidate's tests, filtering II/III carrying `expectedSource`.
 * @returns null when every check passes, else the failed checks.
 */
export function distrustOf(run: Rfc5780Run): Distrust | null {
  const cr = changeRequestProblems(run);
  const problems = [...otherAddressProblems(run.testI), ...alternateProblems(run), ...cr];
  return problems.length === 0 ? null : { reason: problems.join('; '), changeRequestFailed: cr.length > 0 };
}

/** A candidate that was not used, with why (a report row of `untrustedServers`). */
export interface UntrustedServer {
  url: string;
  reason: string;
}

/** The outcome of the race: the run used for the RFC 5780 tests, and the candidates that failed their checks. */
export interface Rfc5780Choice {
  used: Rfc5780Run | null;
  untrusted: (UntrustedServer & { changeRequestFailed: boolean })[];
}

/**
 * Picks the first trusted run (runs in completion order: the race) and lists every untrusted one. Pure.
 */
export function chooseRfc5780(runs: readonly Rfc5780Run[]): Rfc5780Choice {
  let used: Rfc5780Run | null = null;
  const untrusted: Rfc5780Choice['untrusted'] = [];
  for (const run of runs) {
    const d = distrustOf(run);
    if (d) untrusted.push({ url: run.server, ...d });
    else used ??= run;
  }
  return { used, untrusted };
}
