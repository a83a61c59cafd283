/**
 * deploy/prometheus and deploy/grafana for `ice-doctor exporter`: Prometheus' own promtool accepts the scrape
 * config and the alert rules (skipped, counted, where Debian's prometheus package is not installed), and
 * every metric the rules and the dashboard name is one the exporter emits (src/exporter/probe-metrics.ts
 * and its own registry), so a renamed metric cannot leave a silent panel or an alert that never fires.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConcurrencyLimiter } from '../../src/exporter/limiter.js';
import { createExporterMetrics } from '../../src/exporter/own-metrics.js';
import { PROBE_METRICS } from '../../src/exporter/probe-metrics.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const PROMTOOL = '/usr/bin/promtool';
const RULES = `${DEPLOY}prometheus/ice-doctor-alerts.yml`;
const SCRAPE = `${DEPLOY}prometheus/prometheus.yml`;
const RULE_TESTS = `${DEPLOY}prometheus/ice-doctor-alerts.test.yml`;
const DASHBOARD = `${DEPLOY}grafana/ice-doctor-exporter.json`;

function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Every metric the exporter can emit: the probe's and its own (process metrics included). */
async function emitted(): Promise<Set<string>> {
  const own = createExporterMetrics(new ConcurrencyLimiter(1, 0)).registry;
  const names = (await own.getMetricsAsJSON()).map((m) => m.name);
  return new Set([...Object.keys(PROBE_METRICS), ...names]);
}

/** The exporter's metric names a PromQL expression uses (probe_… and ice_doctor_exporter_…). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(probe_[a-z0-9_]+|ice_doctor_exporter_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

/** Every `expr` string anywhere in a parsed JSON/YAML document. */
function exprs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(exprs);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'expr' && typeof v === 'string' ? [v] : exprs(v)));
}

describe.skipIf(!existsSync(PROMTOOL))('deploy/prometheus checked by promtool (Debian prometheus)', () => {
  it('promtool check rules accepts the alert rules', async () => {
    const { code, output } = await promtool('check', 'rules', RULES);
    expect(output).toContain('SUCCESS: 4 rules found');
    expect(code).toBe(0);
  });

  it('promtool test rules: each alert fires on the series that should fire it, and not before', async () => {
    const { code, output } = await promtool('test', 'rules', RULE_TESTS);
    expect(output, output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('promtool check config accepts the scrape config and the rules it loads', async () => {
    const { code, output } = await promtool('check', 'config', SCRAPE);
    expect(output).toContain('is valid prometheus config file syntax');
    expect(code).toBe(0);
  });

  it('promtool refuses a broken rule (the check can fail)', async () => {
    const dir = mkdtempSync(`${tmpdir()}/promtool-`);
    try {
      const bad = `${dir}/bad.yml`;
      writeFileSync(
        bad,
        readFileSync(RULES, 'utf8').replace('probe_success{job=~"turn.*|stun"} == 0', 'probe_success{ == 0'),
      );
      expect((await promtool('check', 'rules', bad)).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/: the rules and the dashboard name only metrics the exporter emits', () => {
  it('alert rules: probe failing, certificate under 14 days, relay unreachable from outside', async () => {
    const doc = parseYaml(readFileSync(RULES, 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'TurnProbeFailing',
        'TurnCertificateExpiringSoon',
        'TurnRelayUnreachableFromOutside',
      ]),
    );
    expect(rules.find((r) => r.alert === 'TurnCertificateExpiringSoon')?.expr).toContain('< 14');
    const known = await emitted();
    for (const e of exprs(doc)) for (const m of metricsIn(e)) expect(known, `${m} in ${e}`).toContain(m);
  });

  it('the Grafana dashboard parses and each panel queries emitted metrics', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string }[] };
    const all = exprs(dashboard);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    const used = new Set(all.flatMap(metricsIn));
    for (const m of [
      'probe_success',
      'probe_phase_duration_seconds',
      'probe_turn_relay_rtt_seconds',
      'probe_turn_relay_loss_ratio',
      'probe_tls_cert_expiry_timestamp_seconds',
      'probe_turn_relay_outside_ports_reachable',
    ])
      expect(used, m).toContain(m);
    const known = await emitted();
    for (const m of used) expect(known, m).toContain(m);
    const query = (dashboard as unknown as { templating: { list: { definition?: string }[] } }).templating
      .list;
    for (const t of query) for (const m of metricsIn(t.definition ?? '')) expect(known).toContain(m);
  });

  it('the scrape config hands target and module to /probe and keeps the target as instance', () => {
    const doc = parseYaml(readFileSync(SCRAPE, 'utf8')) as {
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        params?: { module: string[] };
        relabel_configs?: unknown[];
      }[];
    };
    const probes = doc.scrape_configs.filter((c) => c.metrics_path === '/probe');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    for (const c of probes) {
      expect(c.params?.module).toHaveLength(1);
      expect(JSON.stringify(c.relabel_configs)).toContain('"target_label":"__param_target"');
      expect(JSON.stringify(c.relabel_configs)).toContain('"target_label":"instance"');
    }
  });
});
