import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/report-schema.js';
import { diagnosisReportSchema, probeReportSchema } from '../../src/report/schema.js';

const run = promisify(execFile);
const CLI = 'dist/cli.js';

/** Runs the built CLI and returns its exit code and output (never rejects on a non-zero exit). */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = performance.now();
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr, ms: performance.now() - started };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: performance.now() - started };
  }
}

describe('ice-doctor CLI (built dist/cli.js)', () => {
  it('the main job, offline: one line about the public servers, a STUN and a TURN self-test, exit 0, within 5 s', async () => {
    const r = await cli(['--json'], {
      ICE_DOCTOR_STUN_SERVERS: 'stun:unreachable.invalid,stun:also-unreachable.invalid',
    });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
    const report = diagnosisReportSchema.parse(JSON.parse(r.stdout));
    expect(report.public).toBeNull();
    expect(report.publicUnreachable).toMatch(/DNS lookup failed for all 2/);
    // Each public server keeps its own reason although the public part is null.
    expect(report.publicReachability?.map((p) => [p.url, p.reachable, p.error])).toEqual([
      ['stun:unreachable.invalid:3478', false, 'unreachable.invalid: cannot resolve (ENOTFOUND)'],
      ['stun:also-unreachable.invalid:3478', false, 'also-unreachable.invalid: cannot resolve (ENOTFOUND)'],
    ]);
    expect(report.selfTest.probe).toMatchObject({
      udp: true,
      natPresent: false,
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      legacyNatType: 'open-internet',
    });
    const turn = report.selfTest.turn;
    expect(turn.targets.map((t) => t.transport)).toEqual(['udp', 'tcp', 'tls']);
    for (const t of turn.targets) {
      expect(t.ok, JSON.stringify(t.diagnoses)).toBe(true);
      expect(t.steps.find((s) => s.name === 'channel-data')?.status).toBe('ok');
    }
  });

  it('the main job prints human text with the offline line', async () => {
    const r = await cli([], { ICE_DOCTOR_STUN_SERVERS: 'stun:unreachable.invalid' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/public STUN servers are unreachable/);
    expect(r.stdout).toMatch(/Nothing is known about your network from this run/);
    expect(r.stdout).toMatch(
      /stun:unreachable\.invalid:3478 \(udp\): unreachable\.invalid: cannot resolve \(ENOTFOUND\)/,
    );
    // The self-test says what it is: a loopback test of the tool, not a verdict on the user's network.
    expect(r.stdout).toMatch(
      /Self-test of ice-doctor's bundled STUN\/TURN server over loopback \(127\.0\.0\.1:\d+/,
    );
    expect(r.stdout).toMatch(/it says nothing about your network/);
    expect(r.stdout).toMatch(/ok +STUN: .*RFC 3489 type open-internet: no NAT on loopback/);
    for (const t of ['UDP', 'TCP', 'TLS']) expect(r.stdout).toMatch(new RegExp(`ok +TURN over ${t}:`));
    // No line of the probe's headline verdict ("direct P2P works with any peer") about a loopback test.
    expect(r.stdout).not.toMatch(/direct P2P works/);
    // It ends by telling how to open the web report page.
    expect(r.stdout.trimEnd().split('\n').slice(-2).join('\n')).toMatch(
      /Run `.*ice-doctor.* serve`, then open the URL it prints .*\n.*report page/,
    );
  });

  it('probe --json gives one object that matches the schema and the contract of docs/ARCHITECTURE.md', async () => {
    const r = await cli(['probe', '--json', 'stun:127.0.0.1:9', '--timeout', '3000']);
    expect(r.code).toBe(1);
    const report = probeReportSchema.parse(JSON.parse(r.stdout));
    // The one schema over every kind of report (the page's export validates against it too).
    expect(reportSchema.parse(JSON.parse(r.stdout)).kind).toBe('probe');
    for (const key of [
      'udp',
      'publicAddress',
      'natPresent',
      'mapping',
      'filtering',
      'legacyNatType',
      'hairpinning',
      'tests',
      'durationMs',
    ]) {
      expect(report).toHaveProperty(key);
    }
    // Nothing listens there: the server is unreachable, which says nothing about UDP (issue 11 §2).
    expect(report).toMatchObject({ udp: null, udpStatus: 'server-unreachable', legacyNatType: null });
  });

  it('probe --json with a name that does not resolve: udp null, udpStatus dns-failed, exit 1', async () => {
    const r = await cli(['probe', '--json', 'stun:nosuch.invalid']);
    expect(r.code).toBe(1);
    expect(probeReportSchema.parse(JSON.parse(r.stdout))).toMatchObject({
      udp: null,
      udpStatus: 'dns-failed',
      legacyNatType: null,
    });
  });

  it('probe --servers-file: a missing file or a bad line is a usage error naming the flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servers-'));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '# mine\nstun:127.0.0.1:9\nturn:127.0.0.1\n');
    for (const [file, message] of [
      [join(dir, 'missing.txt'), /--servers-file .*missing\.txt: cannot read it \(ENOENT\)/],
      [bad, /--servers-file .*bad\.txt line 3: not a STUN URL/],
    ] as const) {
      const r = await cli(['probe', '--servers-file', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('an unresolvable server fails fast with a one-line reason and exit 1', async () => {
    const r = await cli(['probe', 'stun:no-such-host.invalid']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-host\.invalid: cannot resolve \(ENOTFOUND\)/);
    expect(r.ms).toBeLessThan(3000);
  });

  it.each([
    [
      ['probe', '--timeout', 'soon', 'stun:127.0.0.1'],
      /--timeout: must be a whole number of milliseconds \(1–600000\), got 'soon'/,
    ],
    [['probe', 'turn:127.0.0.1'], /not a STUN URL/],
    [['--no-such-flag'], /unknown option/],
  ])('usage errors exit 2 without a stack trace: %s', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a reader that closes the pipe early (`serve --help | head`) ends the CLI quietly: exit 0, no stack', async () => {
    const child = spawn('node', [CLI, 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('--help documents each command', async () => {
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/probe/);
    expect(top.stdout).toMatch(/serve/);
    const probe = await cli(['probe', '--help']);
    expect(probe.stdout).toMatch(/--json/);
    expect(probe.stdout).toMatch(/--hairpin/);
    expect(probe.stdout).toMatch(/--max-lifetime/);
  });
});
