import { describe, expect, it } from 'vitest';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { reachFromOutside } from '../../src/client/turn-check/outside-reach.js';
import { TurnSession } from '../../src/client/turn-check/session.js';
import { startTurnServer } from '../../src/server/turn/server.js';
import { RequestedTransport, UDP_PROTOCOL } from '../../src/wire/attributes/requested-transport.js';

// Reach over TCP: when the reach sessions' connections fail while a port is being tried (here: the server
// goes away), the port is not tried (inbound null, with the error) — never recorded as a closed relay port.

describe('reach check over TCP: a dropped connection is not a closed port', () => {
  it('the server closes mid-check: every port not tried, the error named', async () => {
    const base = 44_000 + Math.floor(Math.random() * 60) * 20;
    const server = await startTurnServer({
      addresses: ['127.0.0.1'],
      port: 0,
      turn: {
        users: new Map([['alice', 'wonderland']]),
        relayPorts: { min: base, max: base + 19 },
        tlsPort: null,
      },
    });
    const to = server.turnTcp[0]!;
    const rtt = new RttEstimator();
    const signal = AbortSignal.timeout(10_000);
    const sessions: TurnSession[] = [];
    let closing: Promise<void> | null = null;
    try {
      const o = await reachFromOutside({
        server: to,
        bindingTo: server.turnUdp[0]!,
        clientMapped: null,
        open: async () => {
          const s = await TurnSession.open({
            transport: 'tcp',
            to,
            serverName: '127.0.0.1',
            insecure: false,
            connectTimeoutMs: 2000,
            signal,
            credentials: { username: 'alice', password: 'wonderland' },
            rtt,
          });
          sessions.push(s);
          const onRelayed = s.onRelayed.bind(s);
          // The first wait for data from outside: the server goes away.
          s.onRelayed = (l) => {
            closing ??= server.close();
            return onRelayed(l);
          };
          return s;
        },
        allocateAttributes: [RequestedTransport.encode(UDP_PROTOCOL)],
        rtt,
        signal,
      });
      expect(closing).not.toBeNull();
      expect(o.ports).toHaveLength(3);
      for (const p of o.ports) {
        expect(p.relayed).not.toBeNull();
        expect(p.inbound, JSON.stringify(p)).toBeNull();
        expect(p.setupError).toMatch(/connection to the server failed/);
      }
    } finally {
      for (const s of sessions) s.close();
      await (closing ?? server.close());
    }
  }, 20_000);
});
