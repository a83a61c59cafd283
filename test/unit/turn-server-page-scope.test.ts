/**
 * PageScope (src/server/turn/page-scope.ts): which page credentials signaling may bind to a room member,
 * what a bound credential may reach, and when the binding ends; canonicalIp's forms.
 */
import { describe, expect, it } from 'vitest';
import {
  canonicalIp,
  MAX_MEMBERS_PER_CREDENTIAL,
  PageScope,
  type ScopeMember,
} from '../../src/server/turn/page-scope.js';
import { mintRestCredentials } from '../../src/wire/rest-credentials.js';

const NOW = 1_800_000_000_000;

/** A member whose room-mates are `mates` (mutable, like a room). */
function member(...mates: string[]): ScopeMember & { mates: string[] } {
  const m = { mates, roomMates: () => m.mates };
  return m;
}

function minted(scope: PageScope, user = 'page-abcdefgh', ttlS = 600) {
  return mintRestCredentials(scope.secret, user, ttlS, NOW);
}

describe('PageScope', () => {
  it('binds a credential it minted: the room-mates are allowed, nobody else', () => {
    const scope = new PageScope();
    const c = minted(scope);
    const m = member('198.51.100.7');
    expect(scope.allows(c.username, '198.51.100.7')).toBe(false);
    expect(scope.claim(c.username, c.password, m, NOW)).toBe(true);
    expect(scope.allows(c.username, '198.51.100.7')).toBe(true);
    expect(scope.allows(c.username, '8.8.8.8')).toBe(false);
    m.mates = [];
    expect(scope.allows(c.username, '198.51.100.7')).toBe(false);
  });

  it('ignores another secret’s credential, a wrong password, an expired one and a username not of the page', () => {
    const scope = new PageScope();
    const other = new PageScope();
    const m = member('198.51.100.7');
    const foreign = minted(other);
    expect(scope.claim(foreign.username, foreign.password, m, NOW)).toBe(false);
    const c = minted(scope);
    expect(scope.claim(c.username, `${c.password.slice(0, -2)}AA`, m, NOW)).toBe(false);
    expect(scope.claim(c.username, 'short', m, NOW)).toBe(false);
    expect(scope.claim(c.username, c.password, m, NOW + 601_000)).toBe(false);
    const operator = mintRestCredentials(scope.secret, 'alice', 600, NOW);
    expect(scope.claim(operator.username, operator.password, m, NOW)).toBe(false);
    expect(scope.allows(c.username, '198.51.100.7')).toBe(false);
  });

  it('release ends the binding; a credential keeps its newest members only', () => {
    const scope = new PageScope();
    const c = minted(scope);
    const members = Array.from({ length: MAX_MEMBERS_PER_CREDENTIAL + 1 }, (_, i) =>
      member(`198.51.100.${i + 1}`),
    );
    for (const m of members) scope.claim(c.username, c.password, m, NOW);
    expect(scope.allows(c.username, '198.51.100.1')).toBe(false);
    expect(scope.allows(c.username, `198.51.100.${MAX_MEMBERS_PER_CREDENTIAL + 1}`)).toBe(true);
    for (const m of members) scope.release(m);
    expect(scope.allows(c.username, `198.51.100.${MAX_MEMBERS_PER_CREDENTIAL + 1}`)).toBe(false);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::1', '::1'],
    ['not an ip', null],
  ])('%s → %s', (ip, expected) => {
    expect(canonicalIp(ip)).toBe(expected);
  });
});
