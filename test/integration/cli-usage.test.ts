import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Issue 11 §6: usage mistakes get one line naming the flag (or variable) and the accepted values, then one
// line pointing at --help; exit 2; no raw validation phrasing, no stack, no 88 lines of help.

const run = promisify(execFile);
const CLI = 'dist/cli.js';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Phrases of zod's (and other validators') default messages that must never reach a user. */
const RAW_VALIDATION =
  /Too (big|small)|expected (number|string|array|boolean)|Invalid input|[<>]=|NaN|ZodError/;
const TURN = ['turn-check', 'turn:127.0.0.1', '--user', 'u', '--password', 'p'];
const SERVE = ['serve', '--port', '0', '--no-report'];

/** [arguments, environment, what the first line must name, the accepted range it must state (if any)]. */
const CASES: [string[], NodeJS.ProcessEnv, string, string | null][] = [
  [['--timeout', 'soon'], {}, '--timeout', '1–600000'],
  [['--timeout', '600001'], {}, '--timeout', '1–600000'],
  [['probe', '--timeout', '0', 'stun:127.0.0.1'], {}, '--timeout', '1–600000'],
  [['probe', '--lifetime', '--max-lifetime', '0', 'stun:127.0.0.1'], {}, '--max-lifetime', 'at most 3600'],
  [['probe', '--lifetime', '--max-lifetime', '3601', 'stun:127.0.0.1'], {}, '--max-lifetime', 'at most 3600'],
  [[...TURN, '--timeout', '1.5'], {}, '--timeout', '1–600000'],
  [[...TURN, '--rest-ttl', '0'], {}, '--rest-ttl', 'at most 3600'],
  [['serve', '--port', '70000'], {}, '--port', '0–65535'],
  [['serve', '--port', 'x'], {}, '--port', '0–65535'],
  [['serve', '--alt-port', '0'], {}, '--alt-port', '1–65535'],
  [[...SERVE, '--tls-port', '65536'], {}, '--tls-port', '0–65535'],
  [[...SERVE, '--metrics-port', 'nine'], {}, '--metrics-port', '0–65535'],
  [[...SERVE, '--allocation-lifetime', '0'], {}, '--allocation-lifetime', '1–999999999'],
  [[...SERVE, '--max-allocation-lifetime', 'x'], {}, '--max-allocation-lifetime', '1–999999999'],
  [[...SERVE, '--permission-lifetime', '0'], {}, '--permission-lifetime', '1–999999999'],
  [[...SERVE, '--channel-lifetime', '1e3'], {}, '--channel-lifetime', '1–999999999'],
  [[...SERVE, '--nonce-lifetime', '1.5'], {}, '--nonce-lifetime', '1–999999999'],
  [[...SERVE, '--auth-failure-limit', 'lots'], {}, '--auth-failure-limit', '0–999999999'],
  [[...SERVE, '--auth-block', '0'], {}, '--auth-block', '1–999999999'],
  [[...SERVE, '--user-quota', '0'], {}, '--user-quota', '1–999999999'],
  [[...SERVE, '--total-quota', '1000000000'], {}, '--total-quota', '1–999999999'],
  [[...SERVE, '--bandwidth', '999'], {}, '--bandwidth', '1000–999999999'],
  [['serve', '--port', '0', '--report-port', '70000'], {}, '--report-port', '0–65535'],
  [['serve', '--port', '0', '--report-https-port', 'x'], {}, '--report-https-port', '0–65535'],
  [[...SERVE, '--relay-ports', '10-20'], {}, '--relay-ports', '1024–65535'],
  [[...SERVE, '--listen', '127.0.0.1,127.0.0.2,127.0.0.3'], {}, '--listen', 'one or two'],
  [[...SERVE, '--listen', 'nope'], {}, '--listen', null],
  [[...SERVE, '--realm='], {}, '--realm', '1–763 bytes'],
  [[...SERVE, '--external-ip', 'nope'], {}, '--external-ip', null],
  [[...SERVE, '--allow-peer', '10.0.0.0/33'], {}, '--allow-peer', null],
  [[...SERVE, '--user', 'alice'], {}, '--user', null],
  [SERVE, { ICE_DOCTOR_LISTEN: 'nope' }, 'ICE_DOCTOR_LISTEN', null],
  [SERVE, { ICE_DOCTOR_RELAY_PORTS: '1-2' }, 'ICE_DOCTOR_RELAY_PORTS', '1024–65535'],
  [SERVE, { ICE_DOCTOR_EXTERNAL_IP: 'nope' }, 'ICE_DOCTOR_EXTERNAL_IP', null],
  [SERVE, { ICE_DOCTOR_REALM: '' }, 'ICE_DOCTOR_REALM', '1–763 bytes'],
  [['probe'], { ICE_DOCTOR_STUN_SERVERS: 'stun:ok.example,foo:1:2:3' }, 'ICE_DOCTOR_STUN_SERVERS', null],
  [[], { ICE_DOCTOR_STUN_SERVERS: 'stun:x.example:99999' }, 'ICE_DOCTOR_STUN_SERVERS', '1–65535'],
  [['probe', '--bogus'], {}, '--bogus', null],
  [['serve', '--port'], {}, '--port', null],
];

describe('usage errors: the flag, the accepted values, one line pointing at --help, exit 2', () => {
  it.each(CASES)('%j %j names %s', async (args, env, names, range) => {
    const r = await cli(args, env);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toContain(names);
    if (range !== null) expect(lines[0]).toContain(range);
    expect(lines[1]).toMatch(/^Run '.+ --help' for usage\.$/);
    expect(r.stderr).not.toMatch(RAW_VALIDATION);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});

describe('unknown commands and help [command]', () => {
  it.each([
    [['prob'], "unknown command 'prob'. Did you mean 'probe'?"],
    [['serv', '--port', '0'], "unknown command 'serv'. Did you mean 'serve'?"],
    [['turncheck', 'turn:x'], "unknown command 'turncheck'. Did you mean 'turn-check'?"],
    [['help', 'prob'], "unknown command 'prob'. Did you mean 'probe'?"],
    [
      ['frobnicate'],
      "unknown command 'frobnicate'. Commands: probe, serve, turn-check, exporter, lab, invite, admin, help.",
    ],
  ])('%j → %s, exit 2, one line pointing at --help', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `ice-doctor: ${message}`,
      expect.stringMatching(/^Run '.+ --help' for usage\.$/),
    ]);
  });

  it('help probe prints the help of probe, help alone the overview; exit 0', async () => {
    const probe = await cli(['help', 'probe']);
    expect(probe.code).toBe(0);
    expect(probe.stdout).toMatch(/Usage: .+ probe \[options\] \[url\.\.\.\]/);
    expect(probe.stdout).toMatch(/--max-lifetime/);
    const top = await cli(['help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/help \[command\]/);
    expect(top.stdout).toMatch(/turn-check/);
  });
});
