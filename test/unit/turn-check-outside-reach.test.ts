import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reachLines } from '../../src/cli/render/turn-reach.js';
import { diagnoseTarget, turnCheckReport } from '../../src/client/turn-check/diagnose.js';
import type { DataObservation, TurnObservation } from '../../src/client/turn-check/observations.js';
import { reachNotStarted, reachWaitMs, reachWorstCaseMs } from '../../src/client/turn-check/outside-reach.js';
import type {
  OutsideReachObservation,
  ReachPortObservation,
} from '../../src/client/turn-check/reach-observations.js';
import { reportSchema } from '../../src/report/report-schema.js';
import type { TurnTargetReport } from '../../src/report/schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { addr, req, target } from '../support/turn-observations.js';

// The reach verdict judged on recorded observations (src/client/turn-check/judge-reach.ts), through
// diagnoseTarget as turn-check runs it, and each report validated by the one report schema.

const SERVER = addr('203.0.113.10', 3478);
const PEER = addr('198.51.100.7', 40000);

function data(step: DataObservation['step'], received: DataObservation['received']): DataObservation {
  return { step, durationMs: 1, sent: 1, via: 'send-indication', received, failure: null };
}

/** The main check, passing (or with the relay between its two allocations failing: `inside` false). */
function mainSteps(server: TransportAddress, relayIp: string, inside = true): TurnObservation[] {
  const got = inside ? 'data-indication' : null;
  return [
    { step: 'resolve', durationMs: 1, address: server, error: null },
    req('allocate', { relayed: addr(relayIp, 50000), mapped: PEER, lifetimeS: 600, challenges: [401] }),
    req('peer-allocate', { relayed: addr(relayIp, 50002), lifetimeS: 600 }),
    req('create-permission'),
    req('peer-create-permission'),
    data('send-indication', got),
    data('peer-send-indication', got),
  ];
}

/** One reach port: `in`/`out` as observed (true, false, null). */
function port(
  relayed: TransportAddress | null,
  inbound: boolean | null,
  outbound: boolean | null,
): ReachPortObservation {
  return {
    relayed,
    setupError: null,
    inbound,
    inboundSent: inbound === null ? 0 : inbound ? 1 : 8,
    peerSeen: inbound ? PEER : null,
    outbound,
    outboundSent: outbound === null ? 0 : 1,
    outboundTo: outbound === null ? null : PEER,
    deleted: relayed ? true : null,
  };
}

function reach(
  ports: ReachPortObservation[],
  over: Partial<OutsideReachObservation> = {},
): OutsideReachObservation {
  return {
    server: SERVER,
    clientMapped: PEER,
    peerMapped: PEER,
    permitted: [PEER.address],
    serverOnThisHost: false,
    sendError: null,
    waitMs: 600,
    ports,
    durationMs: 700,
    ...over,
  };
}

const ports3 = (relayIp: string, ways: [boolean | null, boolean | null][]): ReachPortObservation[] =>
  ways.map(([i, o], n) => port(addr(relayIp, 50010 + n * 100), i, o));

function judged(
  outsideReach: OutsideReachObservation | null | undefined,
  observations = mainSteps(SERVER, SERVER.address),
): TurnTargetReport {
  const t = target(observations, {
    url: 'turn:203.0.113.10:3478?transport=udp',
    host: '203.0.113.10',
    ...(outsideReach !== undefined && { outsideReach }),
  });
  const report = turnCheckReport([t], '2026-01-01T00:00:00.000Z', 900);
  const parsed = reportSchema.safeParse(report);
  expect(parsed.success, parsed.error?.message).toBe(true);
  expect(diagnoseTarget(t)).toEqual(report.targets[0]);
  return report.targets[0]!;
}

const codes = (r: TurnTargetReport) => r.diagnoses.map((d) => d.code);

