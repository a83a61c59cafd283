/**
 * Unit tests of the TURN peer policy (src/server/turn/peer-policy.ts, RFC 8656 §21.3): every default
 * range at its first, middle and last address and just outside both ends, IPv4-mapped / NAT64 / 6to4
 * forms of denied IPv4 addresses, textual IPv6 forms, the allow-list winning over deny, bad CIDRs, and
 * fast-check properties (embedded forms decide like the IPv4 address; parsing agrees with node:net).
 *
 * Range boundaries are computed here with BigInt, independently of the implementation's 32-bit words.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/errors.js';
import { createPeerPolicy, DEFAULT_DENIED_RANGES } from '../../src/server/turn/peer-policy.js';

const decide = createPeerPolicy();

interface Bounds {
  v6: boolean;
  first: bigint;
  last: bigint;
}

function toBigInt(ip: string): bigint {
  if (!ip.includes(':')) return ip.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
  const [head = '', tail] = ip.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => BigInt(`0x${g}`)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  return groups.reduce((n, g) => (n << 16n) | g, 0n);
}

function fromBigInt(n: bigint, v6: boolean): string {
  const parts = v6 ? 8 : 4;
  const width = v6 ? 16n : 8n;
  const out: string[] = [];
  for (let k = parts - 1; k >= 0; k--) {
    const part = (n >> (BigInt(k) * width)) & ((1n << width) - 1n);
    out.push(v6 ? part.toString(16) : part.toString(10));
  }
  return out.join(v6 ? ':' : '.');
}

function bounds(cidr: string): Bounds {
  const [ip = '', length = ''] = cidr.split('/');
  const v6 = ip.includes(':');
  const hostBits = BigInt((v6 ? 128 : 32) - Number(length));
  const first = toBigInt(ip);
  return { v6, first, last: first + (1n << hostBits) - 1n };
}

/** The IPv4-mapped, NAT64 (well-known and local-use) and 6to4 forms of an IPv4 address. */
function embeddedForms(v4: string): string[] {
  const n = toBigInt(v4);
  const hi = (n >> 16n).toString(16);
  const lo = (n & 0xffffn).toString(16);
  return [
    `::ffff:${v4}`,
    `::FFFF:${hi}:${lo}`,
    `0:0:0:0:0:ffff:${v4}`,
    `64:ff9b::${v4}`,
    `64:ff9b::${hi}:${lo}`,
    `64:ff9b:1::${v4}`,
    `2002:${hi}:${lo}::1`,
    `2002:${hi}:${lo}:ffff:ffff:ffff:ffff:ffff`,
  ];
}

