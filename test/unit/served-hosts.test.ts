/**
 * The Host allow-list of the report server (served-hosts.ts), the defence against DNS rebinding: IP
 * literals, localhost and the `--public-host` names are answered; any other name is refused.
 */
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/errors.js';
import { canonicalHost, ServedHosts } from '../../src/web/server/served-hosts.js';

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

describe('ServedHosts', () => {
  const served = new ServedHosts(['ice-doctor.test']);

  it('answers IP literals and localhost on any port, and the public names: none of them can be rebound', () => {
    const hosts = [
      '127.0.0.1:8080',
      '[::1]:8080',
      '198.51.100.7:8080',
      '198.51.100.7',
      '[2001:db8::1]:9999',
      'localhost:8443',
      'LOCALHOST',
      'ice-doctor.test:8080',
      'Ice-Doctor.test.:9999',
    ];
    expect(accepted(served, hosts)).toEqual(hosts);
  });

  it('refuses any other name (a rebound one), a malformed Host and none', () => {
    const hosts = [
      'attacker.example:8080',
      'attacker.example',
      'localhost.attacker.example',
      '127.0.0.1.attacker.example',
      "evil.example;script-src 'unsafe-inline'",
      '',
    ];
    expect(accepted(served, hosts)).toEqual([]);
    expect(served.allows(undefined)).toBe(false);
  });

  it('throws SettingsError naming publicHosts for a public host that is not a host name', () => {
    expect(() => new ServedHosts(['https://x.example'])).toThrow(
      new SettingsError('publicHosts', "'https://x.example' is not a host name or IP address"),
    );
  });
});