describe('outside reach: verdicts on recorded observations', () => {
  it('reachable: every port both ways, no finding, the check passes', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, true],
          [true, true],
          [true, true],
        ]),
      ),
    );
    expect(r.outsideReach).toMatchObject({
      verdict: 'reachable',
      reachable: 3,
      reason: null,
      peerAddress: PEER,
    });
    expect(r.outsideReach?.ports.map((p) => p.relayed.port)).toEqual([50010, 50110, 50210]);
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual([]);
  });

  it('partly: one port closed from outside, named with the open ones', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, true],
          [false, true],
          [true, true],
        ]),
      ),
    );
    expect(r.outsideReach).toMatchObject({ verdict: 'partly-reachable', reachable: 2 });
    expect(r.ok).toBe(false);
    const d = r.diagnoses.find((x) => x.code === 'relay-ports-partly-closed');
    expect(d?.message).toContain('50010 both ways');
    expect(d?.message).toContain('50110 not from outside');
  });

  it('closed while the two allocations inside relay to each other: relay-only-inside, every port named', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [false, true],
          [false, true],
          [false, false],
        ]),
      ),
    );
    expect(r.outsideReach?.verdict).toBe('closed');
    expect(r.outsideReach?.reason).toMatch(/judged from 198\.51\.100\.7:40000/);
    expect(codes(r)).toEqual(['relay-only-inside']);
    expect(r.diagnoses[0]?.message).toMatch(/50010, 50110 and 50210 of 203\.0\.113\.10/);
    expect(r.diagnoses[0]?.message).toMatch(/allow UDP/);
  });

  it('closed while the inside relay failed too: relay-ports-closed, not "only inside"', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [false, false],
          [false, false],
          [false, false],
        ]),
      ),
      mainSteps(SERVER, SERVER.address, false),
    );
    expect(r.outsideReach?.verdict).toBe('closed');
    expect(codes(r)).toContain('relay-ports-closed');
    expect(codes(r)).not.toContain('relay-only-inside');
  });

  it('one-way: in from outside on every port, nothing back', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, false],
          [true, false],
          [true, false],
        ]),
      ),
    );
    expect(r.outsideReach).toMatchObject({ verdict: 'one-way', reachable: 0 });
    expect(codes(r)).toEqual(['relay-one-way']);
  });

  it('private relayed address while the server is public: relay-address-private, one finding', () => {
    const r = judged(
      reach(
        ports3('10.0.0.5', [
          [false, false],
          [false, false],
          [false, false],
        ]),
      ),
      mainSteps(SERVER, '10.0.0.5'),
    );
    expect(r.outsideReach?.verdict).toBe('relay-address-private');
    expect(codes(r)).toEqual(['relay-address-private']);
    expect(r.diagnoses[0]?.message).toMatch(/external-ip/);
  });

  it('a public relayed address that is not the server’s and unreachable: not-public-address', () => {
    const r = judged(
      reach(
        ports3('198.51.100.99', [
          [false, false],
          [false, false],
          [false, false],
        ]),
      ),
      mainSteps(SERVER, '198.51.100.99'),
    );
    expect(r.outsideReach?.verdict).toBe('not-public-address');
    const d = r.diagnoses.find((x) => x.code === 'relay-address-not-public');
    expect(d?.message).toContain('--external-ip 203.0.113.10');
  });

  it('a relayed address other than the server’s is fine when it is reachable', () => {
    const r = judged(
      reach(
        ports3('198.51.100.99', [
          [true, true],
          [true, true],
          [true, true],
        ]),
      ),
      mainSteps(SERVER, '198.51.100.99'),
    );
    expect(r.outsideReach?.verdict).toBe('reachable');
    expect(r.ok).toBe(true);
  });

  it('reachable from a private address: the verdict says so in its reason (the Internet not tried)', () => {
    const lan = addr('10.0.0.7', 40000);
    const r = judged(
      reach(
        ports3('10.0.0.5', [
          [true, true],
          [true, true],
          [true, true],
        ]),
        {
          server: addr('10.0.0.5', 3478),
          peerMapped: lan,
          clientMapped: lan,
        },
      ),
      mainSteps(addr('10.0.0.5', 3478), '10.0.0.5'),
    );
    expect(r.outsideReach?.verdict).toBe('reachable');
    expect(r.outsideReach?.reason).toMatch(/10\.0\.0\.7:40000, a private address: .*Internet were not tried/);
  });

  it('a port the deadline cut short is not counted as closed', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, true],
          [null, null],
          [true, true],
        ]),
      ),
    );
    expect(r.outsideReach).toMatchObject({ verdict: 'reachable', reachable: 2 });
    expect(r.outsideReach?.ports[1]).toMatchObject({ inbound: null, outbound: null });
  });
});

const closedPorts = (ip: string) =>
  ports3(ip, [
    [false, false],
    [false, false],
    [false, false],
  ]);

