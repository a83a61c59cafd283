import { formatAddress, type TransportAddress } from '../../../src/wire/address.js';
import { MIN_CHANNEL } from '../../../src/wire/channel-data.js';
import { StunMethod } from '../../../src/wire/constants.js';
import { channelAttribute, peerAttribute, type Signing, statusOf } from '../../support/turn-raw.js';
import { allocatedSession, release } from './scan.js';

/** The positive control of a scan: peers the server allows, so their packets must be seen leaving. */
export interface ControlPlan {
  server: TransportAddress;
  localAddress: string;
  credential: Signing;
  /** Allowed peers (`--allow-peer`), each reached from an allocation of its family. */
  peers: TransportAddress[];
  /** Send indications, and ChannelData messages, per peer. */
  packets: number;
}

/** What the control did: how many permissions and channels were granted, and how many messages it relayed. */
export interface ControlResult {
  /** CreatePermission and ChannelBind requests answered 200. */
  granted: number;
  /** Requests made (two per peer). */
  requested: number;
  /** Send indications and ChannelData sent after a grant: each must leave the server as one packet. */
  sent: number;
  /** Refusals, e.g. `CreatePermission 100.64.90.2:9 → 403`. */
  problems: string[];
}

/**
 * Proves that the scan's "nothing left" can fail: over UDP, for each allowed peer, allocates a relay of its
 * family, gets a permission (CreatePermission) and sends `packets` Send indications, then binds channel
 * 0x4000 and sends `packets` ChannelData messages. Every message sent after a 200 should leave the server.
 */
export async function runControl(plan: ControlPlan): Promise<ControlResult> {
  const out: ControlResult = { granted: 0, requested: 0, sent: 0, problems: [] };
  const payload = Buffer.from('ice-doctor ssrf control');
  for (const peer of plan.peers) {
    const session = await allocatedSession(
      'udp',
      plan.server,
      plan.localAddress,
      plan.credential,
      peer.family,
    );
    try {
      const grant = async (method: 'createPermission' | 'channelBind'): Promise<boolean> => {
        out.requested++;
        const response = await session.signed(
          StunMethod[method],
          (tid) => [
            ...(method === 'channelBind' ? [channelAttribute(MIN_CHANNEL)] : []),
            peerAttribute(peer.address, peer.port, tid),
          ],
          plan.credential,
        );
        const status = statusOf(response);
        if (status === 200) out.granted++;
        else out.problems.push(`${method} ${formatAddress(peer)} → ${status}`);
        return status === 200;
      };
      if (await grant('createPermission'))
        for (let i = 0; i < plan.packets; i++) {
          session.sendIndication(peer.address, peer.port, payload);
          out.sent++;
        }
      if (await grant('channelBind'))
        for (let i = 0; i < plan.packets; i++) {
          session.channelData(MIN_CHANNEL, payload);
          out.sent++;
        }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await release(session, plan.credential);
    }
  }
  return out;
}
