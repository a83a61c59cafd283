/**
 * The page's signaling endpoints and invitation links (page/signaling-url.ts), the plain words of
 * signaling and two-peer failures (page/signaling-words.ts, page/peer-failure.ts), and the two-peer pair's
 * trickled remote type (page/peer-pair.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CandidateType, SelectedPair } from '../../src/report/browser-schema.js';
import { explainPeerFailure, type PeerFailureFacts } from '../../src/web/page/peer-failure.js';
import { candidateKey, withTrickledType } from '../../src/web/page/peer-pair.js';
import { pageSignalingUrl, roomFromHash, roomLink, signalingUrl } from '../../src/web/page/signaling-url.js';
import {
  type SignalingFailure,
  signalingCheckFailure,
  signalingCloseReason,
  signalingErrorReason,
} from '../../src/web/page/signaling-words.js';
import { roomIdSchema } from '../../src/web/signaling-schema.js';

const signaling = { path: '/signal', httpPort: 8080, httpsPort: 8443 };

describe('signaling URLs', () => {
  it('brackets a bare IPv6 host once, keeps a bracketed one, adds the leading slash', () => {
    expect(signalingUrl('ws', '2001:db8::1', 8080, '/signal')).toBe('ws://[2001:db8::1]:8080/signal');
    expect(signalingUrl('wss', '[2001:db8::1]', 8443, '/signal')).toBe('wss://[2001:db8::1]:8443/signal');
    expect(signalingUrl('ws', 'report.example.org', 80, 'signal')).toBe('ws://report.example.org:80/signal');
  });

  it("the page's own signaling: wss from an https page, ws from an http page, the other listener when one is off", () => {
    const http = { protocol: 'http:', hostname: '192.0.2.1' };
    const https = { protocol: 'https:', hostname: '192.0.2.1' };
    expect(pageSignalingUrl(signaling, http)).toBe('ws://192.0.2.1:8080/signal');
    expect(pageSignalingUrl(signaling, https)).toBe('wss://192.0.2.1:8443/signal');
    expect(pageSignalingUrl({ ...signaling, httpPort: null }, http)).toBe('wss://192.0.2.1:8443/signal');
    expect(pageSignalingUrl({ ...signaling, httpsPort: null }, https)).toBeNull();
    expect(pageSignalingUrl({ ...signaling, httpPort: null, httpsPort: null }, http)).toBeNull();
  });
});

describe('invitation links', () => {
  const loc = { origin: 'https://[2001:db8::1]:8443', pathname: '/' };

  it('are the page URL without query with #room=<id>, and read back', () => {
    const room = 'AbCd_efGH-ijKLmn';
    expect(roomIdSchema.safeParse(room).success).toBe(true);
    const link = roomLink(loc, room);
    expect(link).toBe(`https://[2001:db8::1]:8443/#room=${room}`);
    expect(roomFromHash(new URL(link).hash)).toBe(room);
  });

  it('roomFromHash: null without a room; other fragment keys allowed; the value unchecked', () => {
    expect(roomFromHash('')).toBeNull();
    expect(roomFromHash('#report=abc')).toBeNull();
    expect(roomFromHash('#x=1&room=AbCd_efGH-ijKLmn')).toBe('AbCd_efGH-ijKLmn');
    expect(roomFromHash('#room=../../etc')).toBe('../../etc');
  });
});

describe('signalingCheckFailure', () => {
  const base: SignalingFailure = {
    scheme: 'wss',
    timedOut: false,
    hostname: '2001:db8::1',
    port: 8443,
    pageOnThisOrigin: false,
    wsOpened: true,
  };

  it('wss failing while ws opened: the certificate, with the URL to open (IPv6 bracketed)', () => {
    expect(signalingCheckFailure(base)).toBe(
      'the browser refused the certificate; open https://[2001:db8::1]:8443/ once to accept it',
    );
    expect(signalingCheckFailure({ ...base, wsOpened: null })).toBe(
      'the browser refused the certificate or could not connect; open https://[2001:db8::1]:8443/ once to accept it',
    );
  });

  it('not the certificate when ws failed too, when the page came from that origin, or for ws', () => {
    const refused =
      'the connection was refused or cut before the WebSocket upgrade: the server may be down, or a proxy or firewall blocks WebSockets';
    expect(signalingCheckFailure({ ...base, wsOpened: false })).toBe(refused);
    expect(signalingCheckFailure({ ...base, pageOnThisOrigin: true })).toBe(refused);
    expect(signalingCheckFailure({ ...base, scheme: 'ws', wsOpened: null })).toBe(refused);
  });

  it('a timeout is a dropped connection', () => {
    expect(signalingCheckFailure({ ...base, timedOut: true })).toBe(
      'no answer within 3 s: a firewall or proxy may drop the connection',
    );
  });
});

describe('signaling close codes and errors', () => {
  it.each([
    [1001, 'the report server is shutting down'],
    [1008, 'the report server closed signaling after too many refused messages'],
    [4000, 'the room expired (rooms last 10 minutes); invite again for a new link'],
    [4001, 'the report server dropped this page for reading signaling too slowly'],
    [4002, 'the report server closed signaling because this page joined no room within 30 s'],
    [
      1006,
      'the connection to the signaling server was lost (close code 1006): the network or a proxy cut it',
    ],
  ])('close %i', (code, words) => {
    expect(signalingCloseReason(code)).toBe(words);
  });

  it('known error codes in words; an unknown one keeps the server message', () => {
    expect(signalingErrorReason('no-such-room', 'no such room (it may have expired)')).toMatch(
      /^this invitation link is no longer valid/,
    );
    expect(signalingErrorReason('room-full', 'x')).toBe(
      'the room of this invitation link is full; ask for a new link',
    );
    expect(signalingErrorReason('server-busy', 'x')).toMatch(/too many rooms open/);
    expect(signalingErrorReason('too-many-rooms', 'x')).toMatch(/^too many rooms are open from your network/);
    expect(signalingErrorReason('no-such-peer', 'no peer abc to signal in this room')).toBe(
      'the signaling server refused a message (no-such-peer): no peer abc to signal in this room',
    );
  });
});

describe('explainPeerFailure', () => {
  const types = (...t: CandidateType[]): Set<CandidateType> => new Set(t);
  const base: PeerFailureFacts = {
    deadlineMs: 15_000,
    remoteDescription: true,
    localTypes: types('host', 'srflx'),
    remoteTypes: types('host', 'srflx'),
    iceConnectionState: 'checking',
    connectionState: 'connecting',
  };

  it.each<[string, Partial<PeerFailureFacts>, string]>([
    [
      'no offer or answer',
      { remoteDescription: false },
      'the other browser sent no offer or answer within 15 s: its page may have been closed, or it cannot run WebRTC',
    ],
    [
      'no remote candidates',
      { remoteTypes: types() },
      'the other browser sent no ICE candidates within 15 s: it could not gather a single address',
    ],
    [
      'no local candidates',
      { localTypes: types() },
      'this browser gathered no ICE candidates within 15 s: WebRTC may be blocked here',
    ],
    [
      'ICE up, DTLS not',
      { iceConnectionState: 'connected' },
      'ICE found a path but the DTLS handshake did not finish within 15 s: something on the path drops larger UDP packets',
    ],
    [
      'connected, no data channel',
      { iceConnectionState: 'completed', connectionState: 'connected' },
      'the connection was set up but the data channel did not open within 15 s',
    ],
    [
      'relay on both sides',
      { localTypes: types('host', 'srflx', 'relay'), remoteTypes: types('host', 'relay') },
      "no candidate pair worked, not even relay to relay: both browsers had a TURN relay, so a relay did not forward the packets (its peer policy may refuse the other relay's address)",
    ],
    [
      'relay here only',
      { localTypes: types('host', 'relay') },
      "no candidate pair worked: only this browser got a TURN relay, and the other browser's network did not exchange packets with it",
    ],
    [
      'relay there only',
      { remoteTypes: types('relay') },
      "no candidate pair worked: only the other browser got a TURN relay, and this browser's network did not exchange packets with it",
    ],
    [
      'srflx on both sides, ICE failed before the deadline',
      { deadlineMs: null, iceConnectionState: 'failed' },
      'no candidate pair worked: both sides are behind NATs that change the port per destination (or drop unsolicited packets) and no TURN relay was reachable',
    ],
    [
      'srflx here only',
      { remoteTypes: types('host') },
      'no candidate pair worked: the other browser reached no STUN or TURN server, and the two are not on the same network',
    ],
    [
      'srflx there only',
      { localTypes: types('host') },
      'no candidate pair worked: this browser reached no STUN or TURN server, and the two are not on the same network',
    ],
    [
      'host only',
      { localTypes: types('host'), remoteTypes: types('host') },
      'no candidate pair worked: neither browser reached a STUN or TURN server, and their local addresses cannot reach each other',
    ],
  ])('%s', (_, facts, words) => {
    expect(explainPeerFailure({ ...base, ...facts })).toBe(words);
  });
});

describe('withTrickledType', () => {
  const pair = (
    remoteType: CandidateType,
    remoteAddress: string | null,
    remotePort: number | null,
  ): SelectedPair => ({
    source: 'selectedCandidatePairId',
    localType: 'host',
    remoteType,
    protocol: 'udp',
    relayProtocol: null,
    localAddress: '100.64.90.1',
    localPort: 40000,
    remoteAddress,
    remotePort,
    url: null,
    rttMs: 0.5,
    pairChanges: 0,
    dtlsState: 'connected',
    dtlsCipher: null,
  });
  const trickled = new Map<string, CandidateType>([
    [candidateKey('100.64.90.1', 50000), 'host'],
    [candidateKey('2001:DB8::1', 50002), 'host'],
    [candidateKey('203.0.113.7', 61000), 'srflx'],
  ]);

  it('a prflx remote that the other browser trickled (a check that beat its candidate) gets the trickled type', () => {
    expect(withTrickledType(pair('prflx', '100.64.90.1', 50000), trickled).remoteType).toBe('host');
    expect(withTrickledType(pair('prflx', '203.0.113.7', 61000), trickled).remoteType).toBe('srflx');
    expect(withTrickledType(pair('prflx', '2001:db8::1', 50002), trickled).remoteType).toBe('host');
  });

  it('a real peer-reflexive address (another port), an unknown address, or a non-prflx remote stays as read', () => {
    expect(withTrickledType(pair('prflx', '203.0.113.7', 61001), trickled).remoteType).toBe('prflx');
    expect(withTrickledType(pair('prflx', null, null), trickled).remoteType).toBe('prflx');
    const relay = pair('relay', '100.64.90.1', 50000);
    expect(withTrickledType(relay, trickled)).toBe(relay);
  });
});
