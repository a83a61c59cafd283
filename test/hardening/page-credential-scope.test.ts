/**
 * The report page's TURN credentials against `ice-doctor serve` with its page on (a child process on
 * loopback, `--allow-peer 127.0.0.0/8,203.0.113.0/24` so the peer policy allows those ranges and only the scope can
 * refuse it). `GET /api/ice-servers` gives them to anyone who loads the page, so they must not relay to
 * any peer the policy allows (RFC 8656 §21.3): with one, CreatePermission and ChannelBind get 403 for
 * 8.8.8.8, 203.0.113.7, a loopback address that is not a relay and this server's relay IP at a port that
 * is not a relayed address, and a Send indication there is never delivered; relaying between two of this
 * server's allocations (the page's path proofs) works; CreatePermission and ChannelBind to the report
 * server's outside-peer responder get 403 too (the page never runs its outside-reach proof through the
 * bundled server, which shares the report server's host). A credential bound to a signaling room reaches the
 * address of the other member's socket (127.0.0.3) while that member is in the room, and only then. An
 * operator credential (`--user`) stays unscoped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outsidePeerOfferSchema } from '../../src/web/api-schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { Attr, StunMethod } from '../../src/wire/constants.js';
import { getAddress } from '../../src/wire/message.js';
import { stopServes } from '../support/serve-process.js';
import {
  channelAttribute,
  peerAttribute,
  type RawTurnClient,
  type Signing,
  statusOf,
} from '../support/turn-raw.js';
import { connectSignal, type SignalClient } from '../support/web-report.js';
import { from, sleep } from './auth-server.js';
import { HARDENING_USER, startHardened } from './server-process.js';
import { type Canary, openCanary } from './ssrf/canary.js';
import { record } from './tally.js';

const sessions: RawTurnClient[] = [];
const sockets: SignalClient[] = [];
const canaries: Canary[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await Promise.all([...sessions.splice(0), ...canaries.splice(0)].map((s) => s.close()));
  stopServes();
});

/** A page credential, as `GET /api/ice-servers` hands it to a visitor. */
async function pageCredential(pageUrl: string): Promise<Signing> {
  const body = (await (await fetch(`${pageUrl}api/ice-servers`)).json()) as {
    iceServers: { urls: string; username?: string; credential?: string }[];
  };
  const turn = body.iceServers.find((s) => s.username !== undefined);
  if (!turn?.username || !turn.credential) throw new Error('the page got no TURN credential');
  return { username: turn.username, password: turn.credential };
}

/** A UDP session to `server` with an allocation made with `credential`; its relayed address. */
async function allocated(
  server: TransportAddress,
  credential: Signing,
): Promise<{ c: RawTurnClient; relayed: TransportAddress }> {
  const c = await from('127.0.0.1', server);
  sessions.push(c);
  const res = await c.allocate(credential);
  const relayed = getAddress(res, Attr.XOR_RELAYED_ADDRESS);
  if (statusOf(res) !== 200 || !relayed) throw new Error(`Allocate → ${statusOf(res)}`);
  return { c, relayed };
}

/** The status of a CreatePermission (or ChannelBind with `channel`) for `address:port`. */
async function permit(
  c: RawTurnClient,
  credential: Signing,
  address: string,
  port: number,
  channel?: number,
): Promise<number> {
  const method = channel === undefined ? StunMethod.createPermission : StunMethod.channelBind;
  const res = await c.signed(
    method,
    (tid) => [
      peerAttribute(address, port, tid),
      ...(channel === undefined ? [] : [channelAttribute(channel)]),
    ],
    credential,
  );
  return statusOf(res);
}

