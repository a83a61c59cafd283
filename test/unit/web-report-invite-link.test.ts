/** The two-peer invitation link (page/invite-link.ts): the public host when set, and the loopback warning's test. */
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/web/page/address.js';
import { type InviteLocation, inviteLink } from '../../src/web/page/invite-link.js';

const loc = (href: string): InviteLocation => {
  const u = new URL(href);
  return { protocol: u.protocol, hostname: u.hostname, port: u.port, pathname: u.pathname, origin: u.origin };
};

describe('inviteLink', () => {
  it('without a public host: the page origin; 127.0.0.1 is loopback', () => {
    expect(inviteLink(loc('http://127.0.0.1:8080/'), 'AbCd_efGH-ijKLmn', null)).toEqual({
      url: 'http://127.0.0.1:8080/#room=AbCd_efGH-ijKLmn',
      host: '127.0.0.1',
      loopback: true,
    });
  });

  it('with a public host: its name, the page scheme, port and path kept; not loopback', () => {
    expect(inviteLink(loc('https://127.0.0.1:8443/x/'), 'r1', 'doctor.example.org')).toEqual({
      url: 'https://doctor.example.org:8443/x/#room=r1',
      host: 'doctor.example.org',
      loopback: false,
    });
    expect(inviteLink(loc('https://localhost/'), 'r1', 'doctor.example.org').url).toBe(
      'https://doctor.example.org/#room=r1',
    );
  });

  it('an IPv6 public host is bracketed; a LAN page address is not loopback', () => {
    expect(inviteLink(loc('http://[::1]:8080/'), 'r', '2001:db8::5').url).toBe(
      'http://[2001:db8::5]:8080/#room=r',
    );
    expect(inviteLink(loc('http://192.168.1.20:8080/'), 'r', null).loopback).toBe(false);
  });
});

describe('isLoopback with names (the invite link host)', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.45.6.7', true],
    ['[::1]', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['LOCALHOST', true],
    ['app.localhost', true],
    ['localhost.', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::2', false],
    ['localhost.example.org', false],
    ['127.example.org', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopback(host, true)).toBe(loopback);
  });
});

describe('inviteLink on a support link (/i/<token>)', () => {
  it('links the room on /, not on the support link, so the other device neither sees its notice nor uses it', () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUv.0123456789_-abcdefghij';
    expect(inviteLink(loc(`https://127.0.0.1:8443/i/${token}`), 'r1', 'doctor.example.org').url).toBe(
      'https://doctor.example.org:8443/#room=r1',
    );
    expect(inviteLink(loc(`http://127.0.0.1:8080/i/${token}`), 'r1', null).url).toBe(
      'http://127.0.0.1:8080/#room=r1',
    );
  });
});
