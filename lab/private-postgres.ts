import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A private PostgreSQL for the store's tests and benchmark (Debian's postgresql 15): initdb into a
 * temp directory, trust authentication on a private unix socket directory and 127.0.0.1 on a free port,
 * started and stopped by PID. As root the server runs as the `postgres` user (`runuser -u postgres --`;
 * PostgreSQL refuses root), the directory chowned to it; otherwise as this user.
 */

/** Debian's PostgreSQL 15 binaries. */
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** How long the server may take to accept connections, and to stop, in ms. */
const READY_MS = 30_000;
const STOP_MS = 10_000;

const isRoot = process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Why a private PostgreSQL cannot run here, or null when it can (the binaries, and as root the `postgres` user). */
export function postgresUnavailable(): string | null {
  if (!existsSync(join(PG_BIN, 'postgres')) || !existsSync(join(PG_BIN, 'initdb')))
    return `no PostgreSQL 15 in ${PG_BIN}`;
  if (isRoot && postgresUser() === null)
    return 'running as root without a postgres user to run the server as';
  return null;
}

/** A running private PostgreSQL. */
export interface PrivatePostgres {
  /** The postmaster's PID. */
  readonly pid: number;
  readonly port: number;
  /**
   * Creates a fresh database and returns its URL on 127.0.0.1, with a password in it (trust auth ignores
   * it; tests use it to see that no description or error shows it).
   */
  createDatabase(name: string): Promise<string>;
  /** SIGINT (fast shutdown) by PID, SIGKILL after 10 s, then removes the temp directory. */
  stop(): Promise<void>;
}

/** A password placed in every URL {@link PrivatePostgres.createDatabase} returns. */
export const URL_PASSWORD = 'pw-s3cret-in-url';

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connectWhenReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log()}`);
    }
    await sleep(100);
  }
}

/**
 * Starts a private PostgreSQL (see the file's docstring); `settings` are extra `-c name=value` server
 * settings (e.g. `fsync: 'off'` for tests). Throws when it does not accept connections within 30 s.
 */
export async function startPostgres(settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'ice-doctor-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets);
  const owner = isRoot ? postgresUser() : null;
  if (owner !== null) for (const d of [dir, sockets]) chownSync(d, owner.uid, owner.gid);
  const [initCmd, initArgs] = asPostgres(join(PG_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const extra = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const [cmd, args] = asPostgres(join(PG_BIN, 'postgres'), [
    '-D',
    data,
    '-k',
    sockets,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-c',
    'max_connections=100',
    ...extra,
  ]);
  let log = '';
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await connectWhenReady(port, child, () => log);
  } catch (err) {
    if (child.pid !== undefined && alive(child.pid)) child.kill('SIGKILL');
    removeDir();
    throw err;
  }
  // The postmaster's own PID (under runuser, the child is runuser's watching parent).
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const admin = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 2 });
  admin.on('error', () => undefined);
  let stopped: Promise<void> | null = null;
  return {
    pid,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres:${URL_PASSWORD}@127.0.0.1:${port}/${name}`;
    },
    stop() {
      stopped ??= (async () => {
        await admin.end().catch(() => undefined);
        if (alive(pid)) process.kill(pid, 'SIGINT');
        const deadline = Date.now() + STOP_MS;
        while (alive(pid) && Date.now() < deadline) await sleep(50);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        const end = Date.now() + STOP_MS;
        while (child.exitCode === null && child.signalCode === null && Date.now() < end) await sleep(50);
        removeDir();
      })();
      return stopped;
    },
  };
}
