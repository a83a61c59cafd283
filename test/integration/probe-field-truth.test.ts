import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MisbehavingServer, startChangeDroppingServer } from '../../lab/misbehaving-stun.js';
import { type ServerMix, startServerMix } from '../../lab/server-mix.js';
import { parseTurnFlags } from '../../src/cli/config/turn-flags.js';
import { runProbe } from '../../src/client/nat-probe/run-probe.js';
import { probeReportSchema } from '../../src/report/schema.js';
import { DEFAULT_ADDRESSES } from '../../src/server/stun/options.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { formatAddress } from '../../src/wire/address.js';
import { udpBindable } from '../support/udp-port.js';

/** Generous: a probe that waited for a dead server until its deadline would take the whole 5000 ms. */
const TIMEOUT_MS = 5000;
const WELL_BEFORE_TIMEOUT_MS = 0.5 * TIMEOUT_MS;

/** The bundled RFC 5780 server's verdicts on loopback (no NAT, nothing filters). */
const GOOD_VERDICTS = {
  udp: true,
  udpStatus: 'works',
  natPresent: false,
  mapping: 'endpoint-independent',
  mappingMethod: 'local-address',
  filtering: 'endpoint-independent',
  legacyNatType: 'open-internet',
  serverHonoursChangeRequest: true,
};

