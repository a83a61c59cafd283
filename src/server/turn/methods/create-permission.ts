import { peerAddresses } from '../../../wire/attributes/xor-peer-address.js';
import { checkPeer, ownAllocation, refuse, type TurnMethod } from '../method.js';

/**
 * CreatePermission (RFC 8656 §9.2), after authentication: 437 without an allocation, 441 for another
 * username, 400 without any XOR-PEER-ADDRESS or with a malformed one, 443 when a peer's family differs from
 * the relayed address's, 403 when the peer policy denies any of them. All or nothing: on success every
 * listed peer IP gets a permission (installed or refreshed, {@link TurnConfig.lifetimes}.permissionS);
 * on failure none does.
 */
export const createPermission: TurnMethod = (req, state) => {
  const a = ownAllocation(req, state);
  if ('ok' in a) return a;
  const peers = peerAddresses(req.message);
  if (!peers || peers.length === 0) return refuse(400);
  for (const peer of peers) {
    const bad = checkPeer(a, peer, state, 'CreatePermission');
    if (bad) return bad;
  }
  for (const peer of peers) state.table.permit(a, peer.address, req.nowMs);
  return { ok: true, attributes: [] };
};
