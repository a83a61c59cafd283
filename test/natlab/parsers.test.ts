import { describe, expect, it } from 'vitest';
import { parseNatDiscovery, parseProbeJson, parseStunClient, verdictMismatches } from '../../lab/parsers.js';
import { EXPECTED } from '../../src/lab/scenarios.js';

// Output excerpts recorded in the lab (coturn 4.6.1 turnutils_natdiscovery, Debian stun-client 0.97).
const NATDISCOVERY_PORT_RESTRICTED = `
-= Mapping Behavior Discovery =-
0: : IPv4. UDP reflexive addr: 203.0.113.1:34882
0: : IPv4. Local addr: : 0.0.0.0:34882
NAT with Endpoint Independent Mapping!
-= Filtering Behavior Discovery =-
0: : IPv4. UDP reflexive addr: 203.0.113.1:59961
STUN receive timeout..
STUN receive timeout..
NAT with Address and Port Dependent Filtering!
`;
const NATDISCOVERY_BLOCKED = `
-= Mapping Behavior Discovery =-
STUN receive timeout..

-= Filtering Behavior Discovery =-
STUN receive timeout..
`;
const NATDISCOVERY_ROUTED_WITH_L = `
0: : IPv4. UDP reflexive addr: 100.64.0.2:51081
0: : IPv4. Local addr: : 100.64.0.2:51081
No NAT! (Endpoint Independent Mapping)
NAT with Endpoint Independent Mapping!
0: : IPv4. UDP reflexive addr: 100.64.0.2:51087
No NAT! (Endpoint Independent Mapping)
NAT with Endpoint Independent Filtering!
`;

describe('parseNatDiscovery', () => {
  it('reads mapping and filtering', () => {
    expect(parseNatDiscovery(NATDISCOVERY_PORT_RESTRICTED)).toEqual({
      ...EXPECTED.masquerade,
      legacyNatType: null,
    });
  });

  it('reports no UDP when every request timed out', () => {
    expect(parseNatDiscovery(NATDISCOVERY_BLOCKED)).toEqual({
      ...EXPECTED['udp-dropped'],
      legacyNatType: null,
    });
  });

  it('reads "No NAT!" (printed only with -L) as natPresent false', () => {
    expect(parseNatDiscovery(NATDISCOVERY_ROUTED_WITH_L)).toEqual({
      ...EXPECTED.routed,
      legacyNatType: null,
    });
  });
});

describe('parseStunClient', () => {
  it.each([
    [
      'Primary: Independent Mapping, Port Dependent Filter, preserves ports, no hairpin\t',
      'port-restricted-cone',
    ],
    [
      'Primary: Independent Mapping, Address Dependent Filter, preserves ports, no hairpin',
      'restricted-cone',
    ],
    ['Primary: Independent Mapping, Independent Filter, preserves ports, no hairpin', 'full-cone'],
    ['Primary: Dependent Mapping, random port, no hairpin\t', 'symmetric'],
    ['Primary: Open\t', 'open-internet'],
    ['Primary: Firewall', 'symmetric-udp-firewall'],
    ['Primary: Blocked or could not reach STUN server\t', 'udp-blocked'],
  ] as const)('%s → %s', (line, legacy) => {
    const output = `STUN client version 0.97\n${line}\nReturn value is 0x000017\n`;
    expect(parseStunClient(output).legacyNatType).toBe(legacy);
  });

  it('gives nulls for unknown output', () => {
    expect(parseStunClient('stun server started at 0.0.0.0:3478').legacyNatType).toBeNull();
  });
});

describe('parseProbeJson', () => {
  it('extracts the contract fields', () => {
    const json = JSON.stringify({ schemaVersion: 1, ...EXPECTED['full-cone'], hairpinning: null, tests: [] });
    expect(parseProbeJson(json)).toEqual(EXPECTED['full-cone']);
  });

  it('rejects values outside the contract', () => {
    const json = JSON.stringify({ ...EXPECTED.masquerade, mapping: 'EIM' });
    expect(() => parseProbeJson(json)).toThrow(/mapping/);
  });
});

describe('verdictMismatches', () => {
  it('lists differing fields among those compared', () => {
    const actual = {
      ...EXPECTED.masquerade,
      filtering: 'endpoint-independent' as const,
      legacyNatType: null,
    };
    expect(verdictMismatches(EXPECTED.masquerade, actual, ['mapping', 'filtering'])).toEqual(['filtering']);
  });
});
