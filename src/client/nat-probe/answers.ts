import { sameAddress } from '../../wire/address.js';
import type { BindingObservation } from './observations.js';

/** True when a test got a success response with a mapped address (RFC 8489 §14.2 XOR-MAPPED-ADDRESS). */
export const answered = (o: BindingObservation | null | undefined): boolean =>
  !!o && o.failure === null && o.errorCode === null && o.mapped !== null;

/** True when the reply came from where the test expects it (the changed address for CHANGE-REQUEST). */
export function fromExpectedSource(o: BindingObservation): boolean {
  return o.source !== null && sameAddress(o.source, o.expectedSource ?? o.target);
}
