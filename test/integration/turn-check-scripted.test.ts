import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainStunPort } from '../../lab/plain-stun-port.js';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { runTurnCheck } from '../../src/client/turn-check/run.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';
import type { TurnTargetReport } from '../../src/report/schema.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { longTermKey } from '../../src/wire/integrity.js';
import { decodeMessage, findAttribute, getErrorCode } from '../../src/wire/message.js';

/** How the scripted server answers authenticated requests. */
type Mode = 'stale-nonce' | 'quota' | 'capacity' | 'garbage' | 'no-integrity' | 'bad-request';

const REALM = 'scripted.test';
const KEY = longTermKey('alice', REALM, 'wonderland');

/**
 * A UDP responder that plays one TURN server misbehaviour on loopback: a request without
 * MESSAGE-INTEGRITY gets a proper 401 with REALM and a fresh NONCE; a signed one gets what `mode` says.
 */
class ScriptedTurn {
  mode: Mode = 'quota';
  /** Request datagrams received, retransmissions included. */
  requests = 0;
  /** Distinct transactions (a retransmission repeats its transaction ID, RFC 8489 §6.2.1). */
  readonly transactions = new Set<string>();
  private constructor(private readonly socket: Socket) {
    socket.on('message', (bytes, rinfo) => {
      const reply = this.answer(bytes);
      if (reply) socket.send(reply, rinfo.port, rinfo.address);
    });
  }

