/**
 * `ice-doctor exporter` as users run it (the built dist/cli.js): a config error is one line and exit 2; a
 * running exporter answers /probe refusals in plain text (400, 403, 503 when every slot is busy), probes a
 * real STUN server (the bundled one, through its API) and a silent UDP port, and counts it all in /metrics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { type RunningStunServer, startStunServer } from '../../src/server/stun/server.js';

const dir = mkdtempSync(join(tmpdir(), 'exporter-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI to its end: exit code, stdout, stderr. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('exporter: configuration errors', () => {
  it('a bad config file: one line naming the file, key and accepted values, exit 2, no stack', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'modules:\n  a: { kind: http }\n');
    const r = await runCli(['exporter', '--config', file, '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `ice-doctor: ${file}: modules.a.kind: must be one of turn, stun, got "http"`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a missing --config and a bad --listen are usage errors (exit 2)', async () => {
    expect((await runCli(['exporter'])).code).toBe(2);
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'modules: { stun: { kind: stun } }\n');
    const r = await runCli(['exporter', '--config', file, '--listen', 'localhost']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--listen: must be HOST:PORT with a port 0–65535 (IPv6 in brackets), got 'localhost'",
    );
  });
});

describe('exporter: /probe and /metrics over HTTP', () => {
  let exporter: ChildProcess | undefined;
  let url = '';
  let stun: RunningStunServer | undefined;
  let silent: Socket | undefined;
  let silentPort = 0;

  beforeAll(async () => {
    stun = await startStunServer({ port: 0 });
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent!.bind(0, '127.0.0.1', resolve));
    silentPort = silent.address().port;
    const file = join(dir, 'exporter.yaml');
    writeFileSync(
      file,
      [
        'modules:',
        '  stun: { kind: stun, timeout: 5s }',
        '  turn_udp:',
        '    kind: turn',
        '    transport: udp',
        '    credentials: { user: alice, passwordEnv: EXPORTER_CLI_TEST_PW }',
        'allowedTargets: [127.0.0.1]',
        '',
      ].join('\n'),
    );
    exporter = spawn(
      process.execPath,
      [
        CLI_PATH,
        'exporter',
        '--config',
        file,
        '--listen',
        '127.0.0.1:0',
        '--max-concurrent',
        '1',
        '--max-queued',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXPORTER_CLI_TEST_PW: 'pw' } },
    );
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
      exporter!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (exporter && exporter.exitCode === null) {
      const exited = new Promise((r) => exporter!.once('exit', r));
      process.kill(exporter.pid!, 'SIGTERM');
      await exited;
    }
    silent?.close();
    await stun?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };
  const probe = (target: string, module: string, headers: Record<string, string> = {}) =>
    get(`/probe?target=${encodeURIComponent(target)}&module=${module}`, headers);

  it('refuses in plain text: no module, an unknown one, credentials in the target, a host not allowed, a bad header', async () => {
    expect(await get('/probe?target=127.0.0.1')).toMatchObject({
      status: 400,
      body: 'module: missing (one of: stun, turn_udp)\n',
    });
    expect((await probe('127.0.0.1', 'http')).body).toBe('module: unknown "http" (one of: stun, turn_udp)\n');
    const cred = await probe('turn:127.0.0.1:3478?transport=udp&password=pw', 'turn_udp');
    expect(cred.status).toBe(400);
    expect(cred.body).toContain('credentials are never taken from the target');
    expect(await probe('turn:10.0.0.1:3478', 'turn_udp')).toMatchObject({ status: 403 });
    const header = await probe('127.0.0.1', 'stun', { 'X-Prometheus-Scrape-Timeout-Seconds': 'soon' });
    expect(header.status).toBe(400);
    expect(header.type).toMatch(/^text\/plain/);
  });

  it('a STUN probe of a real server: probe_success 1 with an RTT, as Prometheus text', async () => {
    const r = await probe(`stun:127.0.0.1:${stun!.udp[0]!.port}`, 'stun', {
      'X-Prometheus-Scrape-Timeout-Seconds': '5',
    });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/^probe_success 1$/m);
    expect(r.body).toMatch(/^probe_stun_rtt_seconds\{transport="udp"\} \d/m);
  });

  it('a TURN probe of a silent port: probe_success 0, the failed step and the diagnosis (scrape timeout 3 s)', async () => {
    const r = await probe(`turn:127.0.0.1:${silentPort}`, 'turn_udp', {
      'X-Prometheus-Scrape-Timeout-Seconds': '3',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^probe_success 0$/m);
    expect(r.body).toMatch(
      /^probe_turn_diagnosis\{transport="udp",address="",code="[a-z-]+",severity="fail"\} 1$/m,
    );
    expect(r.body).toMatch(/^probe_turn_step_success\{transport="udp",address="",step="allocate"\} 0$/m);
  }, 20_000);

  it('with every slot busy (--max-concurrent 1, --max-queued 0) a second probe gets 503', async () => {
    const slow = probe(`turn:127.0.0.1:${silentPort}`, 'turn_udp', {
      'X-Prometheus-Scrape-Timeout-Seconds': '6',
    });
    const deadline = performance.now() + 15_000;
    while (performance.now() < deadline) {
      if (/^ice_doctor_exporter_probes_in_flight 1$/m.test((await get('/metrics')).body)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const busy = await probe(`stun:127.0.0.1:${stun!.udp[0]!.port}`, 'stun');
    expect(busy.status).toBe(503);
    expect(busy.body).toContain('--max-concurrent 1');
    expect((await slow).status).toBe(200);
  }, 30_000);

  it('/metrics counts probes by result and refusals by reason, with process metrics', async () => {
    const m = (await get('/metrics')).body;
    expect(m).toMatch(/^ice_doctor_exporter_probes_total\{module="stun",result="success"\} [1-9]/m);
    expect(m).toMatch(/^ice_doctor_exporter_probes_total\{module="turn_udp",result="failure"\} [1-9]/m);
    expect(m).toMatch(/^ice_doctor_exporter_probe_errors_total\{reason="bad-request"\} [4-9]/m);
    expect(m).toMatch(/^ice_doctor_exporter_probe_errors_total\{reason="forbidden-target"\} 1$/m);
    expect(m).toMatch(/^ice_doctor_exporter_probe_errors_total\{reason="busy"\} 1$/m);
    expect(m).toMatch(/^ice_doctor_exporter_max_concurrent 1$/m);
    expect(m).toMatch(/^process_cpu_seconds_total /m);
  });
});
