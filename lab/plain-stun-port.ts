import { createServer, type Server } from 'node:net';
import { buildMessage } from '../src/wire/build.js';
import { Attr, StunClass } from '../src/wire/constants.js';
import { decodeMessage } from '../src/wire/message.js';

/**
 * A plain TCP port on 127.0.0.1 that, like a STUN framer reading a TLS ClientHello as the start of a long
 * message, stays silent after one (first byte 0x16); when `answerStun`, it answers any other STUN request
 * with a success response carrying XOR-MAPPED-ADDRESS (a plain `turn:` port), otherwise nothing.
 */
export async function plainStunPort(answerStun: boolean): Promise<Server> {
  const server = createServer((conn) => {
    conn.on('error', () => undefined);
    conn.on('data', (bytes) => {
      if (!answerStun || bytes[0] === 0x16) return;
      const msg = decodeMessage(bytes);
      const mapped = { address: '127.0.0.1', port: conn.remotePort ?? 0 };
      conn.write(
        buildMessage({
          method: msg.method,
          cls: StunClass.successResponse,
          transactionId: msg.transactionId,
          attributes: [{ type: Attr.XOR_MAPPED_ADDRESS, address: mapped }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
