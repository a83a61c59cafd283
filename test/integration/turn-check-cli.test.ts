import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coturnAvailable } from '../../lab/coturn.js';
import { coturnForSuite } from '../../lab/coturn-turn.js';
import { turnCheckReportSchema } from '../../src/report/schema.js';
import { selfSignedCert } from '../support/self-signed.js';

/** Runs the built CLI (dist/cli.js, as users get it) to its end: exit code, output, wall time in ms. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const started = performance.now();
  const r = spawnSync('node', ['dist/cli.js', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

describe('ice-doctor turn-check: usage (built dist/cli.js)', () => {
  it('--help shows examples and the exit codes', () => {
    const r = cli(['turn-check', '--help']);
    expect(r.code).toBe(0);
    // The examples use the invocation that works from here (npx ice-doctor in the checkout).
    expect(r.stdout).toMatch(/Examples:\n {2}\S*.*ice-doctor turn-check turn:/);
    expect(r.stdout).toMatch(/--auth-secret/);
    expect(r.stdout).toMatch(/Exit status: 0 every check passed, 1 a check failed, 2 usage error/);
  });

  it.each([
    [
      ['turn-check', 'stun:example.org', '--user', 'a', '--password', 'b'],
      /not a TURN URL: "stun:example.org"/,
    ],
    [['turn-check', 'turn:example.org'], /missing credentials/],
    [['turn-check', 'turn:example.org', '--user', 'a'], /missing --password/],
    [['turn-check', 'turn:example.org', '--user', 'a', '--password', 'b', '--auth-secret', 's'], /not both/],
    [
      ['turn-check', 'turn:example.org', '--user', 'a', '--password', 'b', '--timeout', 'soon'],
      /--timeout: must be/,
    ],
    [
      ['turn-check', 'turns:example.org', '--user', 'a', '--password', 'b', '--ca', '/nonexistent/ca.pem'],
      /--ca \/nonexistent\/ca\.pem: cannot read it \(ENOENT\)/,
    ],
    [
      ['turn-check', 'turns:example.org', '--user', 'a', '--password', 'b', '--ca', 'package.json'],
      /--ca package\.json: no PEM certificate in it/,
    ],
  ])('%o: exit 2, one line on stderr and one pointing at --help, no stack, nothing sent', (args, message) => {
    const r = cli(args, {
      ICE_DOCTOR_TURN_USER: '',
      ICE_DOCTOR_TURN_PASSWORD: '',
      ICE_DOCTOR_TURN_SECRET: '',
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^Run '.+ turn-check --help' for usage\.$/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('a missing URL is a usage error (exit 2)', () => {
    const r = cli(['turn-check', '--user', 'a', '--password', 'b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'url'/);
  });
});

describe.skipIf(!coturnAvailable || !existsSync('/usr/bin/openssl'))(
  'ice-doctor turn-check against coturn (built dist/cli.js)',
  () => {
    const server = coturnForSuite(() => ({
      realm: 'cli.test',
      users: new Map([['alice', 'wonderland']]),
      allowLoopbackPeers: true,
      tls: selfSignedCert('localhost'),
    }));

    it('--json over UDP, TCP and TLS (--insecure): one schema-valid object, exit 0, quiet stderr', () => {
      const r = cli([
        'turn-check',
        '--json',
        '--insecure',
        `turn:127.0.0.1:${server().port}`,
        `turns:127.0.0.1:${server().tlsPort}`,
        '--user',
        'alice',
        '--password',
        'wonderland',
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const report = turnCheckReportSchema.parse(JSON.parse(r.stdout));
      expect(report.ok).toBe(true);
      expect(report.targets.map((t) => [t.transport, t.ok])).toEqual([
        ['udp', true],
        ['tcp', true],
        ['tls', true],
      ]);
      expect(report.targets[2]?.tlsVerified).toBe(false);
      expect(r.ms).toBeLessThan(4000);
    });

    it('credentials from the environment; a wrong password: exit 1 and the plain-language reason', () => {
      const r = cli(['turn-check', `turn:127.0.0.1:${server().port}?transport=tcp`], {
        ICE_DOCTOR_TURN_USER: 'alice',
        ICE_DOCTOR_TURN_PASSWORD: 'guess',
        NO_COLOR: '1',
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/1 of 1 TURN checks failed/);
      expect(r.stdout).toMatch(
        /wrong-credentials: Credentials refused: the server answered 401 [^\n]* to user "alice" in realm "cli.test"/,
      );
      expect(r.stdout).toMatch(/FAIL allocate/);
    });

    it('without --insecure the self-signed certificate fails the check (exit 1)', () => {
      const r = cli(
        ['turn-check', `turns:127.0.0.1:${server().tlsPort}`, '--user', 'alice', '--password', 'wonderland'],
        { NO_COLOR: '1' },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /tls-self-signed: TLS certificate problem at 127\.0\.0\.1:\d+: the TLS certificate is self-signed/,
      );
    });
  },
);
