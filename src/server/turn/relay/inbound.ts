import { Data } from '../../../wire/attributes/data.js';
import { peerAddresses } from '../../../wire/attributes/xor-peer-address.js';
import { readChannelData } from '../../../wire/channel-data.js';
import { Attr, CREDENTIAL_ATTRIBUTES, isComprehensionRequired } from '../../../wire/constants.js';
import type { StunMessage } from '../../../wire/message.js';
import type { ChannelDataHandler, IndicationHandler } from '../../stun/handler.js';
import { checkPeer, inScope, portScoped, type TurnState } from '../method.js';

/**
 * The comprehension-required attributes a Send indication may carry (RFC 8656 §11.2): its own two, and the
 * authentication attributes, which an agent knows though an indication cannot be authenticated. Not
 * DONT-FRAGMENT: this server cannot set the DF bit (Node has no socket option for it), so §11.2 has it
 * treated as unknown.
 */
const SEND_ATTRIBUTES: ReadonlySet<number> = new Set([
  Attr.XOR_PEER_ADDRESS,
  Attr.DATA,
  ...CREDENTIAL_ATTRIBUTES,
]);

/** True when `msg` carries a comprehension-required attribute not in {@link SEND_ATTRIBUTES}. */
function hasUnknownRequired(msg: StunMessage): boolean {
  for (const a of msg.attributes)
    if (isComprehensionRequired(a.type) && !SEND_ATTRIBUTES.has(a.type)) return true;
  return false;
}

/**
 * Send indications (RFC 8656 §11.2): the DATA of an indication that names one XOR-PEER-ADDRESS of the
 * allocation's family, allowed by the peer policy and with a live permission, is sent from the relay
 * socket to that peer (or delivered internally when the peer is a relayed address of this server,
 * `AllocationTable.toPeer`). For a scoped allocation (a report page credential) a permission for this server's
 * own relay IP, or the report server's outside-peer responder's IP, covers only the peers in its scope
 * there (bound relay ports, the responder's port, room-mates), not the host's
 * other UDP services; other peers need nothing more than their permission, granted only in scope.
 * Anything else (no allocation on the 5-tuple, no DATA, no permission, a denied peer,
 * an unknown comprehension-required attribute — DONT-FRAGMENT included —, RFC 8489 §6.3.2) is silently
 * discarded, as indications get no answer; a denied peer is counted.
 */
export function sendIndicationHandler(state: TurnState): IndicationHandler {
  return (ind, ctx) => {
    const a = state.table.get(ctx.link.key);
    if (!a) return;
    if (hasUnknownRequired(ind.message)) return;
    const data = Data.decode(ind.message);
    const peers = peerAddresses(ind.message);
    if (!data || !peers || peers.length !== 1) return;
    const peer = peers[0]!;
    if (checkPeer(a, peer, state, 'Send')) return;
    const now = Date.now();
    if (!state.table.permitted(a, peer.address, now)) return;
    if (a.scoped && portScoped(peer, state) && !inScope(a, peer, state)) return;
    state.table.toPeer(a, peer, data, now);
  };
}

/**
 * ChannelData from a client (RFC 8656 §12.6): relayed to the peer bound to its channel when the binding is
 * live; a malformed message, an unbound or expired channel, or no allocation on the 5-tuple is discarded.
 * Over UDP trailing padding is ignored; over TCP/TLS the framer has already removed it.
 */
export function channelDataHandler(state: TurnState): ChannelDataHandler {
  return (bytes, ctx) => {
    const a = state.table.get(ctx.link.key);
    if (!a) return;
    const cd = readChannelData(bytes);
    if (!cd) return;
    const binding = a.channelsByNumber.get(cd.channel);
    const now = Date.now();
    if (!binding?.live || binding.expiresAtMs <= now) return;
    state.table.toPeer(a, binding.peer, cd.data, now);
  };
}
