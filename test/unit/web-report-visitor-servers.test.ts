import { describe, expect, it } from 'vitest';
import type { IceConfig } from '../../src/web/api-schema.js';
import { exportReport } from '../../src/web/page/report-export.js';
import { planRun } from '../../src/web/page/ui/plan.js';
import {
  decodeServersFragment,
  encodeServersFragment,
  readStoredSettings,
  STORAGE_KEY,
  storeSettings,
} from '../../src/web/page/visitor-servers/codec.js';
import type { VisitorSettings } from '../../src/web/page/visitor-servers/model.js';
import { mintRestCredential } from '../../src/web/page/visitor-servers/rest-mint.js';
import { visitorTargets, withVisitorTargets } from '../../src/web/page/visitor-servers/targets.js';
import { checkVisitorServers } from '../../src/web/page/visitor-servers/validate.js';
import { restPassword } from '../../src/wire/rest-credentials.js';

/** The visitor's own servers in the report page: validation, the link and storage codec, minting, planning. */

const SETTINGS: VisitorSettings = {
  servers: [
    { urls: 'stun:stun.example.org' },
    { urls: 'turn:198.51.100.7:3478?transport=udp', username: 'alice', credential: 'pässwörd' },
    { urls: 'turns:turn.example.org:443', secret: 'north-wind', user: 'bob', ttlS: 120 },
  ],
  policy: 'relay',
};

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

describe('checkVisitorServers', () => {
  it('accepts stun:, turn: (UDP by default, TCP with ?transport=tcp) and turns:, keeping order and credentials', () => {
    const { servers, problems } = checkVisitorServers([
      ...SETTINGS.servers,
      { urls: ' turn:[2001:db8::1]:3478?transport=tcp ', username: 'u', credential: 'c' },
    ]);
    expect(problems).toEqual([]);
    expect(servers.map((s) => [s.server, s.kind, s.url, s.auth.kind])).toEqual([
      [1, 'stun', 'stun:stun.example.org', 'none'],
      [2, 'turn-udp', 'turn:198.51.100.7:3478?transport=udp', 'static'],
      [3, 'turns', 'turns:turn.example.org:443', 'rest'],
      [4, 'turn-tcp', 'turn:[2001:db8::1]:3478?transport=tcp', 'static'],
    ]);
    expect(servers[2]?.auth).toEqual({ kind: 'rest', secret: 'north-wind', user: 'bob', ttlS: 120 });
  });

  it('names the server and the field of every broken rule', () => {
    const { servers, problems } = checkVisitorServers([
      { urls: '' },
      { urls: 'http://turn.example.org' },
      { urls: 'turn:turn.example.org:0' },
      { urls: 'stuns:stun.example.org' },
      { urls: 'turn:alice@turn.example.org', username: 'a', credential: 'b' },
      { urls: 'turn:turn.example.org?transport=sctp', username: 'a', credential: 'b' },
      { urls: 'turn:turn.example.org' },
      { urls: 'stun:stun.example.org', username: 'a' },
      { urls: 'stun:stun.example.org', secret: 's' },
      { urls: 'turns:turn.example.org?transport=udp', secret: 's' },
      { urls: 'turn:turn.example.org', secret: '' },
      { urls: 'turn:turn.example.org', secret: 's', user: 'a:b' },
    ]);
    expect(servers).toEqual([]);
    expect(problems.map((p) => [p.server, p.field])).toEqual([
      [1, 'urls'],
      [2, 'urls'],
      [3, 'urls'],
      [4, 'urls'],
      [5, 'urls'],
      [6, 'urls'],
      [7, 'username'],
      [7, 'credential'],
      [8, 'username'],
      [9, 'secret'],
      [10, 'urls'],
      [11, 'secret'],
      [12, 'user'],
    ]);
    expect(problems[0]?.message).toBe('Server 1, URL: empty: type a stun:, turn: or turns: URL');
    expect(problems[2]?.message).toMatch(/^Server 3, URL: port 0 is outside 1–65535/);
    expect(problems[3]?.message).toMatch(/^Server 4, URL: browsers do not support stuns:/);
    expect(problems[4]?.message).toMatch(/^Server 5, URL: a user@ part is not allowed/);
    expect(problems[6]?.message).toBe('Server 7, username: a TURN server needs one (or use a shared secret)');
  });
});

