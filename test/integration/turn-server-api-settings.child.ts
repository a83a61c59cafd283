/**
 * Child of turn-server-api-settings.test.ts, run inside a network namespace of that test: starts the TURN
 * server from the API, `startTurnServer({ addresses: [argv[2]], port: 0 })` with no TURN settings at all,
 * allocates with the generated user and asks for a permission to the loopback peer 127.0.0.1, then prints
 * one JSON line `{"allowPeersDefaulted":bool,"allowPeers":[...],"allocate":cls,"permission":code|cls}` and
 * closes everything.
 */
import { startTurnServer } from '../../src/server/turn/server.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import { RawTurnClient } from '../support/turn-raw.js';

const server = await startTurnServer({ addresses: [process.argv[2]!], port: 0 });
const client = await RawTurnClient.udp(server.turnUdp[0]!);
try {
  const user = server.generatedUser!;
  const allocate = await client.allocate(user);
  const permission = await client.signed(
    StunMethod.createPermission,
    [{ type: Attr.XOR_PEER_ADDRESS, address: { address: '127.0.0.1', port: 9 } }],
    user,
  );
  process.stdout.write(
    `${JSON.stringify({
      allowPeersDefaulted: server.allowPeersDefaulted,
      allowPeers: server.allowPeers,
      allocate: allocate.cls === StunClass.successResponse ? 'success' : getErrorCode(allocate)?.code,
      permission: permission.cls === StunClass.successResponse ? 'success' : getErrorCode(permission)?.code,
    })}\n`,
  );
} finally {
  await client.close();
  await server.close();
}