describe('report page credentials are scoped', () => {
  it('403 for any peer but this server’s relayed addresses and the room-mates; operator credentials unscoped', async ({
    task,
  }) => {
    const s = await startHardened(['--allow-peer', '127.0.0.0/8,203.0.113.0/24'], { report: true });
    if (!s.listening) throw new Error(`serve did not start: ${s.stderr}`);
    const server = s.line.turn.udp[0]!;
    const pageUrl = s.line.report?.url;
    if (!pageUrl) throw new Error('serve printed no report URL');
    const wrong: string[] = [];
    let tried = 0;
    const check = (what: string, got: number, expected: number): void => {
      tried++;
      if (got !== expected) wrong.push(`${what} → ${got}, expected ${expected}`);
    };

    const page = await pageCredential(pageUrl);
    const a = await allocated(server, page);
    const b = await allocated(server, page);
    const canary = await openCanary('127.0.0.1');
    canaries.push(canary);
    for (const [address, port] of [
      ['8.8.8.8', 53],
      ['203.0.113.7', 3478],
      ['127.0.0.5', 9],
      ['127.0.0.1', canary.address.port],
    ] as const) {
      check(`page CreatePermission ${address}:${port}`, await permit(a.c, page, address, port), 403);
      check(`page ChannelBind ${address}:${port}`, await permit(a.c, page, address, port, 0x4001), 403);
    }
    check(
      'page CreatePermission to another relayed address',
      await permit(a.c, page, '127.0.0.1', b.relayed.port),
      200,
    );
    check('page CreatePermission back', await permit(b.c, page, '127.0.0.1', a.relayed.port), 200);
    a.c.sendIndication('127.0.0.1', canary.address.port, Buffer.from('to the canary'));
    a.c.sendIndication('127.0.0.1', b.relayed.port, Buffer.from('to the other relay'));
    await sleep(300);
    check('Send indications delivered to the canary (own relay IP, not a relay port)', canary.heard(), 0);
    check('Data indications from the other relay', b.c.unsolicited, 1);
    check(
      'page ChannelBind to another relayed address',
      await permit(a.c, page, '127.0.0.1', b.relayed.port, 0x4002),
      200,
    );
    const offer = outsidePeerOfferSchema.parse(
      await (await fetch(`${pageUrl}api/outside-peer`, { method: 'POST' })).json(),
    );
    const responder = offer.candidate;
    check(
      'page CreatePermission to the report server’s outside-peer responder',
      await permit(a.c, page, responder.address, responder.port),
      403,
    );
    check(
      'page ChannelBind to the outside-peer responder',
      await permit(a.c, page, responder.address, responder.port, 0x4010),
      403,
    );
    check(
      'page ChannelBind to another port of the responder’s IP',
      await permit(a.c, page, responder.address, canary.address.port, 0x4011),
      403,
    );

    const broadcaster = await connectSignal(`${pageUrl.replace(/^http/, 'ws')}signal`);
    sockets.push(broadcaster);
    broadcaster.send({ type: 'create', turn: [{ username: page.username, credential: page.password }] });
    const room = await broadcaster.next();
    if (room.type !== 'room') throw new Error(`create → ${JSON.stringify(room)}`);
    check(
      'page CreatePermission 127.0.0.3 before anyone joined',
      await permit(a.c, page, '127.0.0.3', 5000),
      403,
    );
    const watcher = await connectSignal(`${pageUrl.replace(/^http/, 'ws')}signal`, {
      localAddress: '127.0.0.3',
    });
    sockets.push(watcher);
    watcher.send({ type: 'join', room: room.room });
    await watcher.next();
    await broadcaster.next();
    check(
      'page CreatePermission to the room-mate 127.0.0.3',
      await permit(a.c, page, '127.0.0.3', 5000),
      200,
    );
    check(
      'page ChannelBind to the room-mate 127.0.0.3',
      await permit(a.c, page, '127.0.0.3', 5000, 0x4003),
      200,
    );
    check(
      'page CreatePermission 127.0.0.4 (not in the room)',
      await permit(a.c, page, '127.0.0.4', 5000),
      403,
    );
    watcher.ws.close();
    await broadcaster.next();
    check('page CreatePermission 127.0.0.3 after it left', await permit(a.c, page, '127.0.0.3', 5000), 403);

    const operator = await allocated(server, HARDENING_USER);
    check('operator CreatePermission 8.8.8.8', await permit(operator.c, HARDENING_USER, '8.8.8.8', 53), 200);
    check(
      'operator CreatePermission 203.0.113.7',
      await permit(operator.c, HARDENING_USER, '203.0.113.7', 3478),
      200,
    );

    record(task, {
      area: 'auth',
      check: 'page credential: 403 outside own relays + room-mates; operator unscoped',
      tried,
      failures: wrong.length,
      ...(wrong[0] !== undefined && { detail: wrong[0] }),
    });
    expect(wrong).toEqual([]);
  }, 60_000);
});
