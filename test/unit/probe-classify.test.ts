import { describe, expect, it } from 'vitest';
import { classify, legacyLabel } from '../../src/client/nat-probe/classify.js';
import type {
  BindingObservation,
  ProbeObservations,
  Rfc5780Run,
} from '../../src/client/nat-probe/observations.js';
import { type TransportAddress, transportAddress } from '../../src/wire/address.js';

const A1P1 = transportAddress('203.0.113.10', 3478);
const A2P2 = transportAddress('203.0.113.11', 3479);
const A1P2 = transportAddress('203.0.113.10', 3479);
const LOCAL = '100.64.0.2';
const SERVER = 'stun:203.0.113.10:3478';
const pub = (port: number) => transportAddress('203.0.113.1', port);

function binding(
  name: string,
  target: TransportAddress,
  reply: { from?: TransportAddress; mapped?: TransportAddress; error?: number } | null,
  extra: Partial<BindingObservation> = {},
): BindingObservation {
  return {
    name,
    server: SERVER,
    transport: 'udp',
    target,
    change: null,
    expectedSource: null,
    localPort: 40000,
    requestsSent: reply ? 1 : 4,
    rttMs: reply ? 0.2 : null,
    elapsedMs: reply ? 0.2 : 165,
    source: reply ? (reply.from ?? target) : null,
    mapped: reply && !reply.error ? (reply.mapped ?? null) : null,
    responseOrigin: null,
    otherAddress: name.endsWith('-I') ? A2P2 : null,
    errorCode: reply?.error ?? null,
    failure: reply ? null : 'timeout',
    ...extra,
  };
}

/**
 * The CHANGE-REQUEST control as observed: the control socket's mapped addresses toward A1:P1, A2:P2 and
 * A1:P2 (null: that plain Binding unanswered), and whether each CHANGE-REQUEST's reply arrived.
 */
interface ControlSpec {
  mapped: [TransportAddress | null, TransportAddress | null, TransportAddress | null];
  II: boolean;
  III: boolean;
}

/** A server that honours CHANGE-REQUEST, seen from a control socket behind an endpoint-independent mapping. */
const HONOURED: ControlSpec = {
  mapped: [pub(50000), pub(50000), pub(50000)],
  II: true,
  III: true,
};

/**
 * The RFC 5780 tests against one server at `at` with OTHER-ADDRESS `other`, as a NAT with the given mapped
 * addresses per destination and filtering replies would yield them (control: {@link HONOURED} unless given).
 */
function rfcRun(opts: {
  server?: string;
  at?: TransportAddress;
  other?: TransportAddress;
  mapped: [TransportAddress, TransportAddress, TransportAddress];
  filteringII: boolean;
  filteringIII: boolean;
  control?: ControlSpec;
}): Rfc5780Run {
  const server = opts.server ?? SERVER;
  const at = opts.at ?? A1P1;
  const other = opts.other ?? A2P2;
  const [m1, m2, m3] = opts.mapped;
  const otherIpPrimaryPort = { ...other, port: at.port };
  const primaryIpOtherPort = { ...at, port: other.port };
  const b = (...args: Parameters<typeof binding>) => ({ ...binding(...args), server });
  const control = opts.control ?? HONOURED;
  const [c1, c2, c3] = control.mapped;
  const plain = (name: string, to: TransportAddress, mapped: TransportAddress | null) =>
    b(name, to, mapped ? { mapped } : null);
  return {
    control: {
      I: plain('control-I', at, c1),
      openII: plain('control-II-open', other, c2),
      openIII: plain('control-III-open', primaryIpOtherPort, c3),
      II: b('control-II', at, control.II ? { from: other, mapped: c1 ?? pub(1) } : null, {
        expectedSource: other,
        change: { ip: true, port: true },
      }),
      III: b('control-III', at, control.III ? { from: primaryIpOtherPort, mapped: c1 ?? pub(1) } : null, {
        expectedSource: primaryIpOtherPort,
        change: { ip: false, port: true },
      }),
    },
    server,
    testI: b('mapping-I', at, { mapped: m1 }, { otherAddress: other }),
    II: b('mapping-II', otherIpPrimaryPort, { mapped: m2 }),
    III: b('mapping-III', other, { mapped: m3 }),
    filtering: {
      I: b('filtering-I', at, { mapped: m1 }, { otherAddress: other }),
      II: b('filtering-II', at, opts.filteringII ? { from: other, mapped: m1 } : null, {
        expectedSource: other,
        change: { ip: true, port: true },
      }),
      III: b('filtering-III', at, opts.filteringIII ? { from: primaryIpOtherPort, mapped: m1 } : null, {
        expectedSource: primaryIpOtherPort,
        change: { ip: false, port: true },
      }),
    },
  };
}

