import { describe, expect, it } from 'vitest';
import { type TransportAddress, transportAddress } from '../../src/stun/address.js';
import { classify, legacyLabel } from '../../src/stun-probe/classify.js';
import type { BindingObservation, ProbeObservations } from '../../src/stun-probe/observations.js';

const A1P1 = transportAddress('203.0.113.10', 3478);
const A2P1 = transportAddress('203.0.113.11', 3478);
const A2P2 = transportAddress('203.0.113.11', 3479);
const A1P2 = transportAddress('203.0.113.10', 3479);
const LOCAL = '100.64.0.2';
const SERVER = 'stun:203.0.113.10:3478';

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
    source: reply ? (reply.from ?? target) : null,
    mapped: reply && !reply.error ? (reply.mapped ?? null) : null,
    responseOrigin: null,
    otherAddress: name.endsWith('-I') ? A2P2 : null,
    errorCode: reply?.error ?? null,
    failure: reply ? null : 'timeout',
    ...extra,
  };
}

/** Observations as a NAT with the given mapped ports per destination and filtering replies would yield. */
function scenario(opts: {
  mapped: [TransportAddress, TransportAddress, TransportAddress];
  filteringII: boolean;
  filteringIII: boolean;
  udp?: boolean;
}): ProbeObservations {
  const udp = opts.udp ?? true;
  const [m1, m2, m3] = opts.mapped;
  const I = binding('mapping-I', A1P1, udp ? { mapped: m1 } : null);
  return {
    servers: [{ url: SERVER, transport: 'udp', address: A1P1, resolveError: null }],
    localAddresses: ['127.0.0.1', LOCAL],
    mappingTestI: [I],
    rfc5780Server: udp ? SERVER : null,
    mappingTestII: udp ? binding('mapping-II', A2P1, { mapped: m2 }) : null,
    mappingTestIII: udp ? binding('mapping-III', A2P2, { mapped: m3 }) : null,
    filtering: udp
      ? {
          I: binding('filtering-I', A1P1, { mapped: m1 }),
          II: binding('filtering-II', A1P1, opts.filteringII ? { from: A2P2, mapped: m1 } : null, {
            expectedSource: A2P2,
            change: { ip: true, port: true },
          }),
          III: binding('filtering-III', A1P1, opts.filteringIII ? { from: A1P2, mapped: m1 } : null, {
            expectedSource: A1P2,
            change: { ip: false, port: true },
          }),
        }
      : null,
    streams: [
      binding('tcp-binding', A1P1, { mapped: transportAddress('203.0.113.1', 50000) }, { transport: 'tcp' }),
    ],
    hairpin: null,
    lifetime: null,
  };
}

const pub = (port: number) => transportAddress('203.0.113.1', port);

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
    expect(v.reasons.udp).toMatch(/TCP\/TLS to the same servers answered/);
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
  it('a server that ignores CHANGE-REQUEST is reported, never read as full cone', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: true,
      filteringIII: true,
    });
    o.filtering!.II = { ...o.filtering!.II, source: A1P1 };
    const v = classify(o);
    expect(v.filtering).toBeNull();
    expect(v.legacyNatType).toBeNull();
    expect(v.serverHonoursChangeRequest).toBe(false);
    expect(v.reasons.filtering).toMatch(/ignored CHANGE-REQUEST/);
  });

  it('a 420 to CHANGE-REQUEST leaves filtering unknown with the reason', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: false,
      filteringIII: false,
    });
    o.filtering!.II = binding('filtering-II', A1P1, { error: 420 });
    const v = classify(o);
    expect(v.filtering).toBeNull();
    expect(v.reasons.filtering).toMatch(/error 420/);
  });

  it('without OTHER-ADDRESS, mapping is judged across servers', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: false,
      filteringIII: false,
    });
    const second = {
      ...o.mappingTestI[0]!,
      server: 'stun:198.51.100.7:3478',
      target: transportAddress('198.51.100.7', 3478),
    };
    Object.assign(o, { rfc5780Server: null, mappingTestII: null, mappingTestIII: null, filtering: null });
    o.mappingTestI.push(second);
    expect(classify(o)).toMatchObject({
      mapping: 'endpoint-independent',
      mappingMethod: 'multi-server',
      filtering: null,
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

  it('one plain server: mapping and filtering null with reasons', () => {
    const o = scenario({
      mapped: [pub(40000), pub(40000), pub(40000)],
      filteringII: false,
      filteringIII: false,
    });
    Object.assign(o, { rfc5780Server: null, mappingTestII: null, mappingTestIII: null, filtering: null });
    const v = classify(o);
    expect(v).toMatchObject({ mapping: null, filtering: null, legacyNatType: null, mappingMethod: 'none' });
    expect(v.reasons.filtering).toMatch(/server has no OTHER-ADDRESS/);
  });
});

describe('legacyLabel', () => {
  it('maps RFC 4787 behaviours onto RFC 3489 names', () => {
    expect(legacyLabel(true, true, 'endpoint-independent', false, 'address-and-port-dependent')).toBe(
      'port-restricted-cone',
    );
    expect(legacyLabel(true, true, 'address-dependent', false, 'endpoint-independent')).toBe('symmetric');
    expect(legacyLabel(false, null, null, false, null)).toBe('udp-blocked');
  });
});