describe('the #servers= fragment and localStorage', () => {
  it('round-trips the settings (UTF-8 credentials included) through the fragment and storage', () => {
    const fragment = encodeServersFragment(SETTINGS);
    expect(fragment).toMatch(/^#servers=[A-Za-z0-9_-]+$/);
    expect(decodeServersFragment(fragment)).toEqual({ kind: 'ok', settings: SETTINGS });
    expect(decodeServersFragment(fragment.slice(1))).toEqual({ kind: 'ok', settings: SETTINGS });
    const storage = new MemoryStorage();
    expect(storeSettings(storage, SETTINGS)).toBeNull();
    expect(readStoredSettings(storage)).toEqual({ kind: 'ok', settings: SETTINGS });
    expect(storeSettings(storage, { servers: [], policy: 'all' })).toBeNull();
    expect(storage.items.has(STORAGE_KEY)).toBe(false);
    expect(readStoredSettings(storage)).toEqual({ kind: 'absent' });
  });

  it('other fragments (a share link, a room) are absent; a garbled or invalid list is ignored with a message', () => {
    expect(decodeServersFragment('#report=abc')).toEqual({ kind: 'absent' });
    expect(decodeServersFragment('#room=abc')).toEqual({ kind: 'absent' });
    expect(decodeServersFragment('')).toEqual({ kind: 'absent' });
    const b64 = (text: string): string => `#servers=${Buffer.from(text).toString('base64url')}`;
    const cases: [string, RegExp][] = [
      ['#servers=%%%', /damaged \(not base64url UTF-8\)/],
      ['#servers=A', /damaged \(not base64url UTF-8\)/],
      [`#servers=${Buffer.from([0xff, 0xfe]).toString('base64url')}`, /damaged \(not base64url UTF-8\)/],
      [b64('{not json'), /damaged \(not JSON\)/],
      [b64('{"servers":[],"policy":"sometimes"}'), /not one this page understands .* at policy/],
      [b64('{"servers":[{"urls":5}],"policy":"all"}'), /not one this page understands .* at servers\.0/],
      [b64(JSON.stringify({ servers: Array(11).fill({ urls: 'stun:a' }), policy: 'all' })), /at servers/],
      [`#servers=${'A'.repeat(20_000)}`, /longer than 16384 characters/],
    ];
    for (const [fragment, message] of cases) {
      const read = decodeServersFragment(fragment);
      expect(read.kind, fragment.slice(0, 40)).toBe('ignored');
      if (read.kind === 'ignored') expect(read.message).toMatch(message);
    }
    const storage = new MemoryStorage();
    storage.setItem(STORAGE_KEY, '[1,2');
    expect(readStoredSettings(storage)).toMatchObject({ kind: 'ignored' });
    const refusing = {
      getItem: (): string => {
        throw new Error('SecurityError');
      },
    };
    expect(readStoredSettings(refusing)).toEqual({ kind: 'absent' });
  });
});

describe('mintRestCredential (WebCrypto) against node:crypto', () => {
  it('username <expiry>:<user>, credential base64(HMAC-SHA1(secret, username)) as the server computes it', async () => {
    const nowMs = 1_700_000_000_500;
    for (const [secret, user] of [
      ['north-wind', 'bob'],
      ['s€cret with spaces', 'ice-doctor-page'],
      ['x', ''],
    ] as const) {
      const minted = await mintRestCredential(secret, user, 600, nowMs);
      expect(minted.expiresAtS).toBe(1_700_000_600);
      expect(minted.username).toBe(user ? `1700000600:${user}` : '1700000600');
      expect(minted.credential).toBe(restPassword(secret, minted.username));
    }
    await expect(mintRestCredential('s', 'u', 0)).rejects.toThrow(RangeError);
  });
});

describe('visitor targets in the plan', () => {
  const bundled: IceConfig = {
    iceServers: [
      { urls: 'turn:100.64.90.1:3478?transport=udp', username: '1:page-x', credential: 'b3Blbg==' },
    ],
    targets: [
      {
        id: 'turn-udp-1',
        kind: 'turn-udp',
        server: 'bundled',
        iceServer: {
          urls: 'turn:100.64.90.1:3478?transport=udp',
          username: '1:page-x',
          credential: 'b3Blbg==',
        },
      },
    ],
    credentialTtlS: 600,
    expiresAt: null,
  };

  it('ids visitor-<kind>-<n>, label visitor, minted REST credentials; proved like the bundled paths; the policy applies to the call', async () => {
    const checked = checkVisitorServers([
      ...SETTINGS.servers,
      { urls: 'turn:198.51.100.8?transport=udp', username: 'carol', credential: 'c' },
    ]);
    const nowMs = 1_700_000_000_000;
    const v = await visitorTargets(checked.servers, nowMs);
    expect(v.problems).toEqual([]);
    expect(v.targets.map((t) => [t.id, t.server, t.kind])).toEqual([
      ['visitor-stun-1', 'visitor', 'stun'],
      ['visitor-turn-udp-1', 'visitor', 'turn-udp'],
      ['visitor-turns-1', 'visitor', 'turns'],
      ['visitor-turn-udp-2', 'visitor', 'turn-udp'],
    ]);
    const rest = v.targets[2]?.iceServer;
    expect(rest?.username).toBe('1700000120:bob');
    expect(rest?.credential).toBe(restPassword('north-wind', '1700000120:bob'));
    expect(v.targets[0]?.iceServer).toEqual({ urls: 'stun:stun.example.org' });
    expect(v.secrets).toEqual(
      expect.arrayContaining(['alice', 'pässwörd', 'north-wind', rest?.username, rest?.credential, 'carol']),
    );

    const plan = planRun(withVisitorTargets(bundled, v.targets), {
      callPolicy: 'relay',
      extraSecrets: v.secrets,
    });
    expect(plan.paths.map((p) => [p.target.id, p.policy, p.expect, p.prove])).toEqual([
      ['turn-udp-1', 'relay', 'relay', true],
      ['visitor-stun-1', 'all', 'srflx', false],
      ['visitor-turn-udp-1', 'relay', 'relay', true],
      ['visitor-turns-1', 'relay', 'relay', true],
      ['visitor-turn-udp-2', 'relay', 'relay', true],
    ]);
    expect(plan.callPolicy).toBe('relay');
    expect(plan.callServers.map((s) => s.urls)).toEqual([
      'turn:100.64.90.1:3478?transport=udp',
      'stun:stun.example.org',
      'turn:198.51.100.7:3478?transport=udp',
      'turns:turn.example.org:443',
      'turn:198.51.100.8?transport=udp',
    ]);
    for (const s of [...v.secrets, 'b3Blbg==']) expect(plan.secrets).toContain(s);
    expect(planRun(bundled).callPolicy).toBe('all');
  });

  it('the export redacts every visitor secret that reached free text', async () => {
    const v = await visitorTargets(checkVisitorServers(SETTINGS.servers).servers, 1_700_000_000_000);
    const minted = v.targets[2]?.iceServer;
    const plan = planRun(withVisitorTargets(bundled, v.targets), { extraSecrets: v.secrets });
    const leaky = `401 for ${minted?.username} / ${minted?.credential} / alice / pässwörd / north-wind`;
    const report = exportReport(
      {
        startedAt: new Date(0).toISOString(),
        userAgent: 'test',
        page: 'http://100.64.90.1:8080',
        visitor: null,
        signaling: [],
        udp: false,
        publicAddress: null,
        natPresent: null,
        mapping: null,
        mappingMethod: 'none',
        filtering: null,
        legacyNatType: null,
        hairpinning: null,
        reasons: { udp: leaky },
        candidates: [],
        candidateErrors: [],
        paths: [
          {
            id: 'visitor-turns-1',
            url: 'turns:turn.example.org:443',
            kind: 'turns',
            server: 'visitor',
            gathered: false,
            firstCandidateMs: null,
            proof: null,
            throughputKbps: null,
            error: leaky,
          },
        ],
        selectedPair: null,
        iceTransportPolicy: 'relay',
        peer: null,
        verdict: { code: 'no-path', text: 'x', facts: [leaky] },
        durationMs: 1,
      },
      { redactIps: false, secrets: plan.secrets },
    );
    const json = JSON.stringify(report);
    for (const s of v.secrets) expect(json).not.toContain(s);
    expect(report.iceTransportPolicy).toBe('relay');
    expect(report.paths[0]?.server).toBe('visitor');
    expect(report.paths[0]?.error).toContain('redacted');
  });
});
