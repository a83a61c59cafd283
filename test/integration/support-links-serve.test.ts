import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { PUBLIC_BASE_URL_SETTING } from '../../src/support-links/public-base-url.js';

// `serve --data-dir`: the support links on in the real process, its start-up line, and the command that
// line tells the operator to run, run as printed (NAME replaced by a user name, the password piped).

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('serve --data-dir', () => {
  let dir: string;
  let serve: ChildProcess;
  let stdout = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ice-doctor-links-serve-'));
    writeFileSync(join(dir, 'webhook.key'), 'an hmac key of at least 16 bytes\n', { mode: 0o600 });
    serve = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--port',
        '0',
        '--listen',
        '127.0.0.1',
        '--data-dir',
        join(dir, 'data'),
        '--retention',
        '7d',
        '--webhook-url',
        'http://127.0.0.1:9/hook',
        '--webhook-secret-file',
        join(dir, 'webhook.key'),
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    serve.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    for (let i = 0; i < 200 && !stdout.includes('Serving until'); i += 1)
      await new Promise((r) => setTimeout(r, 100));
  }, 30_000);
  afterAll(async () => {
    if (serve.exitCode === null) {
      const exited = new Promise((r) => serve.once('exit', r));
      process.kill(serve.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('says where the store is and how to add a dashboard user; the printed command works', async () => {
    const line = stdout.split('\n').find((l) => l.includes('support links: on'));
    expect(line).toMatch(/support links: on \(SQLite .*ice-doctor\.sqlite\), 0 admin users — add one with `/);
    const command = /`([^`]+)`/.exec(line!)![1]!;
    expect(command).toMatch(/^npx ice-doctor admin add-user NAME --data-dir /);
    const added = spawnSync(
      'sh',
      ['-c', `printf 'pass-word-1234\\n' | ${command.replace(' NAME ', ' operator ')}`],
      {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(added.status, `${added.stderr} ${String(added.error)}`).toBe(0);
    expect(added.stderr).toBe('');
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      expect(await store.getAdmin('operator')).not.toBeNull();
      const base = await store.getSetting(PUBLIC_BASE_URL_SETTING);
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(stdout).toContain(`invite links: ${base}/i/<token>`);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('invite create without --base-url uses the address serve wrote', () => {
    const out = execFileSync(
      process.execPath,
      [CLI, 'invite', 'create', '--data-dir', join(dir, 'data'), '--json'],
      {
        encoding: 'utf8',
      },
    );
    const invite = JSON.parse(out) as { url: string };
    const base = /invite links: (\S+)\/i\/<token>/.exec(stdout)![1]!;
    expect(invite.url.startsWith(`${base}/i/`)).toBe(true);
  });

  it('stops on SIGTERM with exit 0, the store closed', async () => {
    const exited = new Promise<number | null>((r) => serve.once('exit', (code) => r(code)));
    process.kill(serve.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses support flags without a store, and a webhook without a secret, naming the flag (exit 2)', () => {
    for (const [args, message] of [
      [['--webhook-url', 'https://x.example/h'], '--webhook-url: needs support links on'],
      [
        ['--data-dir', dir, '--webhook-url', 'https://x.example/h'],
        '--webhook-url: needs --webhook-secret-file',
      ],
      [['--data-dir', dir, '--retention', '3w'], '--retention: use a number and a unit'],
      [['--data-dir', dir, '--database', 'postgres://x/y'], '--data-dir and --database'],
      [['--database', 'mysql://x/y'], '--database: must be a postgres://'],
      [['--data-dir', dir, '--no-report'], '--no-report: support links'],
    ] as const) {
      const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`ice-doctor: ${message}`);
    }
  }, 90_000);
});
