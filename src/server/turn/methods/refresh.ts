import { Attr } from '../../../wire/constants.js';
import { findAttribute, getUint32 } from '../../../wire/message.js';
import {
  grantedLifetimeS,
  lifetimeAttribute,
  ownAllocation,
  REQUESTED_FAMILY,
  refuse,
  type TurnMethod,
} from '../method.js';

/**
 * Refresh (RFC 8656 §7.3), after authentication: 437 without an allocation on the 5-tuple, 441 when another
 * username created it, 443 when REQUESTED-ADDRESS-FAMILY names another family than the allocation's. LIFETIME
 * 0 deletes the allocation at once (relay socket closed, permissions and channels gone) and answers
 * LIFETIME 0; otherwise the allocation's expiry becomes now + the granted lifetime, which is answered.
 * A LIFETIME attribute that is not 4 bytes is 400.
 */
export const refresh: TurnMethod = (req, state) => {
  const a = ownAllocation(req, state);
  if ('ok' in a) return a;
  const lifetime = findAttribute(req.message, Attr.LIFETIME);
  if (lifetime && lifetime.value.length !== 4) return refuse(400);
  const family = findAttribute(req.message, Attr.REQUESTED_ADDRESS_FAMILY);
  if (family) {
    if (REQUESTED_FAMILY.get(family.value[0]!) !== a.relayed.family) return refuse(443);
  }
  const requested = getUint32(req.message, Attr.LIFETIME);
  if (requested === 0) {
    state.table.close(a, 'Refresh with LIFETIME 0');
    return { ok: true, attributes: [lifetimeAttribute(0)] };
  }
  const granted = grantedLifetimeS(requested, state);
  a.expiresAtMs = req.nowMs + granted * 1000;
  return { ok: true, attributes: [lifetimeAttribute(granted)] };
};
