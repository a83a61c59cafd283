import type { Family } from '../../../wire/address.js';
import { XorMappedAddress, XorRelayedAddress } from '../../../wire/attributes/addresses.js';
import { hasWrongLength } from '../../../wire/attributes/codec.js';
import { EvenPort } from '../../../wire/attributes/even-port.js';
import { Lifetime } from '../../../wire/attributes/lifetime.js';
import { RequestedAddressFamily } from '../../../wire/attributes/requested-address-family.js';
import { RequestedTransport, UDP_PROTOCOL } from '../../../wire/attributes/requested-transport.js';
import { ReservationToken } from '../../../wire/attributes/reservation-token.js';
import { BindError } from '../../stun/bind.js';
import { grantedLifetimeS, refuse, type TurnMethod, type TurnOutcome } from '../method.js';

type Checked = { family: Family; evenPort: boolean; reserveNext: boolean; token: Buffer | undefined };

/** Steps 3–6 of RFC 8656 §7.2: the request's transport, family, EVEN-PORT and RESERVATION-TOKEN. */
function checkRequest(msg: Parameters<TurnMethod>[0]['message']): Checked | TurnOutcome {
  const transport = RequestedTransport.decode(msg);
  if (transport === undefined || hasWrongLength(msg, RequestedTransport)) return refuse(400);
  if (transport !== UDP_PROTOCOL) return refuse(442);
  const requestedFamily = RequestedAddressFamily.decode(msg);
  const reserveNext = EvenPort.decode(msg);
  const token = ReservationToken.decode(msg);
  if (token && (reserveNext !== undefined || requestedFamily !== undefined)) return refuse(400);
  if (hasWrongLength(msg, ReservationToken) || hasWrongLength(msg, EvenPort)) return refuse(400);
  let family: Family = 'IPv4';
  if (requestedFamily !== undefined) {
    if (hasWrongLength(msg, RequestedAddressFamily)) return refuse(400);
    if (requestedFamily === null) return refuse(440);
    family = requestedFamily;
  }
  return {
    family,
    evenPort: reserveNext !== undefined,
    reserveNext: reserveNext === true,
    token,
  };
}

/**
 * Allocate (RFC 8656 §7.2), after authentication: 437 when the 5-tuple already has an allocation (its
 * retransmissions never get here: they are answered from the transaction cache); 400 for a missing or
 * malformed REQUESTED-TRANSPORT, or RESERVATION-TOKEN together with EVEN-PORT or REQUESTED-ADDRESS-FAMILY;
 * 442 for a transport other than UDP; 440 for a family the server does not relay; 486 when the user's or
 * the server's allocation quota is full; 508 when no relay port can be bound, EVEN-PORT cannot be met, or a
 * RESERVATION-TOKEN is unknown or expired. DONT-FRAGMENT never gets here: Node cannot set the DF bit, so it
 * is answered 420 as an unknown comprehension-required attribute, as §7.2 says. ADDITIONAL-ADDRESS-FAMILY
 * (dual allocation, §7.2) is comprehension-optional and ignored: one relayed address per allocation.
 * With alternate servers (`alternate.ts`): 300 Try Alternate with ALTERNATE-SERVER before anything else
 * (`always`), or instead of the 486 of a full total quota and the 508 of no free relay port (`full`).
 * Success: XOR-RELAYED-ADDRESS (the external IP when configured), LIFETIME, RESERVATION-TOKEN when R was
 * set, XOR-MAPPED-ADDRESS.
 */
export const allocate: TurnMethod = (req, state) => {
  const { message: msg, ctx, auth } = req;
  const checked = checkRequest(msg);
  if ('ok' in checked) return checked;
  const alternate = state.config.alternate;
  const redirect = (reason: 'always' | 'capacity'): TurnOutcome | null =>
    alternate?.redirect(ctx.remote.family, ctx.transport, reason) ?? null;
  const always = redirect('always');
  if (always) return always;
  const pool = state.table.pool(checked.family);
  if (!pool) return refuse(440);
  const admitted = state.table.admits(ctx.link.key, auth.username);
  if (admitted === 'exists') return refuse(437);
  if (admitted !== 'ok') {
    const full = admitted === 'total-quota' ? redirect('capacity') : null;
    if (full) return full;
    state.config.metrics?.quotaRejections.inc({ reason: admitted });
    return refuse(486);
  }
  let bound: ReturnType<typeof pool.bind>;
  try {
    bound = checked.token ? pool.redeem(checked.token) : pool.bind(checked.evenPort, checked.reserveNext);
  } catch (err) {
    if (err instanceof BindError) {
      state.config.log.warn({ err: err.message }, 'relay socket could not be bound');
      return refuse(508);
    }
    throw err;
  }
  if (!bound.ok) {
    const full = redirect('capacity');
    if (full) return full;
    state.config.metrics?.quotaRejections.inc({ reason: 'port-range' });
    return refuse(508);
  }
  const lifetimeS = grantedLifetimeS(Lifetime.decode(msg), state);
  const allocation = state.table.create({
    ctx,
    auth,
    family: checked.family,
    socket: bound.socket,
    port: bound.port,
    lifetimeS,
  });
  return {
    ok: true,
    attributes: [
      XorRelayedAddress.encode(allocation.relayed),
      Lifetime.encode(lifetimeS),
      ...(bound.reservationToken ? [ReservationToken.encode(bound.reservationToken)] : []),
      XorMappedAddress.encode(ctx.remote),
    ],
  };
};
