import type { TurnTargetReport } from '../../report/schema.js';
import { type Family, formatAddress } from '../../wire/address.js';
import {
  type Finding,
  fail,
  firstRequest,
  type Judged,
  resolvedServer,
  saidWords,
  serverWords,
  stepOk,
} from './judged.js';
import type { RequestObservation, TurnTargetObservations } from './observations.js';

/** The family the first Allocate asked for: the family of the server's address (IPv4 when unresolved). */
function askedFamily(t: TurnTargetObservations): Family {
  return resolvedServer(t)?.family ?? 'IPv4';
}

function otherOf(family: Family): Family {
  return family === 'IPv6' ? 'IPv4' : 'IPv6';
}

/** 440 to the first Allocate (RFC 8656 §7.2): the server does not relay the family of its own address. */
export function familyRefused(o: RequestObservation, t: TurnTargetObservations): Finding {
  const asked = askedFamily(t);
  const other = otherOf(asked);
  const probe = firstRequest(t, 'family-allocate');
  const otherWords = probe?.success
    ? ` It does relay ${other} (family-allocate succeeded): clients that ask for an ${other} relay work.`
    : probe?.errorCode === 440
      ? ` It refused ${other} too (440).`
      : '';
  return fail(
    'address-family-not-relayed',
    `The server does not relay ${asked} (${saidWords(o)} to Allocate with REQUESTED-ADDRESS-FAMILY ${asked}), ` +
      `the family of the address you reach it at (${serverWords(t)}).${otherWords}`,
  );
}

/**
 * The `family-allocate` step: success or 440 are answers (the server relays the family, or says it does
 * not); anything else leaves it unknown, a `warn` step with no finding.
 */
export function judgeFamilyAllocate(o: RequestObservation, t: TurnTargetObservations): Judged {
  const family = otherOf(askedFamily(t));
  if (o.success)
    return stepOk(`relays ${family} too${o.relayed ? `: relayed ${formatAddress(o.relayed)}` : ''}`);
  if (o.errorCode === 440) return stepOk(`does not relay ${family} (${saidWords(o)})`);
  const why = o.failure ? o.failure.message : saidWords(o);
  return { status: 'warn', detail: `whether it relays ${family} is not known (${why})`, findings: [] };
}

/**
 * Which families the server relays, from the first Allocate (the family of the server's address) and
 * `family-allocate` (the other one): true on success, false on 440, null otherwise.
 */
export function relayFamilies(t: TurnTargetObservations): TurnTargetReport['relayFamilies'] {
  const out: TurnTargetReport['relayFamilies'] = { IPv4: null, IPv6: null };
  const asked = askedFamily(t);
  for (const [step, family] of [
    ['allocate', asked],
    ['family-allocate', otherOf(asked)],
  ] as const) {
    const o = firstRequest(t, step);
    if (o?.success && o.relayed) out[o.relayed.family] = true;
    else if (o?.errorCode === 440) out[family] = false;
  }
  return out;
}
