/**
 * The bundled server's path matrix (bundled-ice-server.ts): IP literals for stun: and turn: (the external
 * IP in place of the relay IP), and `turns:` on the public host when there is one, one URL per TLS port.
 */
import { describe, expect, it } from 'vitest';
import type { RunningStunServer } from '../../src/server/stun/server.js';
import {
  type BundledServerView,
  bundledIceServer,
  bundledTurnUrls,
} from '../../src/web/server/bundled-ice-server.js';
import type { TransportAddress } from '../../src/wire/address.js';

const v4 = (address: string, port: number): TransportAddress => ({ family: 'IPv4', address, port });
const v6 = (address: string, port: number): TransportAddress => ({ family: 'IPv6', address, port });

/**
 * A dual-stack server: 10.0.0.5 (advertised as 198.51.100.7) and 10.0.0.6, 2001:db8::5 alone; TLS on 5349;
 * relays from UDP ports 50000–50999, which every TURN URL carries (the page's firewall advice names them).
 */
const server: BundledServerView = {
  fronts: [
    { primary: v4('10.0.0.5', 3478), otherAddress: v4('10.0.0.6', 3479) },
    { primary: v6('2001:db8::5', 3478), otherAddress: null },
  ] as RunningStunServer[],
  turnUdp: [v4('10.0.0.5', 3478), v6('2001:db8::5', 3478)],
  turnTcp: [v4('10.0.0.5', 3478)],
  turnTls: [v4('10.0.0.5', 5349), v6('2001:db8::5', 5349)],
  relay: [
    { family: 'IPv4', ip: '10.0.0.5', ports: { min: 50000, max: 50999 }, externalIp: '198.51.100.7' },
    { family: 'IPv6', ip: '2001:db8::5', ports: { min: 50000, max: 50999 } },
  ],
};

const relayPorts = { min: 50000, max: 50999 };

describe('bundledIceServer', () => {
  it('without a public host: IP literals everywhere, the external IP for the relay IP', () => {
    expect(bundledIceServer(server, 'secret').urls).toEqual([
      { kind: 'stun', url: 'stun:198.51.100.7:3478' },
      { kind: 'stun', url: 'stun:10.0.0.6:3479' },
      { kind: 'stun', url: 'stun:[2001:db8::5]:3478' },
      { kind: 'turn-udp', url: 'turn:198.51.100.7:3478?transport=udp', relayPorts },
      { kind: 'turn-udp', url: 'turn:[2001:db8::5]:3478?transport=udp', relayPorts },
      { kind: 'turn-tcp', url: 'turn:198.51.100.7:3478?transport=tcp', relayPorts },
      { kind: 'turns', url: 'turns:198.51.100.7:5349?transport=tcp', relayPorts },
      { kind: 'turns', url: 'turns:[2001:db8::5]:5349?transport=tcp', relayPorts },
    ]);
  });

  it('with a public host: only turns: names it, once per TLS port; stun: and turn: keep the IP literals', () => {
    const urls = bundledIceServer(server, 'secret', 'turn.example.org').urls;
    expect(urls.filter((u) => u.kind === 'turns')).toEqual([
      { kind: 'turns', url: 'turns:turn.example.org:5349?transport=tcp', relayPorts },
    ]);
    expect(urls.filter((u) => u.kind !== 'turns')).toEqual(
      bundledIceServer(server, 'secret').urls.filter((u) => u.kind !== 'turns'),
    );
  });

  it('a public host that is an IPv6 literal (canonical, in brackets) is written once in brackets', () => {
    expect(bundledTurnUrls(server, '[2001:db8::7]').filter((u) => u.kind === 'turns')).toEqual([
      { kind: 'turns', url: 'turns:[2001:db8::7]:5349?transport=tcp', relayPorts },
    ]);
  });
});
