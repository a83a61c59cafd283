/**
 * The report server's outside-peer responder (src/web/server/outside-peer.ts, outside-peer-socket.ts): an
 * ICE-lite agent that answers only valid connectivity checks (RFC 8445 §7.3) for the ufrags it issued,
 * never sends unsolicited, and remembers which addresses it answered.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { outsidePeerOfferSchema } from '../../src/web/api-schema.js';
import {
  MAX_ANSWERS_PER_SESSION,
  OUTSIDE_PEER_TTL_MS,
  OutsidePeerResponder,
} from '../../src/web/server/outside-peer.js';
import {
  outsidePeerAddress,
  outsidePeerBind,
  startOutsidePeer,
} from '../../src/web/server/outside-peer-socket.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { shortTermKey, verifyFingerprint, verifyIntegrity } from '../../src/wire/integrity.js';
import { decodeMessage, getAddress } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const NOW = 1_800_000_000_000;
const RELAYED: TransportAddress = { address: '203.0.113.9', port: 50_123, family: 'IPv4' };
const CANDIDATE: TransportAddress = { address: '198.51.100.2', port: 40_000, family: 'IPv4' };
/** ICE PRIORITY and ICE-CONTROLLING (RFC 8445 §16.1), as a browser's check carries them. */
const PRIORITY = 0x0024;
const ICE_CONTROLLING = 0x802a;

/** A connectivity check as a browser sends it (RFC 8445 §7.2.2): USERNAME `remote:local`, short-term MI. */
function check(ufrag: string, pwd: string, opts: { fingerprint?: boolean; cls?: StunClass } = {}): Buffer {
  return buildMessage({
    method: StunMethod.binding,
    cls: opts.cls ?? StunClass.request,
    transactionId: newTransactionId(),
    attributes: [
      { type: Attr.USERNAME, bytes: `${ufrag}:brws` },
      { type: PRIORITY, uint32: 0x6e001eff },
      { type: ICE_CONTROLLING, raw: Buffer.alloc(8, 7) },
    ],
    integrityKey: shortTermKey(pwd),
    fingerprint: opts.fingerprint ?? true,
  });
}

function responder() {
  const sent: { bytes: Buffer; to: TransportAddress }[] = [];
  const r = new OutsidePeerResponder(CANDIDATE, (bytes, to) => sent.push({ bytes, to }));
  return { r, sent };
}