describe('outside reach: null with the reason, never a confident wrong verdict', () => {
  it('loopback server: the peer is on the same host, null even though nothing arrived', () => {
    const lo = addr('127.0.0.1', 3478);
    const r = judged(
      reach(closedPorts('127.0.0.1'), {
        server: lo,
        peerMapped: addr('127.0.0.1', 4000),
        clientMapped: null,
      }),
      mainSteps(lo, '127.0.0.1'),
    );
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/loopback/);
    expect(r.outsideReach?.reason).toMatch(/another network/);
    expect(codes(r)).toEqual([]);
  });

  it('loopback server where data worked: still null (says nothing about the Internet), data path listed', () => {
    const lo = addr('127.0.0.1', 3478);
    const r = judged(
      reach(
        ports3('127.0.0.1', [
          [true, true],
          [true, true],
          [true, true],
        ]),
        { server: lo },
      ),
      mainSteps(lo, '127.0.0.1'),
    );
    expect(r.outsideReach).toMatchObject({ verdict: null, reachable: 3 });
    expect(r.outsideReach?.reason).toMatch(/3 of 3 relay ports carried data both ways/);
  });

  it('server address on this host: null', () => {
    const r = judged(reach(closedPorts(SERVER.address), { serverOnThisHost: true }));
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/this host/);
  });

  it('the peer’s reflexive IP is the server’s (same host or same NAT): null', () => {
    const r = judged(reach(closedPorts(SERVER.address), { peerMapped: addr(SERVER.address, 61000) }));
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/same NAT/);
  });

  it('the Allocate failed: not run, with the reason; --no-outside-reach: absent', () => {
    const failed: TurnObservation[] = [
      { step: 'resolve', durationMs: 1, address: SERVER, error: null },
      req('allocate', { success: false, errorCode: 401, errorReason: 'Unauthorized' }),
    ];
    const r = judged(null, failed);
    expect(r.outsideReach).toMatchObject({ verdict: null, ports: [], reachable: 0 });
    expect(r.outsideReach?.reason).toMatch(/Allocate failed/);
    expect(judged(undefined).outsideReach).toBeUndefined();
  });

  it('the server not reached: not run', () => {
    const r = judged(null, [{ step: 'resolve', durationMs: 1, address: null, error: 'ENOTFOUND' }]);
    expect(r.outsideReach?.reason).toMatch(/not reached/);
  });

  it('permissions refused on every port: null naming the refusal', () => {
    const refused = closedPorts(SERVER.address).map((p) => ({
      ...p,
      inbound: null,
      outbound: null,
      setupError: 'CreatePermission: 403 Forbidden',
    }));
    const r = judged(reach(refused));
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/403 Forbidden/);
    expect(r.outsideReach?.ports[0]?.error).toBe('CreatePermission: 403 Forbidden');
  });

  it('no allocation at all: null', () => {
    const r = judged(reach([port(null, null, null), port(null, null, null)]));
    expect(r.outsideReach).toMatchObject({ verdict: null, ports: [] });
  });

  it('the outside peer could not send (no route): null, not closed', () => {
    const r = judged(
      reach(closedPorts(SERVER.address), { sendError: 'send ENETUNREACH 203.0.113.10:50010' }),
    );
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/ENETUNREACH/);
    expect(codes(r)).toEqual([]);
  });

  it('UDP blocked on this host (the peer’s own Binding unanswered): null, not closed, over TLS too', () => {
    const blocked = { peerMapped: null, bindingTo: addr(SERVER.address, 3478) };
    const r = judged(reach(closedPorts(SERVER.address), blocked));
    expect(r.outsideReach?.verdict).toBeNull();
    expect(r.outsideReach?.reason).toMatch(/could not show that this host can send UDP to the server/);
    expect(r.outsideReach?.reason).toMatch(/203\.0\.113\.10:3478/);
    expect(codes(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const notPublic = judged(
      reach(closedPorts('198.51.100.99'), blocked),
      mainSteps(SERVER, '198.51.100.99'),
    );
    expect(notPublic.outsideReach?.verdict).toBeNull();
    const oneWay: [boolean, boolean][] = [
      [true, false],
      [true, false],
      [true, false],
    ];
    const partly: [boolean, boolean][] = [
      [true, true],
      [false, false],
      [true, true],
    ];
    for (const ways of [oneWay, partly])
      expect(judged(reach(ports3(SERVER.address, ways), blocked)).outsideReach?.verdict).toBeNull();
  });

  it('UDP blocked here but data arrived both ways on every port: still reachable (shown by the data)', () => {
    const r = judged(reach(ports3(SERVER.address, Array(3).fill([true, true])), { peerMapped: null }));
    expect(r.outsideReach?.verdict).toBe('reachable');
  });

  it('same private network as the server (no hairpin): null, not not-public-address', () => {
    const lan = addr('192.168.1.5', 3478);
    const inLan = {
      server: lan,
      peerMapped: addr('192.168.1.9', 40000),
      clientMapped: addr('192.168.1.9', 40001),
    };
    for (const serverAt of [lan, addr('100.64.0.2', 3478), addr('10.0.0.2', 3478)]) {
      const r = judged(
        reach(closedPorts('198.51.100.20'), { ...inLan, server: serverAt }),
        mainSteps(serverAt, '198.51.100.20'),
      );
      expect(r.outsideReach?.verdict, serverAt.address).toBeNull();
      expect(r.outsideReach?.reason).toMatch(/inside the server’s network.*hairpins.*from outside/);
      expect(codes(r)).toEqual([]);
    }
    // Reached at its public address from a private one while the relayed address is public: the same.
    const hairpin = judged(reach(closedPorts(SERVER.address), { peerMapped: addr('100.64.0.9', 40000) }));
    expect(hairpin.outsideReach?.verdict).toBeNull();
    expect(hairpin.outsideReach?.reason).toMatch(/hairpins/);
  });

  it('documentation ranges count as public: a peer at 203.0.113.10 is still judged (the NAT lab’s pub side)', () => {
    const server = addr('203.0.113.1', 3478);
    const r = judged(
      reach(closedPorts(server.address), { server, peerMapped: addr('203.0.113.10', 40000) }),
      mainSteps(server, server.address),
    );
    expect(r.outsideReach?.verdict).toBe('closed');
  });

  it('after a followed 300 Try Alternate: judged against the server the reach check talked to', () => {
    const alternate = addr('198.51.100.50', 3478);
    const steps = mainSteps(SERVER, alternate.address);
    const r = judged(reach(closedPorts(alternate.address), { server: alternate }), steps);
    expect(r.outsideReach?.verdict).toBe('closed');
    expect(codes(r)).toContain('relay-only-inside');
    expect(codes(r)).not.toContain('relay-address-not-public');
  });
});

