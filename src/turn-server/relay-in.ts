import { readChannelData } from '../stun/channel-data.js';
import { Attr } from '../stun/constants.js';
import { findAttribute } from '../stun/message.js';
import type { ChannelDataHandler, IndicationHandler } from './handler.js';
import { checkPeer, peerAddresses, type TurnState } from './turn-method.js';

/**
 * Send indications (RFC 8656 §11.2): the DATA of an indication that names one XOR-PEER-ADDRESS of the
 * allocation's family, allowed by the peer policy and with a live permission, is sent from the relay
 * socket to that peer. Anything else (no allocation on the 5-tuple, no DATA, no permission, a denied peer)
 * is silently discarded, as indications get no answer; a denied peer is counted. DONT-FRAGMENT is ignored.
 */
export function sendIndicationHandler(state: TurnState): IndicationHandler {
  return (ind, ctx) => {
    const a = state.table.get(ctx.link.key);
    if (!a) return;
    const data = findAttribute(ind.message, Attr.DATA);
    const peers = peerAddresses(ind.message);
    if (!data || !peers || peers.length !== 1) return;
    const peer = peers[0]!;
    if (checkPeer(a, peer, state, 'Send')) return;
    const now = Date.now();
    if (!state.table.permitted(a, peer.address, now)) return;
    state.table.toPeer(a, peer, data.value, now);
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