/** Observations as a NAT with the given mapped ports per destination and filtering replies would yield. */
function scenario(opts: {
  mapped: [TransportAddress, TransportAddress, TransportAddress];
  filteringII: boolean;
  filteringIII: boolean;
  udp?: boolean;
  control?: ControlSpec;
}): ProbeObservations {
  const udp = opts.udp ?? true;
  const run = rfcRun(opts);
  return {
    servers: [{ url: SERVER, transport: 'udp', address: A1P1, resolveError: null }],
    localAddresses: ['127.0.0.1', LOCAL],
    mappingTestI: [udp ? run.testI : binding('mapping-I', A1P1, null)],
    rfc5780Runs: udp ? [run] : [],
    streams: [
      binding('tcp-binding', A1P1, { mapped: transportAddress('203.0.113.1', 50000) }, { transport: 'tcp' }),
    ],
    hairpin: null,
    lifetime: null,
    deadlineReached: false,
  };
}

/** One plain server (no OTHER-ADDRESS) behind an endpoint-independent mapping. */
const plainServer = (): ProbeObservations => ({
  ...scenario({ mapped: [pub(40000), pub(40000), pub(40000)], filteringII: false, filteringIII: false }),
  rfc5780Runs: [],
});

describe('classify: the six lab scenarios (RFC 4787 terms, RFC 3489 label)', () => {
  it('MASQUERADE: EIM, APDF, port-restricted cone, port preserved', () => {
    const v = classify(
      scenario({ mapped: [pub(40000), pub(40000), pub(40000)], filteringII: false, filteringIII: false }),
    );
    expect(v).toMatchObject({
      udp: true,
      natPresent: true,
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      legacyNatType: 'port-restricted-cone',
      portPreservation: true,
      mappingMethod: 'rfc5780',
    });
  });

  it('MASQUERADE --random-fully: APDM, symmetric', () => {
    const v = classify(
      scenario({ mapped: [pub(1111), pub(2222), pub(3333)], filteringII: false, filteringIII: false }),
    );
    expect(v).toMatchObject({
      mapping: 'address-and-port-dependent',
      legacyNatType: 'symmetric',
      portPreservation: false,
    });
    expect(v.summary).toMatch(/Symmetric NAT: calls to other symmetric NATs will need TURN/);
  });

  it('address-dependent mapping: III equals II', () => {
    const v = classify(
      scenario({ mapped: [pub(1111), pub(2222), pub(2222)], filteringII: false, filteringIII: false }),
    );
    expect(v.mapping).toBe('address-dependent');
  });

  it('full cone: EIM + EIF', () => {
    const v = classify(
      scenario({ mapped: [pub(40000), pub(40000), pub(40000)], filteringII: true, filteringIII: true }),
    );
    expect(v).toMatchObject({
      filtering: 'endpoint-independent',
      legacyNatType: 'full-cone',
      serverHonoursChangeRequest: true,
    });
  });

  it('restricted cone: EIM + ADF', () => {
    const v = classify(
      scenario({ mapped: [pub(40000), pub(40000), pub(40000)], filteringII: false, filteringIII: true }),
    );
    expect(v).toMatchObject({ filtering: 'address-dependent', legacyNatType: 'restricted-cone' });
  });

  it('UDP dropped: udp false, everything else null with a reason, label udp-blocked', () => {
    const v = classify(
      scenario({ mapped: [pub(1), pub(1), pub(1)], filteringII: false, filteringIII: false, udp: false }),
    );
    expect(v).toMatchObject({
      udp: false,
      natPresent: null,
      mapping: null,
      filtering: null,
      legacyNatType: 'udp-blocked',
    });
    expect(v.udpStatus).toBe('blocked');
    expect(v.reasons.udp).toMatch(/STUN over TCP to the same server answered/);
    expect(v.summary).toBe('UDP blocked: only TURN over TCP/TLS can work.');
  });

  it('routed, no NAT: natPresent false, open internet', () => {
    const own = transportAddress(LOCAL, 40000);
    const v = classify(scenario({ mapped: [own, own, own], filteringII: true, filteringIII: true }));
    expect(v).toMatchObject({
      natPresent: false,
      mapping: 'endpoint-independent',
      mappingMethod: 'local-address',
      legacyNatType: 'open-internet',
    });
  });

  it('no NAT behind a filtering firewall: symmetric UDP firewall', () => {
    const own = transportAddress(LOCAL, 40000);
    const v = classify(scenario({ mapped: [own, own, own], filteringII: false, filteringIII: false }));
    expect(v.legacyNatType).toBe('symmetric-udp-firewall');
  });
});

