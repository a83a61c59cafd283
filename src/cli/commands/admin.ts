import type { Command } from 'commander';
import { withInvocation } from '../examples.js';
import { DATA_DIR_HELP, DATABASE_HELP, type StoreCommandFlags } from './with-store.js';

/** `admin add-user`'s flags as commander hands them over. */
export interface AddUserFlags extends StoreCommandFlags {
  passwordFile?: string;
  json?: boolean;
}

/** `admin remove-user`'s flags. */
export interface RemoveUserFlags extends StoreCommandFlags {
  json?: boolean;
}

/**
 * `ice-doctor admin add-user NAME` / `admin remove-user NAME`: the users of the `/admin` dashboard on the store
 * of `serve --data-dir` / `--database`. The password comes from `--password-file FILE`, from stdin when it
 * is not a terminal (one line), or is asked twice on the terminal without echo; it is stored as an scrypt hash only. Adding an existing user sets
 * a new password. The work is loaded with import() (admin-actions.ts). Usage errors: exit 2 naming the flag.
 */
export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description('users of the /admin dashboard (the store of serve --data-dir/--database)');
  admin
    .command('add-user')
    .description('add a dashboard user, or set a new password for one')
    .argument('<name>', 'user name: 1–64 letters, digits, . _ @ -')
    .option(
      '--password-file <file>',
      'file holding the password (≥ 8 characters); default: stdin when piped, else asked on the terminal',
    )
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--database <url>', DATABASE_HELP)
    .option('--json', 'print {username, created}')
    .addHelpText(
      'after',
      withInvocation(
        [
          '',
          'Examples:',
          '  ice-doctor admin add-user alice --password-file alice.pw --data-dir /var/lib/ice-doctor',
          '  printf %s "$PASSWORD" | ice-doctor admin add-user alice --data-dir /var/lib/ice-doctor',
        ].join('\n'),
      ),
    )
    .action(async (name: string, flags: AddUserFlags) => {
      const { addUser } = await import('./admin-actions.js');
      await addUser(name, flags);
    });
  admin
    .command('remove-user')
    .description('remove a dashboard user')
    .argument('<name>', 'user name')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--database <url>', DATABASE_HELP)
    .option('--json', 'print {username, removed: true}')
    .action(async (name: string, flags: RemoveUserFlags) => {
      const { removeUser } = await import('./admin-actions.js');
      await removeUser(name, flags);
    });
}
