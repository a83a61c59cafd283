/**
 * The `/probe` metrics of a turn-check report (src/exporter/turn-metrics.ts) and of a STUN probe
 * (stun-probe.ts), read back from the Prometheus text: every value, unit and label, and what is left out
 * when a report lacks a field. The reports are built here and validated by `turnCheckReportSchema` first,
 * with the optional parts other checks fill (quality, certificate, outsideReach, node).
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PROBE_METRICS, ProbeGauges } from '../../src/exporter/probe-metrics.js';
import { writeStunMetrics } from '../../src/exporter/stun-probe.js';
import { writeTurnMetrics } from '../../src/exporter/turn-metrics.js';
import {
  type TurnCheckReport,
  type TurnTargetReport,
  turnCheckReportSchema,
} from '../../src/report/schema.js';

const SERVER = { address: '203.0.113.10', port: 5349, family: 'IPv4' as const };
const RELAYED = { address: '203.0.113.10', port: 50000, family: 'IPv4' as const };

/** A passing TLS target; `over` replaces or adds fields. */
function target(over: Partial<TurnTargetReport> = {}): TurnTargetReport {
  const step = (
    name: TurnTargetReport['steps'][number]['name'],
    durationMs: number | null,
    status = 'ok',
  ) => ({
    name,
    status: status as 'ok',
    durationMs,
    sent: 1,
    detail: '',
  });
  return {
    url: 'turns:turn.example.org:5349',
    transport: 'tls',
    server: SERVER,
    ok: true,
    credentials: 'rest',
    username: '1700000000:prometheus',
    realm: 'example.org',
    tlsVerified: true,
    relayedAddress: RELAYED,
    peerRelayedAddress: { ...RELAYED, port: 50002 },
    mappedAddress: { address: '198.51.100.7', port: 40000, family: 'IPv4' },
    lifetimeS: 600,
    relayFamilies: { IPv4: true, IPv6: false },
    steps: [
      step('resolve', 12),
      step('connect', 40),
      step('allocate', 25),
      step('peer-allocate', 24),
      step('create-permission', 10),
      step('send-indication', 5),
      step('channel-bind', 9),
      step('channel-data', 4),
      step('refresh', 8),
      step('delete', 7),
      step('family-allocate', null, 'skipped'),
    ],
    diagnoses: [],
    durationMs: 300,
    ...over,
  };
}

function report(targets: TurnTargetReport[], ok = targets.every((t) => t.ok)): TurnCheckReport {
  return turnCheckReportSchema.parse({
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'turn-check',
    startedAt: '2026-12-05T22:00:00.000Z',
    ok,
    summary: '',
    targets,
    durationMs: 320,
  });
}

/** The Prometheus text of a turn-check report's metrics. */
async function turnText(r: TurnCheckReport): Promise<string> {
  const registry = new Registry();
  writeTurnMetrics(new ProbeGauges(registry), r);
  return registry.metrics();
}

