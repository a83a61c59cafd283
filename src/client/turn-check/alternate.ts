import type { TurnAlternate } from '../../report/turn-node-schema.js';
import { formatAddress, sameAddress, type TransportAddress } from '../../wire/address.js';
import { type Finding, fail, saidWords, serverWords } from './judged.js';
import type { RequestObservation, TurnObservation, TurnTargetObservations } from './observations.js';

/** Where a 300 Try Alternate sends the client: ALTERNATE-SERVER and ALTERNATE-DOMAIN (RFC 8489 §14.15–14.16). */
export interface Redirect {
  to: TransportAddress;
  domain: string | null;
}

/** The 300 Try Alternate (with ALTERNATE-SERVER) the first Allocate got, or null. */
export function redirectOf(out: readonly TurnObservation[]): Redirect | null {
  const o = out.find((x): x is RequestObservation => x.step === 'allocate');
  if (o?.errorCode !== 300 || !o.alternateServer) return null;
  return { to: o.alternateServer, domain: o.alternateDomain ?? null };
}

/** Why a redirect back to the server that answered it is not followed. */
const LOOP_WHY = 'the alternate is the server that redirected (a loop)';

/**
 * Whether a redirect from `from` is followed (RFC 8489 §10, RFC 8656 §7.2): yes, once, unless it sends
 * the client back to the server that answered it (a loop), or `follow` (`TurnCheckOptions.followAlternate`,
 * e.g. the exporter's allowedTargets) refuses the alternate.
 */
export function alternateOf(
  from: TransportAddress,
  r: Redirect,
  follow?: (to: Redirect) => boolean,
): TurnAlternate {
  const loop = sameAddress(from, r.to);
  const refused = !loop && follow !== undefined && !follow(r);
  return {
    from,
    to: r.to,
    domain: r.domain,
    followed: !loop && !refused,
    why: loop
      ? LOOP_WHY
      : refused
        ? `${formatAddress(r.to)} is not among the targets this check may probe`
        : null,
    secondRedirect: null,
  };
}

/**
 * The finding of an Allocate answered 300 Try Alternate that the check could not go on from: a redirect of
 * a later Allocate (the peer's, the other family's: the server is full), no ALTERNATE-SERVER, a loop back to
 * the same server, or a second redirect from the alternate (one is followed at most).
 */
export function alternateFinding(o: RequestObservation, t: TurnTargetObservations): Finding {
  const said = saidWords(o);
  const a = t.alternate;
  if (o.alternateServer && o.step !== 'allocate')
    return fail(
      'alternate-not-followed',
      `${serverWords(t)} answered the check's ${o.step === 'peer-allocate' ? 'second ' : ''}Allocate with ${said} to ` +
        `${formatAddress(o.alternateServer)} after granting the first: a server redirects then when it is full ` +
        '(its allocation quota or relay ports). The check does not follow it there; raise the quota or add capacity.',
    );
  if (!o.alternateServer || !a)
    return fail(
      'alternate-not-followed',
      `${serverWords(t)} answered Allocate with ${said} but without ALTERNATE-SERVER (RFC 8489 §14.15 requires ` +
        'it): there is nowhere to go. Check the server’s alternate-server setting.',
    );
  if (!a.followed && a.why !== LOOP_WHY)
    return fail(
      'alternate-not-followed',
      `${formatAddress(a.from)} answered Allocate with ${said} to ${formatAddress(a.to)}, which was not followed: ` +
        `${a.why}. The check says nothing about the alternate; allow it (the exporter's allowedTargets) to probe it.`,
    );
  if (!a.followed)
    return fail(
      'alternate-not-followed',
      `${formatAddress(a.from)} answered Allocate with ${said} to ${formatAddress(a.to)}, which is the same ` +
        'server: a redirect loop, and no client gets an allocation. Remove the server’s own address from its ' +
        'alternate-server list.',
    );
  return fail(
    'alternate-not-followed',
    `${formatAddress(a.from)} redirected to ${formatAddress(a.to)}, which answered Allocate with ${said} again, to ` +
      `${formatAddress(o.alternateServer)}: one redirect is followed, not a chain of them. An alternate must ` +
      'serve allocations itself (coturn redirects every Allocate when alternate-server is set: do not set it ' +
      'on the alternates).',
  );
}
