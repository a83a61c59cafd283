import { describe, expect, it } from 'vitest';
import { hostsFileAddress, parseHosts } from '../../src/client/transport/hosts-file.js';

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
    expect(hostsFileAddress('localhost', table)).toBe('127.0.0.1');
    expect(hostsFileAddress('TURN.lan.', table)).toBe('10.0.0.5');
    expect(hostsFileAddress('turn', table)).toBe('10.0.0.5');
    expect(hostsFileAddress('v6only.lan', table)).toBe('fd00::7');
    expect(hostsFileAddress('ip6-localhost', table)).toBe('::1');
  });

  it('skips lines without an IP and names it does not list (except localhost, RFC 6761)', () => {
    expect(hostsFileAddress('ignored.lan', table)).toBeNull();
    expect(hostsFileAddress('stun.example.org', table)).toBeNull();
    expect(hostsFileAddress('localhost', new Map())).toBe('127.0.0.1');
    expect(hostsFileAddress('app.localhost', new Map())).toBe('127.0.0.1');
  });
});