describe('classify: servers that do not do RFC 5780 right', () => {
  it('a server that ignores CHANGE-REQUEST is named, never read as full cone', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: true,
      filteringIII: true,
    });
    o.rfc5780Runs[0]!.filtering.II = { ...o.rfc5780Runs[0]!.filtering.II, source: A1P1 };
    const v = classify(o);
    expect(v.filtering).toBeNull();
    expect(v.legacyNatType).toBeNull();
    expect(v.serverHonoursChangeRequest).toBe(false);
    expect(v.rfc5780Server).toBeNull();
    expect(v.untrustedServers).toEqual([
      { url: SERVER, reason: expect.stringMatching(/ignored CHANGE-REQUEST/) },
    ]);
    expect(v.reasons.filtering).toMatch(/no trusted RFC 5780 server.*ignored CHANGE-REQUEST/);
  });

  it('a 420 to CHANGE-REQUEST leaves filtering unknown with the reason', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: false,
      filteringIII: false,
    });
    o.rfc5780Runs[0]!.filtering.II = binding('filtering-II', A1P1, { error: 420 });
    const v = classify(o);
    expect(v.filtering).toBeNull();
    expect(v.reasons.filtering).toMatch(/error 420/);
  });

  it('mapping test II answered from another address than it was sent to: not trusted, mapping not read from it', () => {
    const o = scenario({
      mapped: [pub(1111), pub(1111), pub(1111)],
      filteringII: false,
      filteringIII: false,
    });
    o.rfc5780Runs[0]!.II = { ...o.rfc5780Runs[0]!.II, source: A1P1 };
    const v = classify(o);
    expect(v.mapping).toBeNull();
    expect(v.mappingMethod).toBe('none');
    expect(v.untrustedServers[0]?.reason).toMatch(
      /mapping-II sent to 203\.0\.113\.11:3478 was answered from 203\.0\.113\.10:3478/,
    );
  });

  it('an OTHER-ADDRESS that never answers: not trusted', () => {
    const o = scenario({
      mapped: [pub(1111), pub(1111), pub(1111)],
      filteringII: false,
      filteringIII: false,
    });
    o.rfc5780Runs[0]!.III = binding('mapping-III', A2P2, null);
    expect(classify(o).untrustedServers[0]?.reason).toMatch(
      /did not answer mapping-III at 203\.0\.113\.11:3479/,
    );
  });

  it('without OTHER-ADDRESS, mapping is judged across servers with different IPs', () => {
    const o = plainServer();
    const second = {
      ...o.mappingTestI[0]!,
      server: 'stun:198.51.100.7:3478',
      target: transportAddress('198.51.100.7', 3478),
    };
    o.mappingTestI.push(second);
    expect(classify(o)).toMatchObject({
      mapping: 'endpoint-independent',
      mappingMethod: 'multi-server',
      filtering: null,
      rfc5780Server: null,
      untrustedServers: [],
    });
    o.mappingTestI[1] = { ...second, mapped: pub(40001) };
    const varies = classify(o);
    expect(varies).toMatchObject({
      mapping: null,
      mappingMethod: 'multi-server',
      legacyNatType: 'symmetric',
    });
    expect(varies.reasons.mapping).toMatch(/mapping varies by destination/);
  });

  it('two ports of one server IP are not two servers: same mapping there does not prove endpoint independence', () => {
    const o = plainServer();
    o.mappingTestI.push({ ...o.mappingTestI[0]!, server: 'stun:203.0.113.10:3479', target: A1P2 });
    const v = classify(o);
    expect(v).toMatchObject({ mapping: null, mappingMethod: 'none', legacyNatType: null });
    expect(v.reasons.mapping).toMatch(/fewer than two servers with different IPs/);
  });

  it('one plain server: mapping and filtering null with reasons', () => {
    const o = plainServer();
    const v = classify(o);
    expect(v).toMatchObject({ mapping: null, filtering: null, legacyNatType: null, mappingMethod: 'none' });
    expect(v.reasons.filtering).toMatch(/no server sent OTHER-ADDRESS/);
  });
});

