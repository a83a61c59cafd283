import { readFileSync } from 'node:fs';
import { ConfigError, UserError } from '../../errors.js';
import { hashPassword } from '../../web/admin/server/password.js';
import type { AddUserFlags, RemoveUserFlags } from './admin.js';
import { promptHidden } from './prompt-hidden.js';
import { withStore } from './with-store.js';

/** Accepted dashboard user names. */
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** Password length bounds, in characters. */
const MIN_PASSWORD_CHARS = 8;
const MAX_PASSWORD_CHARS = 1024;

function checkName(name: string): void {
  if (!USERNAME.test(name))
    throw new UserError(
      'usage',
      `admin: the user name must be 1–64 letters, digits, '.', '_', '@' or '-', got '${name}'`,
    );
}

/** stdin read whole (a pipe or file), as UTF-8. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_PASSWORD_CHARS * 4)
      throw new UserError('usage', 'admin add-user: stdin holds more than a password');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The password of `add-user`: `--password-file`'s content, else stdin when it is not a terminal (one
 * trailing line break removed), else asked twice on the terminal without echo.
 * @throws UserError `usage` naming `--password-file`: unreadable, too short or long, two typed passwords that differ.
 */
async function readPassword(flags: AddUserFlags): Promise<string> {
  let text: string;
  if (flags.passwordFile !== undefined) {
    try {
      text = readFileSync(flags.passwordFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`--password-file: cannot read ${flags.passwordFile}: ${(err as Error).message}`);
    }
  } else if (process.stdin.isTTY) {
    text = await promptHidden('Password: ');
    if ((await promptHidden('Again: ')) !== text)
      throw new ConfigError('--password-file: the two passwords differ; nothing was changed');
  } else text = await readStdin();
  const password = text.replace(/\r?\n$/, '');
  const source = flags.passwordFile === undefined ? 'the password on stdin' : '--password-file';
  if (password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS)
    throw new ConfigError(
      `${source}: the password must have ${MIN_PASSWORD_CHARS}–${MAX_PASSWORD_CHARS} characters, got ${password.length}`,
    );
  return password;
}

/** `admin add-user NAME`: stores the scrypt hash of the password (a new user, or a new password). */
export async function addUser(name: string, flags: AddUserFlags): Promise<void> {
  checkName(name);
  const password = await readPassword(flags);
  const passwordHash = await hashPassword(password);
  await withStore(flags, async (store) => {
    const existing = await store.getAdmin(name);
    await store.putAdmin({ username: name, passwordHash, createdAtMs: existing?.createdAtMs ?? Date.now() });
    const created = existing === null;
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ username: name, created })}\n`
        : `Dashboard user ${name} ${created ? 'added' : 'now has a new password'}.\n`,
    );
  });
}

/** `admin remove-user NAME`: an unknown name is a usage error (exit 2). */
export async function removeUser(name: string, flags: RemoveUserFlags): Promise<void> {
  checkName(name);
  await withStore(flags, async (store) => {
    if (!(await store.deleteAdmin(name)))
      throw new UserError('usage', `admin remove-user: no dashboard user '${name}'`);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ username: name, removed: true })}\n`
        : `Dashboard user ${name} removed.\n`,
    );
  });
}