/** The value of `name{labels}` in `text` (labels as written by prom-client, in order), or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const TLS = 'transport="tls",address=""';

describe('exporter: turn-check report → /probe metrics', () => {
  it('a passing check: probe_success 1, every phase in seconds, steps by name, skipped steps left out', async () => {
    const text = await turnText(report([target()]));
    expect(value(text, 'probe_success')).toBe(1);
    expect(value(text, `probe_turn_target_success{${TLS}}`)).toBe(1);
    expect(value(text, `probe_ip_protocol{${TLS}}`)).toBe(4);
    const phases = {
      resolve: 0.012,
      connect: 0.04,
      allocate: 0.025,
      permission: 0.01,
      relay_send_indication: 0.005,
      channel: 0.009,
      relay_channel_data: 0.004,
      refresh: 0.008,
      delete: 0.007,
    };
    for (const [phase, seconds] of Object.entries(phases))
      expect(value(text, `probe_phase_duration_seconds{${TLS},phase="${phase}"}`)).toBeCloseTo(seconds, 9);
    expect(text).not.toContain('phase="peer');
    expect(value(text, `probe_turn_step_success{${TLS},step="peer-allocate"}`)).toBe(1);
    expect(text).not.toContain('step="family-allocate"');
    for (const absent of [
      'probe_turn_relay_rtt_seconds',
      'probe_turn_relay_loss_ratio',
      'probe_tls_cert_expiry_timestamp_seconds',
      'probe_turn_relay_outside_reachable',
      'probe_turn_diagnosis',
    ])
      expect(text, absent).not.toContain(absent);
  });

  it('a failing transport: probe_success 0, its failed step 0 and its diagnosis by code and severity', async () => {
    const bad = target({
      url: 'turn:turn.example.org:3478?transport=udp',
      transport: 'udp',
      ok: false,
      steps: [
        { name: 'resolve', status: 'ok', durationMs: 1, sent: 0, detail: '' },
        { name: 'allocate', status: 'fail', durationMs: 2750, sent: 4, detail: '' },
      ],
      diagnoses: [{ code: 'udp-silent', severity: 'fail', step: 'allocate', message: 'no reply' }],
    });
    const text = await turnText(report([bad, target()]));
    expect(value(text, 'probe_success')).toBe(0);
    expect(value(text, 'probe_turn_target_success{transport="udp",address=""}')).toBe(0);
    expect(value(text, `probe_turn_target_success{${TLS}}`)).toBe(1);
    expect(value(text, 'probe_turn_step_success{transport="udp",address="",step="allocate"}')).toBe(0);
    expect(
      value(text, 'probe_turn_diagnosis{transport="udp",address="",code="udp-silent",severity="fail"}'),
    ).toBe(1);
  });

  it('no target at all is not a success, even if the report says ok', async () => {
    expect(value(await turnText(report([], true)), 'probe_success')).toBe(0);
  });

  it('quality: RTT quantiles in seconds, loss as a ratio, jitter, largest datagram; nulls left out', async () => {
    const quality = {
      sent: 50,
      received: 48,
      lossPercent: 4,
      rttMs: { p50: 20, p90: 35, p99: 80, min: 18, max: 90 },
      jitterMs: 3,
      intervalMs: 20,
      durationMs: 1000,
      maxDatagramBytes: 1400,
      datagramSizes: [
        { bytes: 1400, ok: true },
        { bytes: 1500, ok: false },
      ],
      reason: null,
    };
    const text = await turnText(report([target({ quality })]));
    expect(value(text, `probe_turn_relay_rtt_seconds{${TLS},quantile="0.5"}`)).toBeCloseTo(0.02, 9);
    expect(value(text, `probe_turn_relay_rtt_seconds{${TLS},quantile="0.9"}`)).toBeCloseTo(0.035, 9);
    expect(value(text, `probe_turn_relay_rtt_seconds{${TLS},quantile="0.99"}`)).toBeCloseTo(0.08, 9);
    expect(value(text, `probe_turn_relay_loss_ratio{${TLS}}`)).toBeCloseTo(0.04, 9);
    expect(value(text, `probe_turn_relay_jitter_seconds{${TLS}}`)).toBeCloseTo(0.003, 9);
    expect(value(text, `probe_turn_relay_max_datagram_bytes{${TLS}}`)).toBe(1400);

    const nothing = {
      ...quality,
      received: 0,
      lossPercent: null,
      rttMs: null,
      jitterMs: null,
      maxDatagramBytes: null,
    };
    const empty = await turnText(
      report([target({ quality: { ...nothing, reason: 'the relay did not carry data' } })]),
    );
    expect(empty).not.toContain('probe_turn_relay_');
  });

  it('certificate: notAfter as a Unix timestamp, host match, browser verdict, chain and versions', async () => {
    const certificate = {
      subjectAltNames: ['DNS:turn.example.org'],
      notAfter: '2027-01-01T00:00:00.000Z',
      daysLeft: 26,
      hostMatches: true,
      chain: 'trusted' as const,
      tlsVersions: ['TLSv1.2' as const, 'TLSv1.3' as const],
      browserAccepts: null,
      reason: 'TLS 1.0 could not be tried',
    };
    const text = await turnText(report([target({ certificate })]));
    expect(value(text, `probe_tls_cert_expiry_timestamp_seconds{${TLS}}`)).toBe(1798761600);
    expect(value(text, `probe_tls_cert_host_matches{${TLS}}`)).toBe(1);
    expect(text).not.toContain('probe_tls_browser_accepts{');
    expect(value(text, `probe_tls_cert_chain_info{${TLS},chain="trusted"}`)).toBe(1);
    expect(value(text, `probe_tls_version_info{${TLS},version="TLSv1.3"}`)).toBe(1);
    const refused = await turnText(
      report([target({ certificate: { ...certificate, hostMatches: false, browserAccepts: false } })]),
    );
    expect(value(refused, `probe_tls_cert_host_matches{${TLS}}`)).toBe(0);
    expect(value(refused, `probe_tls_browser_accepts{${TLS}}`)).toBe(0);
  });

  it('outside reach: ports tried and reachable; reachable 0 for closed, no verdict metric when null', async () => {
    const port = (p: number, ok: boolean) => ({
      relayed: { ...RELAYED, port: p },
      inbound: ok,
      outbound: ok,
    });
    const reach = (verdict: 'reachable' | 'closed' | null, ok: boolean) => ({
      peerAddress: { address: '198.51.100.7', port: 40000, family: 'IPv4' as const },
      ports: [port(50000, ok), port(55000, ok), port(60000, ok)],
      reachable: ok ? 3 : 0,
      verdict,
      reason: verdict === null ? 'the outside peer is on the same host as the server' : null,
    });
    const open = await turnText(report([target({ outsideReach: reach('reachable', true) })]));
    expect(value(open, `probe_turn_relay_outside_reachable{${TLS}}`)).toBe(1);
    expect(value(open, `probe_turn_relay_outside_ports_tried{${TLS}}`)).toBe(3);
    expect(value(open, `probe_turn_relay_outside_ports_reachable{${TLS}}`)).toBe(3);
    expect(value(open, `probe_turn_relay_outside_verdict{${TLS},verdict="reachable"}`)).toBe(1);

    const closed = await turnText(report([target({ outsideReach: reach('closed', false) })]));
    expect(value(closed, `probe_turn_relay_outside_reachable{${TLS}}`)).toBe(0);
    expect(value(closed, `probe_turn_relay_outside_ports_reachable{${TLS}}`)).toBe(0);
    expect(value(closed, `probe_turn_relay_outside_verdict{${TLS},verdict="closed"}`)).toBe(1);

    const unknown = await turnText(report([target({ outsideReach: reach(null, false) })]));
    expect(unknown).not.toContain('probe_turn_relay_outside_reachable{');
    expect(unknown).not.toContain('probe_turn_relay_outside_verdict{');
  });

  it('two addresses of one name (node) are two series, labelled by address', async () => {
    const node = (address: string) => ({
      host: 'turn.example.org',
      address,
      addresses: ['203.0.113.10', '203.0.113.11'],
      rttMs: 12,
    });
    const text = await turnText(
      report(
        [target({ node: node('203.0.113.10') }), target({ node: node('203.0.113.11'), ok: false })],
        false,
      ),
    );
    expect(value(text, 'probe_turn_target_success{transport="tls",address="203.0.113.10"}')).toBe(1);
    expect(value(text, 'probe_turn_target_success{transport="tls",address="203.0.113.11"}')).toBe(0);
  });

  it('every metric written has a spec (PROBE_METRICS) and every spec has help text', async () => {
    const registry = new Registry();
    const g = new ProbeGauges(registry);
    writeTurnMetrics(g, report([target()]));
    for (const m of await registry.getMetricsAsJSON()) expect(Object.keys(PROBE_METRICS)).toContain(m.name);
    for (const spec of Object.values(PROBE_METRICS)) expect(spec.help.length).toBeGreaterThan(10);
  });
});

describe('exporter: STUN probe → /probe metrics', () => {
  async function stunText(r: Parameters<typeof writeStunMetrics>[1]): Promise<string> {
    const registry = new Registry();
    writeStunMetrics(new ProbeGauges(registry), r);
    return registry.metrics();
  }

  it('an answer: success 1, RTT and resolve time in seconds, requests sent', async () => {
    const text = await stunText({
      transport: 'udp',
      resolveMs: 3,
      family: 'IPv6',
      ok: true,
      rttMs: 25,
      sent: 2,
      failure: null,
    });
    expect(value(text, 'probe_success')).toBe(1);
    expect(value(text, 'probe_stun_rtt_seconds{transport="udp"}')).toBeCloseTo(0.025, 9);
    expect(value(text, 'probe_stun_requests_sent{transport="udp"}')).toBe(2);
    expect(value(text, 'probe_ip_protocol{transport="udp",address=""}')).toBe(6);
    expect(
      value(text, 'probe_phase_duration_seconds{transport="udp",address="",phase="resolve"}'),
    ).toBeCloseTo(0.003, 9);
  });

  it('silence or a failed lookup: success 0, no RTT, no IP protocol without an address', async () => {
    const text = await stunText({
      transport: 'tcp',
      resolveMs: 2000,
      family: null,
      ok: false,
      rttMs: null,
      sent: 0,
      failure: 'ENOTFOUND',
    });
    expect(value(text, 'probe_success')).toBe(0);
    expect(text).not.toContain('probe_stun_rtt_seconds{');
    expect(text).not.toContain('probe_ip_protocol{');
  });
});