describe('probe with dead and lying servers before a good one (bundled RFC 5780 server on 127.0.0.1 + 127.0.0.2)', () => {
  let mix: ServerMix;
  let dead: MisbehavingServer;
  let liar: MisbehavingServer;
  let goodUrl: string;
  beforeAll(async () => {
    mix = await startServerMix({ good: ['127.0.0.1', '127.0.0.2'], dead: '127.0.0.1', liar: '127.0.0.1' });
    ({ dead, liar, goodUrl } = mix);
  });
  afterAll(async () => mix?.close());

  it('[dead, good]: the good server decides, the dead one is reported as silent, well before --timeout', async () => {
    const r = probeReportSchema.parse(await runProbe({ urls: [dead.url, goodUrl], timeoutMs: TIMEOUT_MS }));
    expect(r).toMatchObject({ ...GOOD_VERDICTS, rfc5780Server: goodUrl, untrustedServers: [] });
    const deadRow = r.reachability.find((x) => x.url === dead.url);
    expect(deadRow).toMatchObject({
      reachable: false,
      error: expect.stringMatching(/^no answer within \d+ ms$/),
    });
    expect(r.durationMs).toBeLessThan(WELL_BEFORE_TIMEOUT_MS);
  });

  it('[dead, liar, good]: the good server’s verdicts, the liar named with why, the dead one silent', async () => {
    const r = probeReportSchema.parse(
      await runProbe({ urls: [dead.url, liar.url, goodUrl], timeoutMs: TIMEOUT_MS }),
    );
    expect(r).toMatchObject({ ...GOOD_VERDICTS, rfc5780Server: goodUrl });
    expect(r.untrustedServers).toEqual([
      { url: liar.url, reason: expect.stringMatching(/has the IP it was asked at \(RFC 5780 §7\.4/) },
    ]);
    expect(r.reachability.find((x) => x.url === dead.url)?.error).toMatch(/^no answer within \d+ ms$/);
    expect(r.reachability.find((x) => x.url === `${dead.url}?transport=tcp`)?.error).toMatch(
      /^no answer within \d+ ms$/,
    );
    expect(r.durationMs).toBeLessThan(WELL_BEFORE_TIMEOUT_MS);
  });

  it('[liar] alone: filtering unknown with the liar named, never the filtering its replies suggest', async () => {
    const r = await runProbe({ urls: [liar.url], timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ udp: true, filtering: null, rfc5780Server: null, legacyNatType: null });
    expect(r.reasons.filtering).toMatch(/no trusted RFC 5780 server .*RFC 5780 §7\.4/);
    expect(r.untrustedServers.map((u) => u.url)).toEqual([liar.url]);
  });

  it('a black-holed server alone (UDP read and never answered, TCP accepted and silent): server unreachable', async () => {
    const r = await runProbe({ urls: [dead.url], timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ udp: null, udpStatus: 'server-unreachable', legacyNatType: null });
    expect(r.summary).not.toMatch(/UDP blocked/);
    expect(r.durationMs).toBeLessThan(TIMEOUT_MS);
  });

  it("only 'stun:…?transport=tcp': UDP not tested, one reachability row", async () => {
    const url = `${goodUrl}?transport=tcp`;
    const r = await runProbe({ urls: [url], timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ udp: null, udpStatus: 'not-tested', legacyNatType: null });
    expect(r.reasons.udp).toMatch(/only stuns: or \?transport=tcp URLs/);
    expect(r.reachability).toEqual([expect.objectContaining({ url, transport: 'tcp', reachable: true })]);
  });

  it("stun:X and 'stun:X?transport=tcp' (and stun:X again): one reachability row per URL", async () => {
    const tcp = `${goodUrl}?transport=tcp`;
    const r = await runProbe({ urls: [goodUrl, tcp, goodUrl], timeoutMs: TIMEOUT_MS });
    expect(r.reachability.map((x) => [x.url, x.transport, x.reachable])).toEqual([
      [goodUrl, 'udp', true],
      [tcp, 'tcp', true],
    ]);
  });

  it('the deadline before any answer (timeout 1 ms, a silent server): deadline reached, not "UDP blocked"', async () => {
    const r = await runProbe({ urls: [dead.url], timeoutMs: 1 });
    expect(r).toMatchObject({ udp: null, udpStatus: 'deadline', legacyNatType: null });
    expect(r.summary).toMatch(/^Deadline reached/);
  });

  it('a closed port (nothing listens): server unreachable', async () => {
    const port = mix.good.primary.port + 2;
    expect(await udpBindable(port)).toBe(true);
    const r = await runProbe({ urls: [`stun:127.0.0.1:${port}`], timeoutMs: TIMEOUT_MS });
    expect(r).toMatchObject({ udp: null, udpStatus: 'server-unreachable' });
  });
});

describe('probe with a server that has a genuine second address but drops CHANGE-REQUEST (loopback, no NAT)', () => {
  let mix: ServerMix;
  let drops: MisbehavingServer;
  beforeAll(async () => {
    mix = await startServerMix({ good: ['127.0.0.1', '127.0.0.2'], dead: '127.0.0.1', liar: '127.0.0.1' });
    drops = await startChangeDroppingServer('127.0.0.3', '127.0.0.4');
  });
  afterAll(async () => {
    await Promise.all([mix?.close(), drops?.close()]);
  });

  it('[drops CR] alone: filtering null (nothing filters here), the server named as not answering CHANGE-REQUEST', async () => {
    const r = probeReportSchema.parse(await runProbe({ urls: [drops.url], timeoutMs: TIMEOUT_MS }));
    expect(r).toMatchObject({
      udp: true,
      natPresent: false,
      filtering: null,
      serverHonoursChangeRequest: false,
      rfc5780Server: null,
    });
    expect(r.untrustedServers).toEqual([
      { url: drops.url, reason: expect.stringMatching(/did not answer CHANGE-REQUEST \(change IP and port/) },
    ]);
    expect(r.reasons.filtering).toContain(drops.url);
    const byName = Object.fromEntries(r.tests.map((t) => [t.name, t.verdict]));
    expect(byName).toMatchObject({
      'mapping-II': 'ok',
      'mapping-III': 'ok',
      'control-II-open': 'ok',
      'control-III-open': 'ok',
      'control-II': 'timeout',
      'control-III': 'timeout',
    });
  });

  it('[drops CR, good]: the good server’s verdicts, the other named', async () => {
    const r = probeReportSchema.parse(
      await runProbe({ urls: [drops.url, mix.goodUrl], timeoutMs: TIMEOUT_MS }),
    );
    expect(r).toMatchObject({ ...GOOD_VERDICTS, rfc5780Server: mix.goodUrl });
    expect(r.untrustedServers).toEqual([
      { url: drops.url, reason: expect.stringMatching(/did not answer CHANGE-REQUEST/) },
    ]);
  });
});

describe('probe: UDP verdicts without UDP evidence', () => {
  let turn: RunningTurnServer;
  beforeAll(async () => {
    const addresses = [...DEFAULT_ADDRESSES];
    turn = await startTurnServer({ addresses, port: 0, turn: parseTurnFlags({}, addresses, true, {}) });
  });
  afterAll(async () => turn?.close());

  it('only stuns:: UDP not tested, TLS reachable', async () => {
    const url = `stuns:${formatAddress(turn.turnTls[0]!)}`;
    const r = await runProbe({ urls: [url], timeoutMs: TIMEOUT_MS, insecure: true });
    expect(r).toMatchObject({ udp: null, udpStatus: 'not-tested', legacyNatType: null });
    expect(r.summary).toMatch(/^UDP not tested/);
    expect(r.reachability).toEqual([expect.objectContaining({ url, transport: 'tls', reachable: true })]);
  });

  it('a name that does not resolve (stun:nosuch.invalid): DNS failed, udp null in the JSON', async () => {
    const r = probeReportSchema.parse(
      await runProbe({ urls: ['stun:nosuch.invalid'], timeoutMs: TIMEOUT_MS }),
    );
    expect(r).toMatchObject({ udp: null, udpStatus: 'dns-failed', legacyNatType: null });
    expect(r.reasons.udp).toMatch(/nosuch\.invalid: cannot resolve/);
  });
});
