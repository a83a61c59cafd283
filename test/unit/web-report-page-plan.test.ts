import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IceConfig, PathTarget } from '../../src/web/api-schema.js';
import { planRun } from '../../src/web/page/ui/plan.js';

/** The report page's run plan (ui/plan.ts, pure), and the page's rule that no network string is parsed as HTML. */

const target = (id: string, kind: PathTarget['kind'], urls: string, auth = true): PathTarget => ({
  id,
  kind,
  server: 'bundled',
  iceServer: {
    urls,
    ...(auth && kind !== 'stun' && { username: '1700000000:page-abc', credential: 'c2VjcmV0' }),
  },
});

function config(targets: PathTarget[]): IceConfig {
  return { iceServers: targets.map((t) => t.iceServer), targets, credentialTtlS: 600, expiresAt: null };
}

const BUNDLED = [
  target('stun-1', 'stun', 'stun:203.0.113.10:3478'),
  target('stun-2', 'stun', 'stun:203.0.113.11:3479'),
  target('turn-udp-1', 'turn-udp', 'turn:203.0.113.10:3478?transport=udp'),
  target('turn-tcp-1', 'turn-tcp', 'turn:203.0.113.10:3478?transport=tcp'),
  target('turns-1', 'turns', 'turns:203.0.113.10:5349?transport=tcp'),
];

describe('planRun', () => {
  it('one path per target in order: STUN gathers srflx with policy all, TURN gathers relay-only and is proved', () => {
    const plan = planRun(config(BUNDLED));
    expect(plan.paths.map((p) => [p.target.id, p.policy, p.expect, p.prove])).toEqual([
      ['stun-1', 'all', 'srflx', false],
      ['stun-2', 'all', 'srflx', false],
      ['turn-udp-1', 'relay', 'relay', true],
      ['turn-tcp-1', 'relay', 'relay', true],
      ['turns-1', 'relay', 'relay', true],
    ]);
    expect(plan.paths[2]?.url).toBe('turn:203.0.113.10:3478?transport=udp');
    expect(plan.callServers).toHaveLength(5);
  });

  it('a mapping probe holds every STUN target with an IP literal when they span two addresses', () => {
    const plan = planRun(config(BUNDLED));
    expect(plan.mapping).toEqual({
      pathId: 'mapping',
      servers: [
        { url: 'stun:203.0.113.10:3478', address: '203.0.113.10' },
        { url: 'stun:203.0.113.11:3479', address: '203.0.113.11' },
      ],
      iceServers: [{ urls: 'stun:203.0.113.10:3478' }, { urls: 'stun:203.0.113.11:3479' }],
    });
  });

  it('no mapping probe from one server IP, or from host names (their addresses are unknown to a page)', () => {
    expect(
      planRun(config([BUNDLED[0]!, target('stun-2', 'stun', 'stun:203.0.113.10:3479')])).mapping,
    ).toBeNull();
    const named = [
      target('stun-1', 'stun', 'stun:stun.example.org'),
      target('stun-2', 'stun', 'stun:203.0.113.11'),
    ];
    expect(planRun(config(named)).mapping).toBeNull();
  });

  it('collects every TURN username and credential once, for the export to remove', () => {
    expect(planRun(config(BUNDLED)).secrets).toEqual(['1700000000:page-abc', 'c2VjcmV0']);
    expect(planRun(config([BUNDLED[0]!])).secrets).toEqual([]);
  });
});

describe('the page UI writes network strings as text only', () => {
  const dir = join(process.cwd(), 'src/web/page/ui');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))(
    '%s has no innerHTML, outerHTML, insertAdjacentHTML or document.write',
    (file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source).not.toMatch(/\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write/);
    },
  );
});
