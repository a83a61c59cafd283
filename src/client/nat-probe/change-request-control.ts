import { formatAddress, sameAddress, type TransportAddress } from '../../wire/address.js';
import { answered, fromExpectedSource } from './answers.js';
import type { ChangeRequestControl } from './observations.js';

/**
 * What the CHANGE-REQUEST control ({@link ChangeRequestControl}) shows about one CHANGE-REQUEST:
 * - `honoured`: answered from the address it asked for;
 * - `ignored`: answered from another address, or with an error;
 * - `dropped`: silent although its reply's path was open (C's mapped address was the same toward A1:P1
 *   and toward the reply's source, which a plain Binding from C had reached and been answered from);
 * - `unverifiable`: silent, and C's mapped address differs by destination, so the reply went to a
 *   mapping whose pinhole the NAT may keep shut: nothing is shown about the server;
 * - `inconclusive`: silent (or cut by the deadline) while the path was not shown open.
 * Every kind but `honoured` carries `why`, a plain-language clause.
 */
export type ControlOutcome =
  | { kind: 'honoured' }
  | { kind: 'ignored' | 'dropped' | 'unverifiable' | 'inconclusive'; why: string };

/** The fixed reason of an `unverifiable` control (a NAT whose mapping varies by destination). */
export const UNVERIFIABLE_WHY =
  "the server's CHANGE-REQUEST handling cannot be verified through a NAT whose mapping varies by destination, so silence of tests II/III does not show the NAT's filtering";

const fmt = (a: TransportAddress | null | undefined): string => (a ? formatAddress(a) : 'nowhere');

/**
 * Reads control test II (change IP and port) or III (change port) of a CHANGE-REQUEST control. Pure.
 * Only a silent request after a proven-open path counts against the server: a lost packet or a
 * destination-dependent mapping leaves it `inconclusive` or `unverifiable`, never `dropped`.
 * @param which `II` (reply expected from A2:P2) or `III` (from A1:P2).
 */
export function controlOutcome(control: ChangeRequestControl, which: 'II' | 'III'): ControlOutcome {
  const cr = control[which];
  const open = which === 'II' ? control.openII : control.openIII;
  const asked = which === 'II' ? 'change IP and port' : 'change port';
  if (cr.errorCode !== null)
    return { kind: 'ignored', why: `it answered CHANGE-REQUEST (${cr.name}) with error ${cr.errorCode}` };
  if (cr.failure === null) {
    return fromExpectedSource(cr)
      ? { kind: 'honoured' }
      : {
          kind: 'ignored',
          why: `it ignored CHANGE-REQUEST (${cr.name} answered from ${fmt(cr.source)}, expected ${fmt(cr.expectedSource)})`,
        };
  }
  if (cr.failure !== 'timeout')
    return { kind: 'inconclusive', why: `the CHANGE-REQUEST control ${cr.name} ended with ${cr.failure}` };
  const pathShown = answered(control.I) && answered(open) && fromExpectedSource(open);
  if (!pathShown)
    return {
      kind: 'inconclusive',
      why: `the CHANGE-REQUEST control could not open the path for ${cr.name}'s reply (${control.I.name} or ${open.name} to ${fmt(open.target)} got no answer from where it was sent)`,
    };
  if (!sameAddress(control.I.mapped!, open.mapped!)) return { kind: 'unverifiable', why: UNVERIFIABLE_WHY };
  return {
    kind: 'dropped',
    why: `it did not answer CHANGE-REQUEST (${asked}, ${cr.name}) although the reply's path was open: the control socket was mapped to ${fmt(open.mapped)} toward both ${fmt(cr.target)} and ${fmt(open.target)}, and a plain Binding to ${fmt(open.target)} was answered`,
  };
}
