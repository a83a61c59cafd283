import type { Command } from 'commander';
import { withInvocation } from '../examples.js';
import { DATA_DIR_HELP, DATABASE_HELP, type StoreCommandFlags } from './with-store.js';

/** `invite create`'s flags as commander hands them over. */
export interface CreateFlags extends StoreCommandFlags {
  label?: string;
  expires: string;
  maxRuns: string;
  ips: boolean;
  webhookUrl?: string;
  baseUrl?: string;
  json?: boolean;
}

/** `invite list`'s flags. */
export interface ListFlags extends StoreCommandFlags {
  limit: string;
  json?: boolean;
}

/** `invite revoke`'s flags. */
export interface RevokeFlags extends StoreCommandFlags {
  json?: boolean;
}

const storeOptions = (c: Command): Command =>
  c.option('--data-dir <dir>', DATA_DIR_HELP).option('--database <url>', DATABASE_HELP);

/**
 * `ice-doctor invite create|list|revoke`: support links on the store of `serve --data-dir` / `--database`.
 * `create` prints the link on its own line (`--json`: one object `{id, url, token, label, expiresAt,
 * maxRuns, collectIps, webhookUrl}`); `list` the invites, newest first, with their state; `revoke ID` closes
 * one. The work is loaded with import() (invite-actions.ts). Usage errors (a bad `--expires`, `--max-runs`,
 * `--webhook-url`, `--base-url`, no store): exit 2 naming the flag.
 */
export function registerInvite(program: Command): void {
  const invite = program
    .command('invite')
    .description('support links: create, list and revoke invites (the store of serve --data-dir/--database)');
  storeOptions(
    invite
      .command('create')
      .description('create a support link and print it')
      .option('--label <text>', 'ticket number or customer, shown on the dashboard (≤ 200 characters)', '')
      .option('--expires <duration>', 'how long the link works: 90s, 30m, 12h, 7d (1m–365d)', '7d')
      .option('--max-runs <n>', 'how many reports the link accepts (1–1000)', '1')
      .option('--no-ips', "remove IP addresses from this link's reports before they are stored")
      .option('--webhook-url <url>', "also POST this link's reports to this http(s) URL (HMAC-signed)")
      .option(
        '--base-url <url>',
        'the report page as visitors reach it (default: what serve wrote at start)',
      ),
  )
    .option('--json', 'print the invite as one JSON object')
    .addHelpText(
      'after',
      withInvocation(
        [
          '',
          'Examples:',
          '  ice-doctor invite create --label "ticket 4711" --expires 7d --max-runs 3 --data-dir /var/lib/ice-doctor',
          '  ice-doctor invite create --label acme --no-ips --base-url https://support.example.org:8443 --database postgres://ice@db/ice',
        ].join('\n'),
      ),
    )
    .action(async (flags: CreateFlags) => {
      const { createInvite } = await import('./invite-actions.js');
      await createInvite(flags);
    });
  storeOptions(
    invite
      .command('list')
      .description('list invites, newest first')
      .option('--limit <n>', 'how many (1–1000)', '50'),
  )
    .option('--json', 'print one JSON array')
    .action(async (flags: ListFlags) => {
      const { listInvites } = await import('./invite-actions.js');
      await listInvites(flags);
    });
  storeOptions(
    invite
      .command('revoke')
      .description('close an invite: its link takes no more reports')
      .argument('<id>', 'the invite id'),
  )
    .option('--json', 'print {id, revoked: true}')
    .action(async (id: string, flags: RevokeFlags) => {
      const { revokeInvite } = await import('./invite-actions.js');
      await revokeInvite(id, flags);
    });
}
