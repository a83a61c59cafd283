import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 11 §3: a name whose DNS server never answers must not keep the process alive after the report.
// A network namespace whose /etc/resolv.conf (bind-mounted by `ip netns exec` from /etc/netns/<ns>/) points
// at 127.0.0.1, where a UDP socket swallows every query: the resolver is really slow, not mocked.

const CLI = 'dist/cli.js';
const NS = `icd-slowdns-${process.pid}`;
const NETNS_ETC = `/etc/netns/${NS}`;
/** Generous: a getaddrinfo left running (glibc: 5 s × 2 attempts) keeps the process ~8 s past the report. */
const EXIT_AFTER_REPORT_MS = 3000;

/** Root and a working `ip netns`: checked without creating anything (collecting tests, e.g. `vitest list`,
 * must leave no namespace behind). */
const available = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

/** Creates the namespace and its resolv.conf (in beforeAll; afterAll deletes both). @throws Error when a step fails. */
function setUpNamespace(): void {
  if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) throw new Error(`ip netns add ${NS} failed`);
  mkdirSync(NETNS_ETC, { recursive: true });
  writeFileSync(`${NETNS_ETC}/resolv.conf`, 'nameserver 127.0.0.1\n');
  if (spawnSync('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']).status !== 0)
    throw new Error(`cannot bring lo up in ${NS}`);
}

function inNamespace(args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', NS, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI in the namespace: its output, exit code, and ms from the first output to the exit. */
function runTimed(
  args: string[],
): Promise<{ code: number | null; stdout: string; exitAfterOutputMs: number }> {
  return new Promise((resolve, reject) => {
    const child = inNamespace([CLI, ...args]);
    let firstOutput: number | null = null;
    let stdout = '';
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const mark = (): void => {
      firstOutput ??= performance.now();
    };
    child.stdout?.on('data', (d: Buffer) => {
      mark();
      stdout += d.toString();
    });
    child.stderr?.on('data', mark);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, exitAfterOutputMs: performance.now() - (firstOutput ?? Number.NaN) });
    });
  });
}

/** Starts a child in the namespace and waits for its first stdout line. */
async function startLine(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = inNamespace(args);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output from ${args.join(' ')}`)), 20_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  return { child, line };
}

describe.skipIf(!available)('slow DNS (network namespace, swallowed queries)', () => {
  let swallower: ChildProcess | undefined;

  beforeAll(async () => {
    setUpNamespace();
    const started = await startLine([
      '-e',
      "const s=require('node:dgram').createSocket('udp4');s.on('message',()=>{});s.bind(53,'127.0.0.1',()=>console.log('ready'))",
    ]);
    swallower = started.child;
    expect(started.line).toBe('ready');
  });

  afterAll(() => {
    swallower?.kill();
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(NETNS_ETC, { recursive: true, force: true });
  });

  it('probe stun:slow.example reports the DNS timeout and exits right after the report', async () => {
    const r = await runTimed(['probe', '--json', '--timeout', '2000', 'stun:slow.example']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { reachability: { error?: string }[] };
    expect(report.reachability[0]?.error).toMatch(/slow\.example: cannot resolve \(DNS lookup timed out/);
    expect(r.exitAfterOutputMs).toBeLessThan(EXIT_AFTER_REPORT_MS);
  });

  it('turn-check turn:slow.example reports the DNS timeout and exits right after the report', async () => {
    const r = await runTimed([
      'turn-check',
      '--json',
      '--timeout',
      '2000',
      '--user',
      'u',
      '--password',
      'p',
      'turn:slow.example',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/slow\.example: cannot resolve \(DNS lookup timed out/);
    expect(r.exitAfterOutputMs).toBeLessThan(EXIT_AFTER_REPORT_MS);
  });

  it('the main job with --server stun:slow.example exits right after its report', async () => {
    const r = await runTimed(['--json', '--timeout', '2000', '--server', 'stun:slow.example']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { public: unknown; publicReachability: { error?: string }[] };
    expect(report.public).toBeNull();
    expect(report.publicReachability[0]?.error).toMatch(
      /slow\.example: cannot resolve \(DNS lookup timed out/,
    );
    expect(r.exitAfterOutputMs).toBeLessThan(EXIT_AFTER_REPORT_MS);
  });

  it('localhost still resolves (from /etc/hosts, without asking the silent DNS server)', async () => {
    const serve = 'serve --listen 127.0.0.1,127.0.0.2 --port 0 --no-tls --no-report --json';
    const { child, line } = await startLine([CLI, ...serve.split(' ')]);
    try {
      const port = (JSON.parse(line) as { udp: { port: number }[] }).udp[0]!.port;
      const r = await runTimed(['probe', '--json', '--timeout', '3000', `stun:localhost:${port}`]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { udp: boolean; reachability: { reachable: boolean }[] };
      expect(report.reachability[0]?.reachable).toBe(true);
      expect(r.exitAfterOutputMs).toBeLessThan(EXIT_AFTER_REPORT_MS);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
