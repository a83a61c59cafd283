/**
 * The Host allow-list of the report server (served-hosts.ts), the defence against DNS rebinding: which
 * Host headers a server on a loopback, a specific and a wildcard address answers, with `--public-host`
 * names, on its bound ports.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { canonicalHost, ServedHosts } from '../../src/web-report/server/served-hosts.js';

const PORTS = () => ({ http: 8080, https: 8443 });

/** The Host values of `hosts` that `served` accepts. */
function accepted(served: ServedHosts, hosts: string[]): string[] {
  return hosts.filter((h) => served.allows(h));
}

describe('canonicalHost', () => {
  it('gives the form a browser sends: lowercase names without a trailing dot, IPv6 compressed in brackets', () => {
    expect(canonicalHost('Turn.Example.ORG.')).toBe('turn.example.org');
    expect(canonicalHost('2001:DB8:0:0::1')).toBe('[2001:db8::1]');
    expect(canonicalHost('[::1]')).toBe('[::1]');
    expect(canonicalHost('192.0.2.1')).toBe('192.0.2.1');
  });

  it.each([
    '',
    'a..b',
    '-a.example',
    'a_b.example',
    '1.2.3.4.5',
    'example.123',
    '*.example',
    'fe80::1%eth0',
    'a:80',
  ])('refuses %j', (text) => {
    expect(canonicalHost(text)).toBeNull();
  });
});

/** The Host values a loopback or wildcard listener accepts by its loopback names, and the public name's. */
const LOOPBACK = ['127.0.0.1:8080', 'localhost:8443', 'LOCALHOST:8080', '[::1]:8080', 'localhost'];
const PUBLIC = ['ice-doctor.test:8080', 'ice-doctor.test:9999'];

describe('ServedHosts', () => {
  const names = [
    ...LOOPBACK,
    '192.0.2.10:8080',
    '[2001:db8::1]:8080',
    'attacker.example:8080',
    'attacker.example',
    ...PUBLIC,
    '127.0.0.1:9999',
    "evil.example;script-src 'unsafe-inline'",
  ];

  it('on loopback: the address and the loopback names on a bound port or none, and the public names', () => {
    const served = new ServedHosts('127.0.0.1', ['ice-doctor.test'], PORTS);
    expect(accepted(served, names)).toEqual([...LOOPBACK, ...PUBLIC]);
    expect(served.allows(undefined)).toBe(false);
  });

  it('on a specific address: that address and the public names only', () => {
    const served = new ServedHosts('192.0.2.10', ['ice-doctor.test'], PORTS);
    expect(accepted(served, names)).toEqual([
      '192.0.2.10:8080',
      'ice-doctor.test:8080',
      'ice-doctor.test:9999',
    ]);
  });

  it('on a wildcard: any IP literal and the loopback names on a bound port, and the public names; no other name', () => {
    const served = new ServedHosts('::', ['ice-doctor.test'], PORTS);
    expect(accepted(served, names)).toEqual([
      ...LOOPBACK,
      '192.0.2.10:8080',
      '[2001:db8::1]:8080',
      ...PUBLIC,
    ]);
  });

  it('throws ConfigError for a public host that is not a host name', () => {
    expect(() => new ServedHosts('127.0.0.1', ['https://x.example'], PORTS)).toThrow(
      new ConfigError("public host 'https://x.example' is not a host name or IP address"),
    );
  });
});
