import { ChannelNumber } from '../../../wire/attributes/channel-number.js';
import { hasWrongLength } from '../../../wire/attributes/codec.js';
import { peerAddresses } from '../../../wire/attributes/xor-peer-address.js';
import { MAX_CHANNEL_ACCEPTED, MIN_CHANNEL } from '../../../wire/channel-data.js';
import { checkPeer, ownAllocation, refuse, type TurnMethod } from '../method.js';

/**
 * ChannelBind (RFC 8656 §12.2), after authentication: 437 without an allocation, 441 for another username;
 * 400 when CHANNEL-NUMBER is missing, not 4 bytes or outside 0x4000–0x7FFF (RFC 5766's range, still used
 * by its clients; see {@link MAX_CHANNEL_ACCEPTED}), when there is not exactly one
 * well-formed XOR-PEER-ADDRESS, when the number is bound (or held for 5 minutes after expiry) to another
 * peer, or the peer to another number; 443 for a peer of another family; 403 when the peer policy denies
 * it. Success binds or refreshes the channel for {@link TurnConfig.lifetimes}.channelS and installs or
 * refreshes the peer's permission; the response carries MESSAGE-INTEGRITY like every other.
 */
export const channelBind: TurnMethod = (req, state) => {
  const a = ownAllocation(req, state);
  if ('ok' in a) return a;
  const channel = ChannelNumber.decode(req.message);
  if (channel === undefined || hasWrongLength(req.message, ChannelNumber)) return refuse(400);
  if (channel < MIN_CHANNEL || channel > MAX_CHANNEL_ACCEPTED) return refuse(400);
  const peers = peerAddresses(req.message);
  if (peers?.length !== 1) return refuse(400);
  const peer = peers[0]!;
  const bad = checkPeer(a, peer, state, 'ChannelBind');
  if (bad) return bad;
  if (state.table.channelConflict(a, channel, peer, req.nowMs)) return refuse(400);
  state.table.bindChannel(a, channel, peer, req.nowMs);
  return { ok: true, attributes: [] };
};