/** A server that advertises its own IP as OTHER-ADDRESS (port + 1) and honours only change-port. */
const LIAR = 'stun:198.51.100.20:3478';
const L1 = transportAddress('198.51.100.20', 3478);
const L2 = transportAddress('198.51.100.20', 3479);
const liarRun = (mapped: [TransportAddress, TransportAddress, TransportAddress], filtering: boolean) =>
  rfcRun({ server: LIAR, at: L1, other: L2, mapped, filteringII: filtering, filteringIII: filtering });

/** The observations of `good` with the liar's run (and its test I) completed first. */
const withLiarFirst = (run: Rfc5780Run, good: ProbeObservations): ProbeObservations => ({
  ...good,
  mappingTestI: [run.testI, ...good.mappingTestI],
  rfc5780Runs: [run, ...good.rfc5780Runs],
});

/** A good RFC 5780 server behind a NAT with these mapped addresses and filtering replies. */
const goodServer = (
  mapped: [TransportAddress, TransportAddress, TransportAddress],
  filteringII: boolean,
  filteringIII: boolean,
) => scenario({ mapped, filteringII, filteringIII });

/** Only the liar answered. */
const liarAlone = (run: Rfc5780Run): ProbeObservations =>
  withLiarFirst(run, {
    ...goodServer([pub(1), pub(1), pub(1)], false, false),
    mappingTestI: [],
    rfc5780Runs: [],
  });