describe('outside reach as text', () => {
  const plain = (lines: string[]) => stripVTControlCharacters(lines.join('\n'));

  it('a verdict, the count, where from and a mark per port; the limit below', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, true],
          [false, true],
          [true, false],
        ]),
      ),
    );
    expect(plain(reachLines(r))).toBe(
      '    outside reach: partly reachable — 1 of 3 relay ports tried both ways from 198.51.100.7  50010 ✔  50110 ✘in  50210 ✘out\n' +
        '      judged from 198.51.100.7:40000: a firewall on this side that lets UDP out only to the TURN port would look the same',
    );
  });

  it('ports never tried are counted apart, not in "of N"', () => {
    const r = judged(
      reach(
        ports3(SERVER.address, [
          [true, true],
          [true, true],
          [null, null],
        ]),
      ),
    );
    expect(r.outsideReach?.verdict).toBe('reachable');
    expect(plain(reachLines(r))).toMatch(
      /reachable — 2 of 2 relay ports tried both ways from 198\.51\.100\.7, 1 not tried {2}50010 ✔ {2}50110 ✔ {2}50210 –/,
    );
  });

  it('a private relayed address: one relay-address-private, in the same words as the Allocate’s', () => {
    const r = judged(reach(closedPorts('10.0.0.5')), mainSteps(SERVER, '10.0.0.5'));
    expect(r.outsideReach?.verdict).toBe('relay-address-private');
    expect(codes(r).filter((c) => c === 'relay-address-private')).toHaveLength(1);
    const noReach = judged(undefined, mainSteps(SERVER, '10.0.0.5'));
    const words = (t: TurnTargetReport) =>
      t.diagnoses.find((d) => d.code === 'relay-address-private')?.message;
    expect(words(r)).toBe(words(noReach));
    expect(words(r)).toMatch(/--external-ip 203\.0\.113\.10/);
  });

  it('not judged: the reason; --no-outside-reach: nothing', () => {
    const failed: TurnObservation[] = [{ step: 'resolve', durationMs: 1, address: null, error: 'ENOTFOUND' }];
    expect(plain(reachLines(judged(null, failed)))).toBe(
      '    outside reach: not judged\n      not run: the server was not reached (its name did not resolve)',
    );
    expect(reachLines(judged(undefined))).toEqual([]);
  });
});

describe('reach check skipped for lack of time', () => {
  it('its worst case covers the Binding wait, the requests and both data waits', () => {
    expect(reachWorstCaseMs(100)).toBe(500 + 200 + 2 * 600);
    expect(reachWorstCaseMs(500)).toBe(1000 + 1000 + 2 * 1000);
  });

  it('not started: null with the time left and the worst case, no finding', () => {
    const r = judged(
      reachNotStarted(
        SERVER,
        'not run: 900 ms left before the deadline (--timeout), its worst case is 1900 ms',
      ),
    );
    expect(r.outsideReach).toMatchObject({ verdict: null, ports: [], reachable: 0 });
    expect(r.outsideReach?.reason).toMatch(/900 ms left.*worst case is 1900 ms/);
    expect(codes(r)).toEqual([]);
  });
});

describe('reachWaitMs', () => {
  it('is 3 × RTO within 600–1000 ms', () => {
    expect(reachWaitMs(15)).toBe(600);
    expect(reachWaitMs(250)).toBe(750);
    expect(reachWaitMs(3000)).toBe(1000);
  });
});
