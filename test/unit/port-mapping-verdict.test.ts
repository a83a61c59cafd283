import { describe, expect, it } from 'vitest';
import { parseDefaultGateway } from '../../src/client/port-mapping/gateway.js';
import { elementText, findWanService, soapEnvelope } from '../../src/client/port-mapping/igd-soap.js';
import { locationOf } from '../../src/client/port-mapping/ssdp.js';
import { judgeUpstreamNat, type UpstreamEvidence } from '../../src/client/port-mapping/upstream-nat.js';
import type { PortMappingProtocol } from '../../src/report/port-mapping-schema.js';

const proto = (fields: Partial<PortMappingProtocol>): PortMappingProtocol => ({
  protocol: 'nat-pmp',
  answered: true,
  gateway: '192.168.1.1:5351',
  externalAddress: null,
  mappingCreated: true,
  mappingRemoved: true,
  rttMs: 1,
  ...fields,
});

const base: UpstreamEvidence = {
  protocols: [],
  stunMapped: '198.51.100.7',
  gateway: '192.168.1.1',
  localSubnets: ['192.168.1.20/24'],
  localTowardGateway: '192.168.1.20',
  localTowardStun: '192.168.1.20',
};

const judge = (
  external: string | null,
  more: Partial<UpstreamEvidence> = {},
  p: Partial<PortMappingProtocol> = {},
) => judgeUpstreamNat({ ...base, protocols: [proto({ externalAddress: external, ...p })], ...more });

describe('upstream NAT verdict (issue 16 §1, §3)', () => {
  it('100.64.0.0/10 external address → carrier-grade-nat', () => {
    expect(judge('100.64.100.2').upstreamNat).toBe('carrier-grade-nat');
    expect(judge('100.127.255.254').upstreamNat).toBe('carrier-grade-nat');
  });

  it('RFC 1918 external address → double-nat', () => {
    expect(judge('10.0.0.2').upstreamNat).toBe('double-nat');
    expect(judge('172.16.5.1').upstreamNat).toBe('double-nat');
    expect(judge('192.168.178.2').upstreamNat).toBe('double-nat');
  });

  it('public but different → double-nat; equal even with a mapping → null, not none (STUN-learned address)', () => {
    expect(judge('203.0.113.1').upstreamNat).toBe('double-nat');
    const equal = judge('198.51.100.7');
    expect(equal.upstreamNat).toBeNull();
    expect(equal.reason).toContain('consistent with no upstream NAT, not proved');
  });

  it('equal but no mapping created → null (a router that learned its address by STUN looks the same)', () => {
    expect(judge('198.51.100.7', {}, { mappingCreated: false }).upstreamNat).toBeNull();
  });

  it('a STUN server on the LAN (mapped address in a local subnet) → null, not double-nat', () => {
    const v = judge('203.0.113.1', { stunMapped: '192.168.1.20' });
    expect(v.upstreamNat).toBeNull();
    expect(v.reason).toContain('STUN server is on this LAN');
  });

  it('0.0.0.0 (no WAN address yet) is not evidence', () => {
    const v = judge('0.0.0.0');
    expect(v.upstreamNat).toBeNull();
    expect(v.reason).toContain('not evidence');
  });

  it("an address from the host's own LAN, or the gateway's own LAN address, is not evidence", () => {
    expect(judge('192.168.1.77').upstreamNat).toBeNull();
    expect(judge('192.168.1.1').upstreamNat).toBeNull();
  });

  it('a gateway that answers without an address (NAT-PMP Network Failure) → null with its errors', () => {
    const v = judge(
      null,
      {},
      { error: 'external address: result 3 (Network Failure)', mappingCreated: false },
    );
    expect(v.upstreamNat).toBeNull();
    expect(v.reason).toContain('result 3 (Network Failure)');
  });

  it('no STUN mapped address, or an IPv6 one → null', () => {
    expect(judge('100.64.100.2', { stunMapped: null }).upstreamNat).toBeNull();
    expect(judge('100.64.100.2', { stunMapped: '2001:db8::1' }).upstreamNat).toBeNull();
  });

  it('nothing answered → null', () => {
    expect(judge(null, {}, { answered: false })).toEqual({
      upstreamNat: null,
      reason: 'no port-mapping protocol answered',
    });
  });

  it('STUN traffic leaves by another local address than gateway traffic (VPN) → null', () => {
    expect(judge('100.64.100.2', { localTowardStun: '10.8.0.2' }).upstreamNat).toBeNull();
  });

  it('protocols disagreeing → null', () => {
    const v = judgeUpstreamNat({
      ...base,
      protocols: [
        proto({ externalAddress: '100.64.100.2' }),
        proto({ protocol: 'pcp', externalAddress: '203.0.113.9' }),
      ],
    });
    expect(v.upstreamNat).toBeNull();
    expect(v.reason).toContain('different external addresses');
  });
});

describe('default gateway from /proc/net/route', () => {
  const header = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
  it('reads the default route (little-endian hex, RTF_GATEWAY)', () => {
    const text = `${header}\neth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\neth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n`;
    expect(parseDefaultGateway(text)).toBe('192.168.1.1');
  });
  it('null without a default route', () => {
    expect(
      parseDefaultGateway(`${header}\neth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`),
    ).toBeNull();
  });
});

describe('SSDP and IGD SOAP parsing', () => {
  it('reads LOCATION from a search response only', () => {
    const ok = Buffer.from(
      'HTTP/1.1 200 OK\r\nST: x\r\nLocation: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n',
    );
    expect(locationOf(ok)).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(locationOf(Buffer.from('NOTIFY * HTTP/1.1\r\nLOCATION: http://x/\r\n\r\n'))).toBeNull();
  });

  it('finds the WANIPConnection control URL relative to the description', () => {
    const xml = `<root><device><serviceList>
      <service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service>
      <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl/IPConn</controlURL></service>
    </serviceList></device></root>`;
    expect(findWanService(xml, 'http://192.168.1.1:5000/rootDesc.xml', '192.168.1.1')).toEqual({
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
      controlUrl: 'http://192.168.1.1:5000/ctl/IPConn',
    });
    expect(findWanService('<root/>', 'http://x/', 'x')).toBeNull();
  });

  it('reads namespaced response values and escapes arguments', () => {
    expect(
      elementText(
        '<u:R><NewExternalIPAddress>100.64.100.2</NewExternalIPAddress></u:R>',
        'NewExternalIPAddress',
      ),
    ).toBe('100.64.100.2');
    expect(elementText('<s:Fault><errorCode>718</errorCode></s:Fault>', 'errorCode')).toBe('718');
    expect(soapEnvelope('urn:x', 'AddPortMapping', [['NewPortMappingDescription', 'a<b&c']])).toContain(
      '<u:AddPortMapping xmlns:u="urn:x"><NewPortMappingDescription>a&lt;b&amp;c</NewPortMappingDescription></u:AddPortMapping>',
    );
  });
});