describe('OutsidePeerResponder', () => {
  it('issues offers the page schema accepts, each with its own ufrag and password', () => {
    const { r } = responder();
    const a = outsidePeerOfferSchema.parse(r.issue(NOW));
    const b = r.issue(NOW);
    expect(a.candidate).toEqual(CANDIDATE);
    expect(a.ufrag).not.toBe(b.ufrag);
    expect(a.pwd).not.toBe(b.pwd);
    expect(a.expiresAt).toBe(new Date(NOW + OUTSIDE_PEER_TTL_MS).toISOString());
    expect(r.seen(a.ufrag, NOW)).toEqual([]);
    expect(r.seen('0123456789abcdef', NOW)).toBeNull();
  });

  it('answers a valid check with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT, and remembers the source', () => {
    const { r, sent } = responder();
    const offer = r.issue(NOW);
    const request = check(offer.ufrag, offer.pwd);
    expect(r.handle(request, RELAYED, NOW + 10)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(RELAYED);
    const answer = decodeMessage(sent[0]!.bytes);
    expect(answer.cls).toBe(StunClass.successResponse);
    expect(answer.transactionId).toEqual(decodeMessage(request).transactionId);
    expect(getAddress(answer, Attr.XOR_MAPPED_ADDRESS)).toEqual(RELAYED);
    expect(verifyIntegrity(answer, shortTermKey(offer.pwd))).toBe('valid');
    expect(verifyFingerprint(answer)).toBe('valid');
    expect(sent[0]!.bytes.length).toBeLessThanOrEqual(request.length);
    r.handle(check(offer.ufrag, offer.pwd), RELAYED, NOW + 20);
    expect(r.seen(offer.ufrag, NOW + 30)).toEqual([RELAYED]);
  });

  it('ignores a wrong ufrag, a wrong password, no FINGERPRINT, a non-request and non-STUN bytes: nothing is sent', () => {
    const { r, sent } = responder();
    const offer = r.issue(NOW);
    const other = r.issue(NOW);
    const ignored = [
      check('0123456789abcdef', offer.pwd),
      check(offer.ufrag, other.pwd),
      check(offer.ufrag, offer.pwd, { fingerprint: false }),
      check(offer.ufrag, offer.pwd, { cls: StunClass.indication }),
      check(offer.ufrag, offer.pwd, { cls: StunClass.successResponse }),
      Buffer.from([0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      Buffer.alloc(4),
    ];
    for (const bytes of ignored) expect(r.handle(bytes, RELAYED, NOW)).toBe(false);
    const unsigned = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: newTransactionId(),
      attributes: [{ type: Attr.USERNAME, bytes: `${offer.ufrag}:brws` }],
      fingerprint: true,
    });
    expect(r.handle(unsigned, RELAYED, NOW)).toBe(false);
    expect(sent).toEqual([]);
    expect(r.seen(offer.ufrag, NOW)).toEqual([]);
  });

  it('stops answering a ufrag once it expired, and after MAX_ANSWERS_PER_SESSION answers', () => {
    const { r, sent } = responder();
    const offer = r.issue(NOW);
    expect(r.handle(check(offer.ufrag, offer.pwd), RELAYED, NOW + OUTSIDE_PEER_TTL_MS)).toBe(false);
    expect(r.seen(offer.ufrag, NOW + OUTSIDE_PEER_TTL_MS)).toBeNull();
    const busy = r.issue(NOW);
    for (let i = 0; i < MAX_ANSWERS_PER_SESSION + 5; i++) r.handle(check(busy.ufrag, busy.pwd), RELAYED, NOW);
    expect(sent).toHaveLength(MAX_ANSWERS_PER_SESSION);
  });
});

describe('outsidePeerAddress', () => {
  it('advertises the first public host when it is an IP literal, else a listen address that is not a wildcard', () => {
    expect(outsidePeerAddress('127.0.0.1', [])).toBe('127.0.0.1');
    expect(outsidePeerAddress('10.0.0.5', ['198.51.100.2'])).toBe('198.51.100.2');
    expect(outsidePeerAddress('10.0.0.5', ['turn.example.org'])).toBe('10.0.0.5');
    expect(outsidePeerAddress('0.0.0.0', ['198.51.100.2', 'x.example'])).toBe('198.51.100.2');
    expect(outsidePeerAddress('::', ['[2001:db8::2]'])).toBe('2001:db8::2');
    expect(outsidePeerAddress('0.0.0.0', ['turn.example.org'])).toBeNull();
    expect(outsidePeerAddress('::', [])).toBeNull();
  });
  it('advertises canonical text (RFC 5952), as browsers report addresses', () => {
    expect(outsidePeerAddress('::', ['[2001:DB8:0:0::2]'])).toBe('2001:db8::2');
    expect(outsidePeerAddress('2001:0db8::0001', [])).toBe('2001:db8::1');
  });
});

describe('outsidePeerBind', () => {
  it('binds the advertised IP when it is local, so answers leave from it', () => {
    expect(outsidePeerBind('0.0.0.0', '198.51.100.2', ['127.0.0.1', '198.51.100.2'])).toBe('198.51.100.2');
    expect(outsidePeerBind('::', '2001:db8::2', ['2001:DB8::2'])).toBe('2001:db8::2');
  });
  it('else the listen address of the same family, else the wildcard of the advertised family', () => {
    expect(outsidePeerBind('10.0.0.5', '198.51.100.2', ['10.0.0.5'])).toBe('10.0.0.5');
    expect(outsidePeerBind('::', '198.51.100.2', [])).toBe('0.0.0.0');
    expect(outsidePeerBind('0.0.0.0', '2001:db8::2', [])).toBe('::');
    expect(outsidePeerBind('10.0.0.5', '2001:db8::2', [])).toBe('::');
  });
});

describe('startOutsidePeer on loopback', () => {
  it('answers a real check over UDP and says nothing to garbage', async () => {
    const running = await startOutsidePeer('127.0.0.1', '127.0.0.1', pino({ level: 'silent' }));
    const client = dgram.createSocket('udp4');
    try {
      await new Promise<void>((done) => client.bind(0, '127.0.0.1', done));
      const got: Buffer[] = [];
      client.on('message', (b) => got.push(b));
      const { candidate } = running.responder;
      const offer = running.responder.issue();
      client.send(Buffer.from('not stun at all, padded to twenty bytes'), candidate.port, candidate.address);
      client.send(check(offer.ufrag, 'f'.repeat(32)), candidate.port, candidate.address);
      client.send(check(offer.ufrag, offer.pwd), candidate.port, candidate.address);
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(1);
      const me = client.address();
      expect(getAddress(decodeMessage(got[0]!), Attr.XOR_MAPPED_ADDRESS)).toEqual({
        address: '127.0.0.1',
        port: me.port,
        family: 'IPv4',
      });
      expect(running.responder.seen(offer.ufrag)).toEqual([
        { address: '127.0.0.1', port: me.port, family: 'IPv4' },
      ]);
    } finally {
      client.close();
      await running.close();
      await running.close();
    }
  });
});
