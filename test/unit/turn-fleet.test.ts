import { describe, expect, it } from 'vitest';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { nodeTableLines } from '../../src/cli/render/turn-nodes.js';
import { alternateOf, redirectOf } from '../../src/client/turn-check/alternate.js';
import { mapBounded, nodeRttMs } from '../../src/client/turn-check/nodes.js';
import type { TurnTargetReport } from '../../src/report/schema.js';
import { AlternatePicker, alternateSettings, parseAlternateServer } from '../../src/server/turn/alternate.js';
import { transportAddress } from '../../src/wire/address.js';
import { req } from '../support/turn-observations.js';

const A = transportAddress('198.51.100.1', 3478);
const B = transportAddress('198.51.100.2', 3478);

describe('alternate servers (serve --alternate-server)', () => {
  it('parses IP, IP:PORT and [IPv6]:PORT, port 3478 by default; refuses names and bad ports naming the field', () => {
    expect(parseAlternateServer('203.0.113.7')).toEqual(transportAddress('203.0.113.7', 3478));
    expect(parseAlternateServer(' 203.0.113.7:3479 ')).toEqual(transportAddress('203.0.113.7', 3479));
    expect(parseAlternateServer('[2001:db8::7]:5000')).toEqual(transportAddress('2001:db8::7', 5000));
    expect(parseAlternateServer('2001:db8::7')).toEqual(transportAddress('2001:db8::7', 3478));
    for (const bad of ['turn.example.org:3478', '203.0.113.7:0', '203.0.113.7:70000', '[nope]:1', ''])
      expect(() => parseAlternateServer(bad)).toThrow(/alternateServers.*is not IP\[:PORT\]/);
    expect(() => alternateSettings([], 'sometimes')).toThrow(
      /alternateWhen.*'sometimes' is not one of always, full/,
    );
  });

  it('serve flags and ICE_DOCTOR_* variables: parsed into settings, errors name what the user wrote', () => {
    const listen = ['127.0.0.1'];
    const s = parseTurnFlags(
      { alternateServer: ['198.51.100.1:3479'], alternateServerWhen: 'full' },
      listen,
      true,
      {},
    );
    expect(s.alternate).toEqual({ servers: [transportAddress('198.51.100.1', 3479)], when: 'full' });
    const env = { ICE_DOCTOR_ALTERNATE_SERVER: '198.51.100.1, 198.51.100.2:3478' };
    expect(parseTurnFlags({}, listen, true, env).alternate).toEqual({ servers: [A, B], when: 'always' });
    expect(parseTurnFlags({}, listen, true, {}).alternate).toEqual({ servers: [], when: 'always' });
    expect(() => parseTurnFlags({ alternateServer: ['x'] }, listen, true, {})).toThrow(
      /^--alternate-server: 'x' is not IP/,
    );
    expect(() => parseTurnFlags({}, listen, true, { ICE_DOCTOR_ALTERNATE_SERVER: 'x' })).toThrow(
      /^ICE_DOCTOR_ALTERNATE_SERVER: 'x' is not IP/,
    );
    expect(() => parseTurnFlags({ alternateServerWhen: 'never' }, listen, true, {})).toThrow(
      /^--alternate-server-when: 'never' is not one of always, full/,
    );
  });

  it('hands alternates out round-robin, only of the client family; TLS and (under full) plain Allocates are not redirected', () => {
    const v6 = transportAddress('2001:db8::7', 3478);
    const picker = new AlternatePicker(alternateSettings(['198.51.100.1', '[2001:db8::7]', '198.51.100.2']));
    expect([picker.pick('IPv4'), picker.pick('IPv4'), picker.pick('IPv4')]).toEqual([A, B, A]);
    expect(picker.pick('IPv6')).toEqual(v6);
    expect(new AlternatePicker(alternateSettings(['198.51.100.1'])).pick('IPv6')).toBeNull();
    expect(picker.redirect('IPv4', 'tls', 'always')).toBeNull();
    expect(picker.redirect('IPv4', 'udp', 'always')).toMatchObject({ ok: false, code: 300 });
    const full = new AlternatePicker(alternateSettings(['198.51.100.1'], 'full'));
    expect(full.redirect('IPv4', 'udp', 'always')).toBeNull();
    expect(full.redirect('IPv4', 'tcp', 'capacity')).toMatchObject({ ok: false, code: 300 });
  });

  it('turn-check follows a redirect of the first Allocate once, not a loop', () => {
    const redirected = req('allocate', {
      success: false,
      errorCode: 300,
      alternateServer: B,
      alternateDomain: 'b.example',
    });
    expect(redirectOf([redirected])).toEqual({ to: B, domain: 'b.example' });
    expect(redirectOf([req('allocate', { success: false, errorCode: 300 })])).toBeNull();
    expect(
      redirectOf([req('peer-allocate', { success: false, errorCode: 300, alternateServer: B })]),
    ).toBeNull();
    expect(alternateOf(A, { to: B, domain: null })).toMatchObject({ followed: true, why: null });
    expect(alternateOf(A, { to: A, domain: null })).toMatchObject({
      followed: false,
      why: expect.stringMatching(/loop/),
    });
  });
});

describe('nodes of a multi-address name', () => {
  it('RTT: the shortest single exchange without an authentication retry; null without one', () => {
    expect(
      nodeRttMs([
        req('allocate', { durationMs: 3, sent: 2, challenges: [401] }),
        req('create-permission', { durationMs: 7 }),
        req('refresh', { durationMs: 5 }),
        req('channel-bind', { durationMs: 1, sent: 2 }),
      ]),
    ).toBe(5);
    expect(nodeRttMs([req('allocate', { durationMs: 3, challenges: [401], sent: 2 })])).toBeNull();
    expect(
      nodeRttMs([req('allocate', { success: false, failure: { kind: 'timeout', message: '' } })]),
    ).toBeNull();
  });

  it('mapBounded keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('the text table: one row per address with RTT and result; nothing for targets without node', () => {
    const target = (address: string, ok: boolean, rttMs: number | null): TurnTargetReport =>
      ({
        url: 'turn:fleet.test:3478?transport=udp',
        ok,
        diagnoses: ok ? [] : [{ code: 'udp-silent', severity: 'fail', step: 'allocate', message: '' }],
        node: { host: 'fleet.test', address, addresses: ['10.0.0.1', '10.0.0.2'], rttMs },
      }) as unknown as TurnTargetReport;
    const lines = nodeTableLines([target('10.0.0.1', true, 1.5), target('10.0.0.2', false, null)]).join('\n');
    expect(lines).toMatch(/resolves to 2 addresses, each checked/);
    expect(lines).toMatch(/10\.0\.0\.1 +1\.5 ms +✔ passed/);
    expect(lines).toMatch(/10\.0\.0\.2 +— +✘ udp-silent/);
    expect(nodeTableLines([{ ...target('10.0.0.1', true, 1), node: undefined }])).toEqual([]);
  });
});
