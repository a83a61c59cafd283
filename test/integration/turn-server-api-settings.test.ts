/**
 * The TURN server started from the API (`startTurnServer`, src/server/turn/server.ts) gets the security
 * defaults of `ice-doctor serve` from its own settings resolution (src/server/turn/settings.ts), not from
 * the CLI's flag parser: a generated user (no anonymous relaying) and loopback peers allowed only when every
 * listening address is loopback. Real sockets: Allocate, then CreatePermission to the loopback peer
 * 127.0.0.1 — success on a loopback listen, 403 (RFC 8656 §9.1, Forbidden) on a non-loopback one. The
 * non-loopback server runs in a network namespace this test creates (10.77.0.1 on its own `lo`), so no
 * traffic leaves loopback or that namespace; without root and `ip netns` that case is skipped, never passed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/lab/exec.js';
import { startTurnServer } from '../../src/server/turn/server.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import { RawTurnClient, UDP_TRANSPORT } from '../support/turn-raw.js';

const LOOPBACK_PEER = { type: Attr.XOR_PEER_ADDRESS, address: { address: '127.0.0.1', port: 9 } };

/** True when this process may create a network namespace (root, `ip netns add` works). */
async function netnsAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `icd-cfg-${process.pid}-probe`;
  if ((await run('ip', ['netns', 'add', probe], { check: false })).code !== 0) return false;
  await run('ip', ['netns', 'del', probe], { check: false });
  return true;
}

describe('startTurnServer from the API on loopback addresses', () => {
  it('generates a user, refuses an unsigned Allocate, and allows the loopback peer', async () => {
    const server = await startTurnServer({ addresses: ['127.0.0.1', '127.0.0.2'], port: 0 });
    const client = await RawTurnClient.udp(server.turnUdp[0]!);
    try {
      expect(server.generatedUser).toMatchObject({ username: 'ice-doctor' });
      expect(server.generatedUser!.password).toMatch(/^[\w-]{16}$/);
      expect(getErrorCode(await client.request(StunMethod.allocate, [UDP_TRANSPORT]))?.code).toBe(401);
      expect((await client.allocate(server.generatedUser!)).cls).toBe(StunClass.successResponse);
      expect(server.allowPeersDefaulted).toBe(true);
      const permission = await client.signed(
        StunMethod.createPermission,
        [LOOPBACK_PEER],
        server.generatedUser!,
      );
      expect(permission.cls).toBe(StunClass.successResponse);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('an allow-list given through the API replaces the loopback default: the loopback peer is 403', async () => {
    const alice = { username: 'alice', password: 'wonderland' };
    const server = await startTurnServer({
      addresses: ['127.0.0.1'],
      port: 0,
      turn: { users: { alice: alice.password }, allowPeers: ['10.0.0.0/8'], tlsPort: null },
    });
    const client = await RawTurnClient.udp(server.turnUdp[0]!);
    try {
      expect(server.generatedUser).toBeNull();
      expect((await client.allocate(alice)).cls).toBe(StunClass.successResponse);
      expect(
        getErrorCode(await client.signed(StunMethod.createPermission, [LOOPBACK_PEER], alice))?.code,
      ).toBe(403);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe.skipIf(!(await netnsAvailable()))('startTurnServer from the API on a non-loopback address', () => {
  const ns = `icd-cfg-${process.pid}-${randomBytes(2).toString('hex')}`;
  const address = '10.77.0.1';
  beforeAll(async () => {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  });
  afterAll(async () => {
    await run('ip', ['netns', 'del', ns], { check: false });
  });

  it('keeps the deny-by-default policy alone: the loopback peer is 403', async () => {
    const child = await run(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        'test/integration/turn-server-api-settings.child.ts',
        address,
      ],
      { check: false },
    );
    expect(child.code, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({
      allowPeersDefaulted: false,
      allowPeers: [],
      allocate: 'success',
      permission: 403,
    });
  });
});