  static async start(): Promise<ScriptedTurn> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new ScriptedTurn(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private error(method: number, transactionId: Buffer, code: number, reason: string, nonce: boolean): Buffer {
    return buildMessage({
      method,
      cls: StunClass.errorResponse,
      transactionId,
      attributes: [
        { type: Attr.ERROR_CODE, error: { code, reason } },
        ...(nonce
          ? [
              { type: Attr.REALM, bytes: REALM },
              { type: Attr.NONCE, bytes: randomBytes(8).toString('hex') },
            ]
          : []),
      ],
    });
  }

  private answer(bytes: Buffer): Buffer | null {
    let msg: ReturnType<typeof decodeMessage>;
    try {
      msg = decodeMessage(bytes);
    } catch {
      return null;
    }
    if (msg.cls !== StunClass.request) return null;
    this.requests++;
    const { method, transactionId } = msg;
    this.transactions.add(transactionId.toString('hex'));
    if (!findAttribute(msg, Attr.MESSAGE_INTEGRITY))
      return this.error(method, transactionId, 401, 'Unauthorized', true);
    switch (this.mode) {
      case 'stale-nonce':
        return this.error(method, transactionId, 438, 'Stale Nonce', true);
      case 'quota':
        return this.error(method, transactionId, 486, 'Allocation Quota Reached', false);
      case 'capacity':
        return this.error(method, transactionId, 508, 'Insufficient Capacity', false);
      case 'bad-request':
        return this.error(method, transactionId, 400, 'Bad Request', false);
      case 'garbage':
        return Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
      case 'no-integrity':
        return buildMessage({
          method,
          cls: StunClass.successResponse,
          transactionId,
          attributes:
            method === StunMethod.allocate
              ? [
                  {
                    type: Attr.XOR_RELAYED_ADDRESS,
                    address: { address: '127.0.0.1', port: 40_000 + this.requests },
                  },
                  { type: Attr.LIFETIME, uint32: 600 },
                ]
              : [{ type: Attr.LIFETIME, uint32: 600 }],
          // Signed only for the methods a careful server signs, to show the check names the one that is not.
          integrityKey: method === StunMethod.allocate ? undefined : KEY,
        });
    }
  }

  close(): void {
    this.socket.close();
  }
}

describe('turn-check against a scripted UDP server (real sockets, one misbehaviour each)', () => {
  let server: ScriptedTurn;
  beforeAll(async () => {
    server = await ScriptedTurn.start();
  });
  afterAll(() => server?.close());

  async function checkAs(mode: Mode): Promise<TurnTargetReport> {
    server.mode = mode;
    server.requests = 0;
    server.transactions.clear();
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turn:127.0.0.1:${server.port}?transport=udp`]),
      credentials: { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 8000,
    });
    return r.targets[0]!;
  }

  it('438 again and again, even with the nonce just issued: stale-nonce-loop after 4 requests', async () => {
    const t = await checkAs('stale-nonce');
    expect(t.diagnoses.map((d) => d.code)).toEqual(['stale-nonce-loop']);
    expect(t.diagnoses[0]?.message).toMatch(/rejected 3 requests in a row/);
    // Four transactions (the unsigned one, then three signed retries); on a busy machine a response can come
    // after the RTO, so a request may be retransmitted: `sent` counts those too, as the server does.
    expect(server.transactions.size).toBe(4);
    expect(t.steps.find((s) => s.name === 'allocate')).toMatchObject({
      status: 'fail',
      sent: server.requests,
    });
  });

  it.each([
    ['quota', 'quota-reached', /486 Allocation Quota Reached/],
    ['capacity', 'insufficient-capacity', /508 Insufficient Capacity/],
  ] as const)('%s → %s', async (mode, code, words) => {
    const t = await checkAs(mode);
    expect(t.diagnoses.map((d) => d.code)).toEqual([code]);
    expect(t.diagnoses[0]?.message).toMatch(words);
  });

  it('400 to the signed retry (how pion/turn rejects credentials): likely wrong credentials, not a bare 400', async () => {
    const t = await checkAs('bad-request');
    expect(t.diagnoses.map((d) => d.code)).toEqual(['credentials-rejected-400']);
    expect(t.diagnoses[0]?.message).toMatch(/likely wrong credentials/);
    expect(t.steps.find((s) => s.name === 'allocate')).toMatchObject({
      status: 'fail',
      detail: '400 Bad Request',
    });
  });

  it('replies that are not STUN: unparseable-response, fast once the 401 calibrated the RTO', async () => {
    const started = performance.now();
    const t = await checkAs('garbage');
    expect(t.diagnoses.map((d) => d.code)).toEqual(['unparseable-response']);
    expect(t.diagnoses[0]?.message).toMatch(/neither STUN nor ChannelData/);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('an Allocate success without MESSAGE-INTEGRITY: integrity-missing on allocate, data never relayed', async () => {
    const t = await checkAs('no-integrity');
    const codes = t.diagnoses.map((d) => d.code);
    expect(codes).toContain('integrity-missing');
    expect(t.diagnoses.find((d) => d.code === 'integrity-missing')?.step).toBe('allocate');
    expect(codes).toContain('relay-no-data');
    expect(t.steps.find((s) => s.name === 'create-permission')?.status).toBe('ok');
  });
});

/**
 * A UDP proxy in front of a real TURN server that drops every 437 Allocation Mismatch on its way back: the
 * server then behaves like pion/turn 2.1, which sends nothing for a deleted allocation (RFC 8656 §5 says
 * 437). One upstream socket per client, so the server sees one 5-tuple per client as without the proxy.
 */
class Drop437Proxy {
  dropped = 0;
  private readonly upstream = new Map<string, Socket>();
  private constructor(
    private readonly front: Socket,
    private readonly serverPort: number,
  ) {
    front.on('message', (bytes, from) => this.toServer(bytes, from));
  }

  static async start(serverPort: number): Promise<Drop437Proxy> {
    const front = createSocket('udp4');
    await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
    return new Drop437Proxy(front, serverPort);
  }

  get port(): number {
    return this.front.address().port;
  }

  private toServer(bytes: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let up = this.upstream.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (reply) => {
        if (isMismatch(reply)) this.dropped++;
        else this.front.send(reply, from.port, from.address);
      });
      this.upstream.set(key, up);
    }
    up.send(bytes, this.serverPort, '127.0.0.1');
  }

  close(): void {
    for (const s of this.upstream.values()) s.close();
    this.front.close();
  }
}

function isMismatch(bytes: Buffer): boolean {
  try {
    const msg = decodeMessage(bytes);
    return msg.cls === StunClass.errorResponse && getErrorCode(msg)?.code === 437;
  } catch {
    return false;
  }
}

describe('turn-check against a server silent for a deleted allocation (bundled server, 437s dropped)', () => {
  let turn: RunningTurnServer;
  let proxy: Drop437Proxy;
  beforeAll(async () => {
    const base = 40_000 + Math.floor(Math.random() * 90) * 100;
    turn = await startTurnServer({
      addresses: ['127.0.0.1'],
      port: 0,
      turn: parseTurnFlags(
        { user: ['alice:wonderland'], relayPorts: `${base}-${base + 99}` },
        ['127.0.0.1'],
        true,
      ),
    });
    proxy = await Drop437Proxy.start(turn.turnUdp[0]!.port);
  });
  afterAll(async () => {
    proxy?.close();
    await turn?.close();
  });

  it('a working server that never answers 437: the check passes with a conformance warning', async () => {
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turn:127.0.0.1:${proxy.port}?transport=udp`]),
      credentials: { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 8000,
    });
    const t = r.targets[0]!;
    expect(proxy.dropped).toBeGreaterThan(0);
    expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
    expect(t.diagnoses.map((d) => [d.code, d.severity])).toEqual([['deleted-allocation-silent', 'warn']]);
    expect(t.steps.find((s) => s.name === 'deleted-check')?.status).toBe('warn');
    expect(t.steps.filter((s) => s.status === 'fail')).toEqual([]);
  });
});

describe('turns: at a plain TCP port that stays silent after the ClientHello', () => {
  let server: Server;
  beforeAll(async () => {
    server = await plainStunPort(true);
  });
  afterAll(() => server?.close());

  it('tls-no-handshake after the RTT-based wait (not connect-timeout after 5 s), confirmed by a STUN answer', async () => {
    const port = (server.address() as { port: number }).port;
    const r = await runTurnCheck({
      targets: parseTurnTargets([`turns:127.0.0.1:${port}`]),
      credentials: { credentials: { username: 'alice', password: 'wonderland' }, source: 'long-term' },
      insecure: false,
      timeoutMs: 8000,
    });
    const t = r.targets[0]!;
    expect(t.diagnoses.map((d) => d.code)).toEqual(['tls-no-handshake']);
    expect(t.diagnoses[0]?.message).toMatch(
      /TCP connected in [\d.]+ ms to 127\.0\.0\.1:\d+, but no TLS handshake within \d+ ms: this is a plain turn: port \(it answers STUN over plain TCP\)/,
    );
    // The wait is max(1 s, 8 × the TCP connect time): on loopback 1 s, where the connect timeout is 5 s.
    expect(t.steps.find((s) => s.name === 'connect')?.durationMs).toBeLessThan(4000);
  });
});
