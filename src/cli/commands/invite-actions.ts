import { ConfigError, UserError } from '../../errors.js';
import type { InviteRecord, Store } from '../../store/types.js';
import { createInviteLink, MAX_RUNS } from '../../support-links/create-invite.js';
import { INVITE_KEY_SETTING } from '../../support-links/invite-token.js';
import { PUBLIC_BASE_URL_SETTING } from '../../support-links/public-base-url.js';
import { parseDuration } from '../config/duration.js';
import { parseWhole } from '../config/flag-values.js';
import type { CreateFlags, ListFlags, RevokeFlags } from './invite.js';
import { withStore } from './with-store.js';

/** The library's field names as the CLI's flags. */
const FLAG_OF: Readonly<Record<string, string>> = {
  label: '--label',
  maxRuns: '--max-runs',
  expiresIn: '--expires',
  webhookUrl: '--webhook-url',
  baseUrl: '--base-url',
};

/** A `UserError('usage', 'field: …')` of createInviteLink said under the flag. */
function underFlag(err: unknown): unknown {
  if (!(err instanceof UserError)) return err;
  const m = /^(\w+): (.*)$/s.exec(err.message);
  const flag = m ? FLAG_OF[m[1]!] : undefined;
  return flag ? new ConfigError(`${flag}: ${m![2]}`) : err;
}

/** The state of an invite at `nowMs` in one word. */
function state(i: InviteRecord, nowMs: number): string {
  if (i.revokedAtMs !== null) return 'revoked';
  if (nowMs >= i.expiresAtMs) return 'expired';
  if (i.runsUsed >= i.maxRuns) return 'used-up';
  return 'open';
}

async function baseUrlOf(store: Store, given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const stored = await store.getSetting(PUBLIC_BASE_URL_SETTING);
  if (stored === null || stored === '')
    throw new ConfigError(
      '--base-url: no serve has run on this store yet to say its address; give --base-url https://host:port',
    );
  return stored;
}

/**
 * `invite create`: validates the flags (exit 2 naming the flag), creates the invite on the store and prints
 * its link on its own line (or, with `--json`, one object).
 */
export async function createInvite(flags: CreateFlags): Promise<void> {
  const expiresInMs = parseDuration(flags.expires, '--expires');
  const maxRuns = parseWhole('--max-runs', flags.maxRuns, { min: 1, max: MAX_RUNS });
  await withStore(flags, async (store) => {
    const key = await store.getSetting(INVITE_KEY_SETTING);
    if (key === null) throw new Error(`the store has no ${INVITE_KEY_SETTING}`);
    const created = await createInviteLink(
      { store, inviteKey: Buffer.from(key, 'base64url'), now: () => Date.now() },
      {
        label: flags.label ?? '',
        expiresInMs,
        maxRuns,
        collectIps: flags.ips,
        webhookUrl: flags.webhookUrl ?? null,
        createdBy: 'cli',
      },
      await baseUrlOf(store, flags.baseUrl),
    ).catch((err: unknown) => {
      throw underFlag(err);
    });
    const { invite } = created;
    if (flags.json) {
      const body = {
        id: invite.id,
        url: created.url,
        token: created.token,
        label: invite.label,
        expiresAt: new Date(invite.expiresAtMs).toISOString(),
        maxRuns: invite.maxRuns,
        collectIps: invite.collectIps,
        webhookUrl: invite.webhookUrl,
      };
      process.stdout.write(`${JSON.stringify(body)}\n`);
      return;
    }
    const runs = `${invite.maxRuns} run${invite.maxRuns === 1 ? '' : 's'}`;
    const ips = invite.collectIps ? 'IP addresses kept' : 'IP addresses removed';
    process.stdout.write(
      `Invite ${invite.id}${invite.label ? ` (${invite.label})` : ''}: ${runs}, until ${new Date(invite.expiresAtMs).toISOString()}, ${ips}.\n` +
        `${created.url}\n`,
    );
  });
}

/** `invite list`: the newest invites with their state (open, expired, used-up, revoked). */
export async function listInvites(flags: ListFlags): Promise<void> {
  const limit = parseWhole('--limit', flags.limit, { min: 1, max: 1000 });
  await withStore(flags, async (store) => {
    const nowMs = Date.now();
    const invites = await store.listInvites(limit, 0);
    if (flags.json) {
      const rows = invites.map((i) => ({
        id: i.id,
        label: i.label,
        state: state(i, nowMs),
        createdAt: new Date(i.createdAtMs).toISOString(),
        expiresAt: new Date(i.expiresAtMs).toISOString(),
        runsUsed: i.runsUsed,
        maxRuns: i.maxRuns,
        collectIps: i.collectIps,
        webhookUrl: i.webhookUrl,
        createdBy: i.createdBy,
      }));
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return;
    }
    if (invites.length === 0) {
      process.stdout.write('no invites yet\n');
      return;
    }
    const lines = invites.map(
      (i) =>
        `${i.id}  ${state(i, nowMs).padEnd(7)}  ${i.runsUsed}/${i.maxRuns} runs  until ${new Date(i.expiresAtMs).toISOString()}  ${JSON.stringify(i.label)}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** `invite revoke ID`: marks it revoked; an unknown id is a usage error (exit 2). */
export async function revokeInvite(id: string, flags: RevokeFlags): Promise<void> {
  await withStore(flags, async (store) => {
    if (!(await store.revokeInvite(id, Date.now())))
      throw new UserError('usage', `invite revoke: no invite with the id '${id}' (see invite list)`);
    process.stdout.write(
      flags.json ? `${JSON.stringify({ id, revoked: true })}\n` : `Invite ${id} revoked.\n`,
    );
  });
}
