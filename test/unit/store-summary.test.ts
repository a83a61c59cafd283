import { describe, expect, it } from 'vitest';
import { sampleBrowserReport } from '../../lab/browser-report-sample.js';
import { browserReportSchema } from '../../src/report/browser-schema.js';
import { pathWorked, summarizeReport } from '../../src/store/summary.js';

describe('summarizeReport', () => {
  it('the sample reports are real browser reports (they pass the export schema)', () => {
    const r = sampleBrowserReport({ worked: ['turn-tcp'], selected: null, mapping: null });
    expect(browserReportSchema.parse(r)).toEqual(r);
  });

  it('everything worked, a direct pair: all four kinds in order, no relay, not TLS-only', () => {
    expect(summarizeReport(sampleBrowserReport())).toEqual({
      verdict: 'direct',
      mapping: 'endpoint-independent',
      filtering: null,
      transportsOk: ['stun', 'turn-udp', 'turn-tcp', 'turns'],
      relayNeeded: false,
      tlsOnly: false,
    });
  });

  it('UDP blocked, TLS works on some port: a relay is needed, but it is not the only-TLS-443 verdict', () => {
    const r = sampleBrowserReport({
      verdict: 'udp-blocked-tls-works',
      worked: ['turns'],
      selected: ['host', 'host'],
      mapping: null,
    });
    expect(summarizeReport(r)).toEqual({
      verdict: 'udp-blocked-tls-works',
      mapping: null,
      filtering: null,
      transportsOk: ['turns'],
      relayNeeded: true,
      tlsOnly: false,
    });
    expect(summarizeReport({ ...r, verdict: { ...r.verdict, code: 'only-tls-443' } }).tlsOnly).toBe(true);
  });

  it("the page's own call says nothing (both ends in one browser): a relay pair there is not 'needed a relay'", () => {
    const own = sampleBrowserReport({ verdict: 'udp-works', selected: ['relay', 'relay'] });
    expect(summarizeReport(own).relayNeeded).toBeNull();
    expect(
      summarizeReport(sampleBrowserReport({ verdict: 'direct', selected: ['relay', 'host'] })).relayNeeded,
    ).toBe(false);
    expect(summarizeReport(sampleBrowserReport({ verdict: 'relay-only', selected: null })).relayNeeded).toBe(
      true,
    );
  });

  it('the two-peer call decides when there was one; a forced relay-only call proves nothing', () => {
    const base = sampleBrowserReport({ verdict: 'relayed', selected: null });
    const pair = (localType: 'relay' | 'host') => ({
      ...(sampleBrowserReport().selectedPair ??
        (() => {
          throw new Error('sample has no pair');
        })()),
      localType,
    });
    const peer = (localType: 'relay' | 'host') => ({
      room: 'r',
      role: 'watcher' as const,
      selectedPair: pair(localType),
    });
    expect(summarizeReport({ ...base, peer: peer('relay') }).relayNeeded).toBe(true);
    expect(
      summarizeReport({ ...base, verdict: { ...base.verdict, code: 'direct' }, peer: peer('host') })
        .relayNeeded,
    ).toBe(false);
    expect(
      summarizeReport({ ...base, peer: peer('relay'), iceTransportPolicy: 'relay' }).relayNeeded,
    ).toBeNull();
  });

  it('a TURN path that gathered a relay candidate but whose proof failed did not work', () => {
    const r = sampleBrowserReport({ worked: ['stun', 'turns'] });
    const udp = r.paths.find((p) => p.kind === 'turn-udp');
    if (udp === undefined) throw new Error('no turn-udp path');
    const failedProof = {
      ...udp,
      gathered: true,
      proof: { ok: false, rttMs: null, selectedPair: null, assertions: [] },
    };
    expect(pathWorked(failedProof)).toBe(false);
    expect(pathWorked({ ...udp, gathered: true, proof: null })).toBe(false);
    const s = summarizeReport({ ...r, paths: r.paths.map((p) => (p.kind === 'turn-udp' ? failedProof : p)) });
    expect(s.transportsOk).toEqual(['stun', 'turns']);
    expect(s.tlsOnly).toBe(false);
  });

  it('two paths of one kind count once; a stun path counts when it gathered', () => {
    const r = sampleBrowserReport({ worked: ['turns'] });
    const turns = r.paths.find((p) => p.kind === 'turns');
    const stun = r.paths.find((p) => p.kind === 'stun');
    if (turns === undefined || stun === undefined) throw new Error('missing path');
    const paths = [{ ...turns, id: 'second-turns' }, ...r.paths, { ...stun, id: 'stun-2', gathered: true }];
    expect(summarizeReport({ ...r, paths }).transportsOk).toEqual(['stun', 'turns']);
  });
});
