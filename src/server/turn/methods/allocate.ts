import type { Family } from '../../../wire/address.js';
import { Attr } from '../../../wire/constants.js';
import { findAttribute, getUint32 } from '../../../wire/message.js';
import { BindError } from '../../stun/bind.js';
import {
  grantedLifetimeS,
  lifetimeAttribute,
  REQUESTED_FAMILY,
  refuse,
  type TurnMethod,
  type TurnOutcome,
} from '../method.js';

/** REQUESTED-TRANSPORT protocol number for UDP (RFC 8656 §18.6: IANA protocol 17). */
export const UDP_PROTOCOL = 17;

type Checked = { family: Family; evenPort: boolean; reserveNext: boolean; token: Buffer | undefined };

/** Steps 3–6 of RFC 8656 §7.2: the request's transport, family, EVEN-PORT and RESERVATION-TOKEN. */
function checkRequest(msg: Parameters<TurnMethod>[0]['message']): Checked | TurnOutcome {
  const transport = findAttribute(msg, Attr.REQUESTED_TRANSPORT);
  if (transport?.value.length !== 4) return refuse(400);
  if (transport.value[0] !== UDP_PROTOCOL) return refuse(442);
  const familyAttr = findAttribute(msg, Attr.REQUESTED_ADDRESS_FAMILY);
  const even = findAttribute(msg, Attr.EVEN_PORT);
  const tokenAttr = findAttribute(msg, Attr.RESERVATION_TOKEN);
  if (tokenAttr && (even || familyAttr)) return refuse(400);
  if (tokenAttr && tokenAttr.value.length !== 8) return refuse(400);
  if (even && even.value.length !== 1) return refuse(400);
  let family: Family = 'IPv4';
  if (familyAttr) {
    if (familyAttr.value.length !== 4) return refuse(400);
    const f = REQUESTED_FAMILY.get(familyAttr.value[0]!);
    if (!f) return refuse(440);
    family = f;
  }
  return {
    family,
    evenPort: even !== undefined,
    reserveNext: even !== undefined && (even.value[0]! & 0x80) !== 0,
    token: tokenAttr?.value,
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
 * Success: XOR-RELAYED-ADDRESS (the external IP when configured), LIFETIME, RESERVATION-TOKEN when R was
 * set, XOR-MAPPED-ADDRESS.
 */
export const allocate: TurnMethod = (req, state) => {
  const { message: msg, ctx, auth } = req;
  const checked = checkRequest(msg);
  if ('ok' in checked) return checked;
  const pool = state.table.pool(checked.family);
  if (!pool) return refuse(440);
  const admitted = state.table.admits(ctx.link.key, auth.username);
  if (admitted === 'exists') return refuse(437);
  if (admitted !== 'ok') {
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
    state.config.metrics?.quotaRejections.inc({ reason: 'port-range' });
    return refuse(508);
  }
  const lifetimeS = grantedLifetimeS(getUint32(msg, Attr.LIFETIME), state);
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
      { type: Attr.XOR_RELAYED_ADDRESS, address: allocation.relayed },
      lifetimeAttribute(lifetimeS),
      ...(bound.reservationToken ? [{ type: Attr.RESERVATION_TOKEN, raw: bound.reservationToken }] : []),
      { type: Attr.XOR_MAPPED_ADDRESS, address: ctx.remote },
    ],
  };
};
