import { hasWrongLength } from '../../../wire/attributes/codec.js';
import { Lifetime } from '../../../wire/attributes/lifetime.js';
import { RequestedAddressFamily } from '../../../wire/attributes/requested-address-family.js';
import { grantedLifetimeS, ownAllocation, refuse, type TurnMethod } from '../method.js';

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
  if (hasWrongLength(req.message, Lifetime)) return refuse(400);
  const family = RequestedAddressFamily.decode(req.message);
  if (family !== undefined && family !== a.relayed.family) return refuse(443);
  const requested = Lifetime.decode(req.message);
  if (requested === 0) {
    state.table.close(a, 'Refresh with LIFETIME 0');
    return { ok: true, attributes: [Lifetime.encode(0)] };
  }
  const granted = grantedLifetimeS(requested, state);
  a.expiresAtMs = req.nowMs + granted * 1000;
  return { ok: true, attributes: [Lifetime.encode(granted)] };
};
