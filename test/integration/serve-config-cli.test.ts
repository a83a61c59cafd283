/**
 * `ice-doctor serve --config FILE` as users run it, the built CLI (`npm run build`, which `npm test` runs
 * first) as a child process: `--print-config` prints the merged settings (YAML, or JSON with --json) with
 * secrets masked and exits 0 without binding anything; a served `--json` line shows the file's settings
 * under a flag that beats one of them; a bad key exits 2 with one line naming the file and the key.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

/** The built CLI, as users get it. */
const CLI = 'dist/cli.js';
const SECRET = 'file-Rest-Secret-0123456789';
const PASSWORD = 'file-Password-42';
const started: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-serve-config-'));

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) process.kill(c.pid!, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const FILE = configFile(
  'serve.yaml',
  [
    '# a commented config file, as operators write them',
    'listen: [127.0.0.1, 127.0.0.2]',
    'port: 0',
    'realm: file.example',
    `auth-secret: [${SECRET}]`,
    `user: ["alice:${PASSWORD}"]`,
    'relay-ports: 49620-49640',
    'tls: false',
    'report: false',
    '',
  ].join('\n'),
);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function serve(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return child;
}

/** Runs `serve <args>` to its end. */
function ran(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = serve(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Holds a TCP port on 127.0.0.1 (picked by the kernel) until `release`. */
function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve) => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1', () => {
      const { port } = holder.address() as { port: number };
      resolve({ port, release: () => new Promise((done) => holder.close(() => done())) });
    });
  });
}

describe('ice-doctor serve --config', () => {
  it('--print-config prints the merged settings as YAML, secrets masked, binds nothing and exits 0', async () => {
    const r = await ran(['--config', FILE, '--print-config', '--realm', 'flag.example'], {
      ICE_DOCTOR_RELAY_PORTS: '49700-49710',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const secret of [SECRET, PASSWORD]) expect(r.stdout).not.toContain(secret);
    const printed = parseYaml(r.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      listen: ['127.0.0.1', '127.0.0.2'],
      port: 0,
      realm: 'flag.example',
      'relay-ports': '49700-49710',
      'auth-secret': ['****'],
      user: ['alice:****'],
      tls: false,
      report: false,
    });
    // Its port held by someone else: serve would exit 2 (address in use); --print-config never binds it.
    const held = await holdPort();
    try {
      const pinned = configFile('pinned.yaml', `listen: [127.0.0.1]\nport: ${held.port}\n`);
      const fixed = await ran(['--config', pinned, '--print-config', '--report-port', String(held.port)]);
      expect(fixed.code, fixed.stderr).toBe(0);
      const start = await ran(['--config', pinned, '--no-report', '--no-tls']);
      expect(start.code).toBe(2);
    } finally {
      await held.release();
    }
  });

  it('--print-config --json prints one JSON line of the same settings', async () => {
    const r = await ran(['--config', FILE, '--print-config', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      realm: 'file.example',
      'relay-ports': '49620-49640',
      'auth-secret': ['****'],
    });
    expect(r.stdout).not.toContain(SECRET);
  });

  it('serves with the file settings under the flags given: the --json line and a SIGTERM exit 0', async () => {
    const child = serve(['--config', FILE, '--json', '--realm', 'flag.example']);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no line within 20 s')), 20_000);
        createInterface({ input: child.stdout! }).once('line', (l) => {
          clearTimeout(timer);
          resolve(l);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
      });
      const served = JSON.parse(line) as {
        udp: { address: string; port: number }[];
        turn: { realm: string; usernames: string[]; authSecrets: number; relay: { ports: unknown }[] };
        report: unknown;
      };
      expect(served.udp[0]!.address).toBe('127.0.0.1');
      expect(served.udp[0]!.port).toBeGreaterThan(0);
      expect(served.turn).toMatchObject({ realm: 'flag.example', usernames: ['alice'], authSecrets: 1 });
      expect(served.turn.relay[0]!.ports).toEqual({ min: 49620, max: 49640 });
      expect(served.report).toBeNull();
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(PASSWORD);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });

  it('an unknown key or a bad value exits 2 with one line naming the file and the key', async () => {
    const unknown = configFile('unknown.yaml', 'port: 0\nlisten-port: 3478\n');
    const bad = configFile('bad.yaml', 'port: 0\nrelay-ports: 10-20\n');
    const a = await ran(['--config', unknown, '--print-config']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(
      new RegExp(`^ice-doctor: ${unknown}: unknown key 'listen-port' \\(the keys are`),
    );
    expect(a.stderr).not.toMatch(/\n\s+at /);
    const b = await ran(['--config', bad], { ICE_DOCTOR_CONFIG: unknown });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      new RegExp(`^ice-doctor: ${bad}: relay-ports: '10-20' is not a range like 49160-49200`),
    );
  });
});
