import { describe, expect, it } from 'vitest';
import { hostsFileAddresses, parseHosts } from '../../src/client/transport/hosts-file.js';

describe('hosts file (names answered without DNS)', () => {
  const table = parseHosts(
    [
      '# comment',
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost',
      '10.0.0.5 turn.lan Turn  # trailing comment',
      'fd00::7 v6only.lan',
      'not-an-ip ignored.lan',
      '',
    ].join('\n'),
  );

  it('prefers the IPv4 address of a name, else its IPv6 one; case and a trailing dot do not matter', () => {
    expect(hostsFileAddresses('localhost', table)[0]).toBe('127.0.0.1');
    expect(hostsFileAddresses('TURN.lan.', table)[0]).toBe('10.0.0.5');
    expect(hostsFileAddresses('turn', table)[0]).toBe('10.0.0.5');
    expect(hostsFileAddresses('v6only.lan', table)[0]).toBe('fd00::7');
    expect(hostsFileAddresses('ip6-localhost', table)[0]).toBe('::1');
  });

  it('skips lines without an IP and names it does not list (except localhost, RFC 6761)', () => {
    expect(hostsFileAddresses('ignored.lan', table)).toEqual([]);
    expect(hostsFileAddresses('stun.example.org', table)).toEqual([]);
    expect(hostsFileAddresses('localhost', new Map())).toEqual(['127.0.0.1']);
    expect(hostsFileAddresses('app.localhost', new Map())).toEqual(['127.0.0.1']);
  });

  it('lists every address of a name, IPv4 first, each family in file order, without duplicates', () => {
    const fleet = parseHosts(
      '::1 fleet.test\n127.0.0.2 fleet.test\n127.0.0.1 fleet.test\n127.0.0.2 fleet.test\n',
    );
    expect(hostsFileAddresses('fleet.test', fleet)).toEqual(['127.0.0.2', '127.0.0.1', '::1']);
  });
});
