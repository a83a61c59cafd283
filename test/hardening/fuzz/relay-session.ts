import type { TransportAddress } from '../../../src/wire/address.js';
import { Attr, classOf, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import { allocateWithChannel, Signer } from './signer.js';
import { SinkPeer } from './sink-peer.js';
import { StreamConn } from './stream-conn.js';
import { UdpFuzzSocket } from './udp-socket.js';

/**
 * A fuzzing client with a live allocation (RFC 8656 §7) whose channel 0x4000 is bound to its own
 * {@link SinkPeer}: malformed input then arrives on a 5-tuple the server holds state for.
 */
export interface RelaySession<T extends UdpFuzzSocket | StreamConn> {
  client: T;
  signer: Signer;
  sink: SinkPeer;
  relayed: TransportAddress;
  /**
   * Deletes the allocation (Refresh with LIFETIME 0, §7.3) when the client can still talk, then closes all.
   * @returns whether the Refresh was answered with success.
   */
  close(): Promise<boolean>;
}

async function session<T extends UdpFuzzSocket | StreamConn>(
  client: T,
  closeClient: () => Promise<void>,
): Promise<RelaySession<T>> {
  const exchange = (b: Buffer, t?: number) => client.exchange(b, t);
  const signer = await Signer.learn(exchange);
  const sink = await SinkPeer.open();
  const relayed = await allocateWithChannel(exchange, signer, sink.address);
  return {
    client,
    signer,
    sink,
    relayed,
    async close() {
      const refresh = signer.sign(
        StunMethod.refresh,
        [{ type: Attr.LIFETIME, uint32: 0 }],
        newTransactionId(),
      );
      const answer = await exchange(refresh, 1_000);
      await closeClient();
      await sink.close();
      return answer !== null && classOf(answer.readUInt16BE(0)) === StunClass.successResponse;
    },
  };
}

/** A UDP client with an allocation on `server` (its UDP address). */
export async function udpRelaySession(server: TransportAddress): Promise<RelaySession<UdpFuzzSocket>> {
  const client = await UdpFuzzSocket.open(server);
  return session(client, () => client.close());
}

/** A TCP client with an allocation on `server` (its TCP address), which lives as long as the connection. */
export async function tcpRelaySession(server: TransportAddress): Promise<RelaySession<StreamConn>> {
  const client = await StreamConn.open(server);
  return session(client, async () => {
    client.end();
    await client.waitClosed(2_000);
  });
}
