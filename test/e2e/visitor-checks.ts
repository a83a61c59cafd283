import { expect } from 'vitest';
import type { BrowserReport, PathResult } from '../../src/report/browser-schema.js';
import { SERVERS_PREFIX } from '../../src/web/page/visitor-servers/codec.js';
import { restPassword } from '../../src/wire/rest-credentials.js';
import { REST_SECRET, REST_URL, STATIC_PASSWORD, STATIC_URL, STATIC_USER } from './visitor-coturn.js';

/** The checks the visitor-servers browser tests share (Chromium and Firefox alike). */

/** One `RTCIceServer` as a spy in the page saw it. */
export interface SeenServer {
  urls: string;
  username?: string;
  credential?: string;
}

/**
 * The REST credential the page used for {@link REST_URL}, asserted to be minted as node:crypto computes it:
 * username `<expiry in the future>:ice-doctor-page`, credential base64(HMAC-SHA1(secret, username)).
 */
export function mintedOf(seen: readonly SeenServer[]): { username: string; credential: string } {
  const rest = seen.find((s) => s.urls === REST_URL);
  expect(rest?.username).toMatch(/^\d{10}:ice-doctor-page$/);
  const username = rest?.username ?? '';
  expect(Number(username.split(':')[0])).toBeGreaterThan(Date.now() / 1000);
  expect(rest?.credential).toBe(restPassword(REST_SECRET, username));
  return { username, credential: rest?.credential ?? '' };
}

/** Every string that must never leave the page: the visitor's credentials, the minted ones, the link payload. */
export function neverSent(minted: { username: string; credential: string }, fragment: string): string[] {
  return [
    STATIC_USER,
    STATIC_PASSWORD,
    REST_SECRET,
    minted.username,
    minted.credential,
    fragment.slice(SERVERS_PREFIX.length),
  ];
}

/** The report's visitor paths, asserted to be the two coturn URLs, each gathered and proved through a relay. */
export function provedVisitorPaths(report: BrowserReport): PathResult[] {
  const visitor = report.paths.filter((p) => p.server === 'visitor');
  expect(visitor.map((p) => [p.id, p.url])).toEqual([
    ['visitor-turn-udp-1', STATIC_URL],
    ['visitor-turn-tcp-1', REST_URL],
  ]);
  for (const p of visitor) {
    expect(p.gathered, p.id).toBe(true);
    expect(p.proof?.ok, `${p.id}: ${JSON.stringify(p.proof)}`).toBe(true);
    expect(p.proof?.selectedPair?.localType).toBe('relay');
  }
  return visitor;
}