describe('classify: a liar (OTHER-ADDRESS with its own IP, RFC 5780 §7.4) cannot fool the verdicts', () => {
  it('behind a symmetric NAT the liar alone would show endpoint-independent mapping: null with the reason instead', () => {
    // Test II goes to L1 again (its "other IP" is its own), so the NAT reuses test I's mapping.
    const v = classify(liarAlone(liarRun([pub(1000), pub(1000), pub(1001)], false)));
    expect(v.mapping).toBeNull();
    expect(v.untrustedServers).toEqual([{ url: LIAR, reason: expect.stringMatching(/RFC 5780 §7\.4/) }]);
    expect(v.reasons.mapping).toMatch(/198\.51\.100\.20:3478.*has the IP it was asked at/);
  });

  it('behind a symmetric NAT, [liar, good]: the good server says address-and-port-dependent', () => {
    const liar = liarRun([pub(1000), pub(1000), pub(1001)], false);
    const v = classify(withLiarFirst(liar, goodServer([pub(2000), pub(2001), pub(2002)], false, false)));
    expect(v).toMatchObject({
      mapping: 'address-and-port-dependent',
      mappingMethod: 'rfc5780',
      legacyNatType: 'symmetric',
      rfc5780Server: SERVER,
    });
    expect(v.untrustedServers.map((u) => u.url)).toEqual([LIAR]);
  });

  it('behind a symmetric NAT, [liar, plain]: the liar’s test I is still a valid binding for the comparison', () => {
    const plain = { ...goodServer([pub(3000), pub(3000), pub(3000)], false, false), rfc5780Runs: [] };
    const v = classify(withLiarFirst(liarRun([pub(1000), pub(1000), pub(1001)], false), plain));
    expect(v).toMatchObject({ mapping: null, mappingMethod: 'multi-server', legacyNatType: 'symmetric' });
  });

  it('behind EIM + address-dependent filtering the liar alone would show endpoint-independent filtering: null instead', () => {
    // Its "change IP and port" reply comes from L2 (same IP), which an address-dependent filter lets in.
    const v = classify(liarAlone(liarRun([pub(40000), pub(40000), pub(40000)], true)));
    expect(v.filtering).toBeNull();
    expect(v.legacyNatType).toBeNull();
    expect(v.reasons.filtering).toMatch(
      /no trusted RFC 5780 server \(stun:198\.51\.100\.20:3478: OTHER-ADDRESS/,
    );
  });

  it('behind EIM + address-dependent filtering, [liar, good]: address-dependent, restricted cone', () => {
    const liar = liarRun([pub(40000), pub(40000), pub(40000)], true);
    expect(
      classify(withLiarFirst(liar, goodServer([pub(40000), pub(40000), pub(40000)], false, true))),
    ).toMatchObject({
      mapping: 'endpoint-independent',
      filtering: 'address-dependent',
      legacyNatType: 'restricted-cone',
      rfc5780Server: SERVER,
    });
  });

  it('a dead server first in the list changes nothing: the good one is used', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: false,
      filteringIII: true,
    });
    const dead = { ...binding('mapping-I', L1, null), server: LIAR };
    o.mappingTestI.unshift(dead);
    o.servers.unshift({ url: LIAR, transport: 'udp', address: L1, resolveError: null });
    expect(classify(o)).toMatchObject({
      udp: true,
      filtering: 'address-dependent',
      rfc5780Server: SERVER,
      untrustedServers: [],
    });
  });
});