describe('DEFAULT_DENIED_RANGES', () => {
  it.each(DEFAULT_DENIED_RANGES)(
    'denies $cidr ($name) at its first, middle and last address',
    ({ cidr, name }) => {
      const { v6, first, last } = bounds(cidr);
      for (const n of [first, (first + last + 1n) / 2n, last]) {
        expect(decide(fromBigInt(n, v6)).allowed, fromBigInt(n, v6)).toBe(false);
      }
      expect(decide(fromBigInt((first + last + 1n) / 2n, v6))).toEqual({
        allowed: false,
        rule: `${name} ${cidr}`,
      });
    },
  );

  it.each(DEFAULT_DENIED_RANGES)('does not decide by $cidr just outside it', ({ cidr, name }) => {
    const { v6, first, last } = bounds(cidr);
    const top = v6 ? (1n << 128n) - 1n : (1n << 32n) - 1n;
    for (const n of [first - 1n, last + 1n].filter((m) => m >= 0n && m <= top)) {
      expect(decide(fromBigInt(n, v6)).rule, fromBigInt(n, v6)).not.toBe(`${name} ${cidr}`);
    }
  });

  it.each([
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.0',
    '192.0.3.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '1.0.0.0',
    '8.8.8.8',
    '2000::',
    '2001:200::',
    '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db9::',
    '2003::',
    '2606:4700:4700::1111',
    '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '3fff:1000::',
  ])('allows the public address %s', (address) => {
    expect(decide(address)).toEqual({ allowed: true, rule: 'not in a denied range' });
  });

  it.each([
    ['127.0.0.1', 'loopback 127.0.0.0/8'],
    ['169.254.169.254', 'cloud metadata service 169.254.169.254/32'],
    ['169.254.1.1', 'link-local 169.254.0.0/16'],
    ['255.255.255.255', 'limited broadcast 255.255.255.255/32'],
    ['0.0.0.0', 'this network 0.0.0.0/8'],
    ['::', 'unspecified ::/128'],
    ['::1', 'loopback ::1/128'],
    ['::10.0.0.1', 'IPv4-compatible (deprecated) ::/96'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo 2001::/32'],
    ['fe80::1%eth0', 'link-local fe80::/10'],
    ['fd12:3456::1', 'unique local fc00::/7'],
    ['ff02::1', 'multicast ff00::/8'],
    ['::ffff:0:808:808', 'not global unicast ::/3'],
    ['64:ff9b:1:1::808:808', 'local-use NAT64 (prefix layout unknown) 64:ff9b:1::/48'],
  ])('names the range that denies %s', (address, rule) => {
    expect(decide(address)).toEqual({ allowed: false, rule });
  });
});

describe('IPv6 forms that embed an IPv4 address', () => {
  const denied = DEFAULT_DENIED_RANGES.filter(({ cidr }) => !cidr.includes(':'));

  it.each(denied)('decide $cidr by the embedded IPv4 address', ({ cidr }) => {
    const { first, last } = bounds(cidr);
    for (const n of [first, (first + last + 1n) / 2n, last]) {
      const v4 = fromBigInt(n, false);
      for (const form of embeddedForms(v4)) expect(decide(form), form).toBe(decide(v4));
    }
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34'])('allow the forms of the public %s', (v4) => {
    for (const form of embeddedForms(v4)) expect(decide(form).allowed, form).toBe(true);
  });

  it('decide every IPv4 address like its mapped, NAT64 and 6to4 forms', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const expected = decide(v4);
        for (const form of embeddedForms(v4)) expect(decide(form)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('decide by the embedded address under a custom policy too', () => {
    const policy = createPeerPolicy({ allow: ['10.0.0.0/8'], deny: ['8.8.8.0/24'] });
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.constantFrom('10.1.2.3', '8.8.8.8', '8.8.4.4', '127.0.0.1')),
        (v4) => {
          for (const form of embeddedForms(v4)) expect(policy(form)).toBe(policy(v4));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('address parsing', () => {
  it.each([
    '::1',
    '0:0:0:0:0:0:0:1',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::0001',
    '::0:1',
    '0::1',
    '::ffff:7f00:1',
    '::FFFF:127.0.0.1',
  ])('reads the textual form %s', (address) => {
    expect(decide(address).rule).toMatch(/^loopback /);
  });

  it.each(['FE80::ABCD%eth0', 'fe80::1%25', 'FE80:0:0:0:0:0:0:1'])('reads %s as link-local', (address) => {
    expect(decide(address).rule).toBe('link-local fe80::/10');
  });

  it.each([
    '',
    'localhost',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.04',
    '1..2.3',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4%eth0',
    '[::1]',
    '::1%',
    '%eth0',
    ':',
    ':::',
    '1::2::3',
    '12345::',
    'g::1',
    ':1',
    '1:',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '::1.2.3',
    '::1.2.3.4.5',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::ffff:01.2.3.4',
  ])('denies %j as not an IP address', (text) => {
    expect(decide(text)).toEqual({ allowed: false, rule: 'not an IP address' });
  });

  it('agrees with node:net isIP on which strings are IP addresses', () => {
    const candidates = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 }),
      fc.string(),
    );
    fc.assert(
      fc.property(candidates, (text) => {
        expect(decide(text).rule === 'not an IP address', text).toBe(isIP(text) === 0);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('createPeerPolicy options', () => {
  it('lets the allow-list win over the defaults, as for the embedded test server', () => {
    const policy = createPeerPolicy({ allow: ['127.0.0.0/8', '::1/128'] });
    expect(policy('127.0.0.1')).toEqual({ allowed: true, rule: 'allow-list 127.0.0.0/8' });
    expect(policy('127.255.255.255').allowed).toBe(true);
    expect(policy('::1')).toEqual({ allowed: true, rule: 'allow-list ::1/128' });
    expect(policy('::ffff:127.0.0.2')).toEqual({ allowed: true, rule: 'allow-list 127.0.0.0/8' });
    expect(policy('10.0.0.1')).toEqual({ allowed: false, rule: 'private (RFC 1918) 10.0.0.0/8' });
    expect(policy('128.0.0.1').allowed).toBe(true);
  });

  it('lets the allow-list win over the deny-list', () => {
    const policy = createPeerPolicy({ allow: ['10.0.0.0/8'], deny: ['10.1.0.0/16', '8.8.8.0/24'] });
    expect(policy('10.1.2.3')).toEqual({ allowed: true, rule: 'allow-list 10.0.0.0/8' });
    expect(policy('8.8.8.8')).toEqual({ allowed: false, rule: 'deny-list 8.8.8.0/24' });
    expect(policy('8.8.4.4').allowed).toBe(true);
  });

  it('takes single IPs as /32 and /128', () => {
    const policy = createPeerPolicy({ allow: ['192.168.1.10', 'fd00::1'], deny: ['2606:4700:4700::1111'] });
    expect(policy('192.168.1.10')).toEqual({ allowed: true, rule: 'allow-list 192.168.1.10' });
    expect(policy('192.168.1.11').allowed).toBe(false);
    expect(policy('fd00:0::1')).toEqual({ allowed: true, rule: 'allow-list fd00::1' });
    expect(policy('fd00::2').allowed).toBe(false);
    expect(policy('2606:4700:4700::1111')).toEqual({
      allowed: false,
      rule: 'deny-list 2606:4700:4700::1111',
    });
    expect(policy('2606:4700:4700::1001').allowed).toBe(true);
  });

  it('applies IPv6 entries before the embedded IPv4 address decides', () => {
    const policy = createPeerPolicy({ allow: ['::ffff:10.0.0.0/104'], deny: ['2002::/16'] });
    expect(policy('::ffff:10.9.9.9')).toEqual({ allowed: true, rule: 'allow-list ::ffff:10.0.0.0/104' });
    expect(policy('10.9.9.9').allowed).toBe(false);
    expect(policy('2002:808:808::1')).toEqual({ allowed: false, rule: 'deny-list 2002::/16' });
  });

  it('accepts the whole space and zero-length prefixes', () => {
    const policy = createPeerPolicy({ allow: ['0.0.0.0/0', '::/0'] });
    expect(policy('127.0.0.1').allowed).toBe(true);
    expect(policy('fe80::1').allowed).toBe(true);
    expect(policy('not-an-ip').allowed).toBe(false);
  });

  it.each([
    ['10.0.0.0/33', "allowPeers: '10.0.0.0/33' is not a CIDR"],
    ['::/129', "allowPeers: '::/129' is not a CIDR"],
    ['10.0.0/8', "allowPeers: '10.0.0/8' is not a CIDR"],
    ['10.0.0.0/', "allowPeers: '10.0.0.0/' is not a CIDR"],
    ['10.0.0.0/08', "allowPeers: '10.0.0.0/08' is not a CIDR"],
    ['10.0.0.0/-1', "allowPeers: '10.0.0.0/-1' is not a CIDR"],
    ['/8', "allowPeers: '/8' is not a CIDR"],
    ['banana', "allowPeers: 'banana' is not a CIDR"],
    ['fe80::%eth0/64', "allowPeers: 'fe80::%eth0/64' is not a CIDR"],
    ['10.0.0.1/8', "allowPeers: '10.0.0.1/8' has host bits set after the first 8 bits"],
    ['fd00::1/8', "allowPeers: 'fd00::1/8' has host bits set after the first 8 bits"],
  ])('rejects the allow entry %j with a SettingsError naming the field', (cidr, message) => {
    expect(() => createPeerPolicy({ allow: [cidr] })).toThrow(
      new SettingsError('allowPeers', message.replace(/^allowPeers: /, '')),
    );
    expect(() => createPeerPolicy({ allow: [cidr] })).toThrow(SettingsError);
  });

  it('names denyPeers for a bad deny entry', () => {
    expect(() => createPeerPolicy({ deny: ['1.2.3.4/40'] })).toThrow("denyPeers: '1.2.3.4/40' is not a CIDR");
  });
});
