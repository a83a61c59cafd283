import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { SQLITE_FILE } from '../../src/store/open-sqlite.js';
import { openStore } from '../../src/store/open-store.js';
import { INVITE_KEY_SETTING } from '../../src/support-links/invite-token.js';

const root = mkdtempSync(join(tmpdir(), 'ice-doctor-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openStore({ dataDir }) on SQLite', () => {
  it('creates the directory 0700 and the file 0600, in WAL mode with foreign keys; reopening keeps data and key', async () => {
    const dir = join(root, 'fresh', 'data');
    const store = await openStore({ dataDir: dir });
    const file = join(dir, SQLITE_FILE);
    expect(store).toMatchObject({ kind: 'sqlite', description: file });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = await store.getSetting(INVITE_KEY_SETTING);
    await store.setSetting('public-base-url', 'https://turn.example.net');
    const peek = new Database(file, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(peek.prepare('select name from kysely_migration').all()).toEqual([{ name: '0001-initial' }]);
    peek.close();
    await store.close();
    await store.close();
    const again = await openStore({ dataDir: dir });
    expect(await again.getSetting(INVITE_KEY_SETTING)).toBe(key);
    expect(await again.getSetting('public-base-url')).toBe('https://turn.example.net');
    await again.close();
  });

  it('a data dir that is a file: ConfigError naming --data-dir and the reason', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const err = await openStore({ dataDir: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^--data-dir: cannot create the directory .*plain-file: .*EEXIST/);
  });

  it('a file that is not a database: ConfigError naming --data-dir and the file', async () => {
    const dir = join(root, 'garbage');
    mkdirSync(dir);
    writeFileSync(join(dir, SQLITE_FILE), 'this is not an SQLite database, just text '.repeat(200));
    const err = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`--data-dir: `);
    expect((err as Error).message).toContain(join(dir, SQLITE_FILE));
    expect((err as Error).message).toMatch(/not a database/);
  });
});