describe('classify: the CHANGE-REQUEST control (a silent test II/III is the NAT only when the server is shown to answer)', () => {
  const EIM = [pub(40000), pub(40000), pub(40000)] as [TransportAddress, TransportAddress, TransportAddress];
  const APDM = [pub(1111), pub(2222), pub(3333)] as [TransportAddress, TransportAddress, TransportAddress];
  const silentControl = (mapped: ControlSpec['mapped']): ControlSpec => ({ mapped, II: false, III: false });
  /** The verdicts for one good-looking server with these filtering replies and this control. */
  const judge = (filteringII: boolean, filteringIII: boolean, control?: ControlSpec, mapped = EIM) =>
    classify(scenario({ mapped, filteringII, filteringIII, control }));

  it('test II answered: endpoint-independent, whatever the control saw', () => {
    const v = judge(true, true, silentControl([pub(5), pub(5), pub(5)]));
    expect(v).toMatchObject({
      filtering: 'endpoint-independent',
      serverHonoursChangeRequest: true,
      untrustedServers: [],
    });
  });

  it('II and III silent, both controls answered (EIM): address-and-port-dependent, the server honours CHANGE-REQUEST', () => {
    const v = judge(false, false);
    expect(v).toMatchObject({
      filtering: 'address-and-port-dependent',
      legacyNatType: 'port-restricted-cone',
      serverHonoursChangeRequest: true,
    });
    expect(v.reasons.filtering).toMatch(/answered both CHANGE-REQUESTs on a control socket/);
  });

  it('II silent, III answered, control II answered: address-dependent', () => {
    const v = judge(false, true);
    expect(v).toMatchObject({ filtering: 'address-dependent', legacyNatType: 'restricted-cone' });
  });

  it('II silent and control II silent on a proven-open path (m1 = m2): the server drops CHANGE-REQUEST, named, filtering null', () => {
    const same = pub(50000);
    const v = judge(false, false, silentControl([same, same, same]));
    expect(v).toMatchObject({
      filtering: null,
      legacyNatType: null,
      serverHonoursChangeRequest: false,
      rfc5780Server: null,
    });
    expect(v.untrustedServers).toEqual([
      {
        url: SERVER,
        reason: expect.stringMatching(
          /did not answer CHANGE-REQUEST \(change IP and port, control-II\) although the reply's path was open/,
        ),
      },
    ]);
    expect(v.reasons.filtering).toContain(SERVER);
    expect(v.reasons.filtering).toMatch(/did not answer CHANGE-REQUEST/);
  });

  it('II silent with control II answered, III silent with control III silent on an open path: the server is not trusted', () => {
    const same = pub(50000);
    const v = judge(false, false, { mapped: [same, same, same], II: true, III: false });
    expect(v).toMatchObject({ filtering: null, serverHonoursChangeRequest: false });
    expect(v.untrustedServers[0]?.reason).toMatch(
      /did not answer CHANGE-REQUEST \(change port, control-III\)/,
    );
  });

  it('II silent and control silent behind a mapping that varies by destination (m1 ≠ m2): null, nothing proven, server still used', () => {
    const v = judge(false, false, silentControl([pub(4444), pub(5555), pub(6666)]), APDM);
    expect(v).toMatchObject({
      mapping: 'address-and-port-dependent',
      filtering: null,
      legacyNatType: 'symmetric',
      serverHonoursChangeRequest: null,
      rfc5780Server: SERVER,
      untrustedServers: [],
    });
    expect(v.reasons.filtering).toBe(
      "the server's CHANGE-REQUEST handling cannot be verified through a NAT whose mapping varies by destination, so silence of tests II/III does not show the NAT's filtering",
    );
  });

  it('a lost control (its plain Binding to A2:P2 unanswered): null with the reason, the server not accused', () => {
    const v = judge(false, false, { mapped: [pub(50000), null, pub(50000)], II: false, III: true });
    expect(v).toMatchObject({ filtering: null, serverHonoursChangeRequest: null, untrustedServers: [] });
    expect(v.reasons.filtering).toMatch(/could not open the path for control-II's reply/);
  });

  it('the control answered from the address asked at, not the one requested: it ignores CHANGE-REQUEST, not trusted', () => {
    const o = scenario({ mapped: EIM, filteringII: false, filteringIII: false });
    const run = o.rfc5780Runs[0]!;
    run.control.II = { ...run.control.II, source: A1P1 };
    const v = classify(o);
    expect(v).toMatchObject({ filtering: null, serverHonoursChangeRequest: false });
    expect(v.untrustedServers[0]?.reason).toMatch(
      /ignored CHANGE-REQUEST \(control-II answered from 203\.0\.113\.10:3478/,
    );
  });

  it('[drops CHANGE-REQUEST, good] behind EIM + address-dependent filtering: the good server’s verdicts, the other named', () => {
    const DROPS = 'stun:198.51.100.30:3478';
    const d1 = transportAddress('198.51.100.30', 3478);
    const d2 = transportAddress('198.51.100.31', 3479);
    const same = pub(50000);
    const drops = rfcRun({
      server: DROPS,
      at: d1,
      other: d2,
      mapped: EIM,
      filteringII: false,
      filteringIII: false,
      control: silentControl([same, same, same]),
    });
    const good = scenario({ mapped: EIM, filteringII: false, filteringIII: true });
    const v = classify({
      ...good,
      mappingTestI: [drops.testI, ...good.mappingTestI],
      rfc5780Runs: [drops, ...good.rfc5780Runs],
    });
    expect(v).toMatchObject({
      filtering: 'address-dependent',
      legacyNatType: 'restricted-cone',
      rfc5780Server: SERVER,
      serverHonoursChangeRequest: true,
    });
    expect(v.untrustedServers.map((u) => u.url)).toEqual([DROPS]);
  });
});

describe('classify: "UDP blocked" only when it is', () => {
  const silent = (extra: Partial<BindingObservation> = {}) => binding('mapping-I', A1P1, null, extra);
  const base = (): ProbeObservations => ({
    ...scenario({ mapped: [pub(1), pub(1), pub(1)], filteringII: false, filteringIII: false, udp: false }),
    streams: [],
  });
  const refused = binding('tcp-binding', A1P1, null, {
    transport: 'tcp',
    failure: 'connection refused (nothing listens on that port) (ECONNREFUSED)',
  });

  it('nothing answered on any transport: server unreachable, udp null, no udp-blocked label', () => {
    const v = classify({ ...base(), streams: [refused] });
    expect(v).toMatchObject({ udp: null, udpStatus: 'server-unreachable', legacyNatType: null });
    expect(v.reasons.udp).toMatch(/no server answered over UDP, TCP or TLS/);
    expect(v.summary).toMatch(/^Server unreachable/);
  });

  it('a UDP error response proves UDP works, even with TCP answering too: never "blocked"', () => {
    const tcp = binding('tcp-binding', A1P1, { mapped: pub(5) }, { transport: 'tcp' });
    const v = classify({
      ...base(),
      mappingTestI: [binding('mapping-I', A1P1, { error: 400 })],
      streams: [tcp],
    });
    expect(v).toMatchObject({ udp: true, udpStatus: 'works', mapping: null, legacyNatType: null });
    expect(v.reasons.udp).toMatch(/answered over UDP, but with error 400/);
    expect(v.summary).toMatch(/^UDP works, but no server said/);
  });

  it('UDP silent while only ANOTHER server answered over TCP: not blocked', () => {
    const other = binding(
      'tcp-binding',
      L1,
      { mapped: pub(5) },
      { transport: 'tcp', server: 'stun:198.51.100.20:3478?transport=tcp' },
    );
    const v = classify({ ...base(), streams: [other] });
    expect(v).toMatchObject({ udp: null, udpStatus: 'server-unreachable' });
  });

  it('only stuns: / ?transport=tcp URLs: UDP not tested', () => {
    const o = base();
    o.servers = [{ url: 'stuns:203.0.113.10:5349', transport: 'tls', address: A1P1, resolveError: null }];
    o.mappingTestI = [];
    o.streams = [binding('tls-binding', A1P1, { mapped: pub(5) }, { transport: 'tls' })];
    const v = classify(o);
    expect(v).toMatchObject({ udp: null, udpStatus: 'not-tested', legacyNatType: null });
    expect(v.summary).toMatch(/^UDP not tested/);
  });

  /** One UDP server whose name did not resolve, so no test ran. */
  const unresolved = (host: string, cause: string): ProbeObservations => ({
    ...base(),
    servers: [
      {
        url: `stun:${host}:3478`,
        transport: 'udp',
        address: null,
        resolveError: `${host}: cannot resolve (${cause})`,
      },
    ],
    mappingTestI: [],
  });

  it('DNS failed for every server: dns-failed', () => {
    const v = classify(unresolved('nosuch.invalid', 'ENOTFOUND'));
    expect(v).toMatchObject({ udp: null, udpStatus: 'dns-failed' });
    expect(v.reasons.udp).toMatch(/ENOTFOUND/);
    expect(v.summary).toMatch(/^DNS failed/);
  });

  it('the deadline cut the name resolution: deadline, not a DNS failure', () => {
    const o = unresolved('stun.example.org', 'DNS lookup timed out after 1 ms');
    expect(classify({ ...o, deadlineReached: true })).toMatchObject({ udp: null, udpStatus: 'deadline' });
  });

  it('the deadline cut UDP before any answer: deadline', () => {
    const v = classify({ ...base(), mappingTestI: [silent({ failure: 'aborted' })], streams: [refused] });
    expect(v).toMatchObject({ udp: null, udpStatus: 'deadline', legacyNatType: null });
    expect(v.summary).toMatch(/^Deadline reached/);
  });
});

describe('legacyLabel', () => {
  it('maps RFC 4787 behaviours onto RFC 3489 names', () => {
    expect(legacyLabel(true, 'endpoint-independent', false, 'address-and-port-dependent')).toBe(
      'port-restricted-cone',
    );
    expect(legacyLabel(true, 'address-dependent', false, 'endpoint-independent')).toBe('symmetric');
    expect(legacyLabel(false, null, false, 'endpoint-independent')).toBe('open-internet');
  });
});
