import type { Logger } from 'pino';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/types.js';
import { INVITE_KEY_SETTING } from '../../support-links/invite-token.js';
import { inviteBaseUrl, PUBLIC_BASE_URL_SETTING } from '../../support-links/public-base-url.js';
import { startRetention } from '../../support-links/retention.js';
import { startWebhookDispatcher } from '../../support-links/webhook-dispatcher.js';
import type { RunningReportServer } from '../../web/server/report-server.js';
import type { SupportDeps } from '../../web/server/support-deps.js';
import { readWebhookSecret, type SupportSettings } from '../config/support-flags.js';
import { shellWord } from '../invocation.js';

/** The support links of one `serve`, between opening the store and closing it. */
export interface ServeSupport {
  /** For the report server (`startBundledReport`'s `support`). */
  readonly deps: SupportDeps;
  /** Writes `public-base-url`, starts the webhook dispatcher and the retention sweep. */
  started(report: RunningReportServer): Promise<SupportSummary>;
  /** Stops the dispatcher and the sweep, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** What serve's start-up text says about the support links. */
export interface SupportSummary {
  /** `SQLite /var/lib/ice-doctor/ice-doctor.sqlite` or `PostgreSQL db.example.org/ice`. */
  readonly where: string;
  readonly admins: number;
  /** The command that adds a dashboard user, with the store's flag, as the user can paste it. */
  readonly addUser: string;
  /** The invite links' base. */
  readonly baseUrl: string;
}

/** The store flag of the printed commands: `--data-dir DIR`, or `--database URL` without its password. */
function storeFlag(settings: SupportSettings, store: Store): string {
  if ('dataDir' in settings.location) return `--data-dir ${shellWord(settings.location.dataDir)}`;
  return `--database ${shellWord(store.description)}`;
}

/**
 * Opens the support links' store for `serve` (`openStore`: SQLite under `--data-dir`, or PostgreSQL), reads
 * the invite-signing key and `--webhook-secret-file`, and builds the report server's {@link SupportDeps}.
 * @param invocation how to run the CLI from the user's shell (src/cli/invocation.ts), for printed commands.
 * @throws ConfigError naming `--data-dir`, `--database` or `--webhook-secret-file`.
 */
export async function openServeSupport(
  settings: SupportSettings,
  log: Logger,
  invocation: string,
): Promise<ServeSupport> {
  const secret = settings.webhookSecretFile === null ? null : readWebhookSecret(settings.webhookSecretFile);
  const store = await openStore(settings.location);
  let baseUrl = '';
  let stop: (() => Promise<void>)[] = [];
  try {
    const key = await store.getSetting(INVITE_KEY_SETTING);
    if (key === null) throw new Error(`the store has no ${INVITE_KEY_SETTING}`);
    const deps: SupportDeps = {
      store,
      inviteKey: Buffer.from(key, 'base64url'),
      scrubIpsAlways: settings.scrubIps,
      webhookUrl: settings.webhookUrl,
      baseUrl: () => baseUrl,
      now: () => Date.now(),
      log,
    };
    let closing: Promise<void> | undefined;
    return {
      deps,
      async started(report) {
        baseUrl = inviteBaseUrl(report) ?? '';
        await store.setSetting(PUBLIC_BASE_URL_SETTING, baseUrl);
        const retention = startRetention({ store, retentionMs: settings.retentionMs, now: deps.now, log });
        stop = [() => retention.close()];
        if (secret !== null) {
          const dispatcher = startWebhookDispatcher({ store, secret, now: deps.now, log });
          stop.push(() => dispatcher.close());
        } else log.info('no --webhook-secret-file: webhooks of invites are queued, not sent');
        return {
          where: `${store.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${store.description}`,
          admins: await store.countAdmins(),
          addUser: `${invocation} admin add-user NAME ${storeFlag(settings, store)}`,
          baseUrl,
        };
      },
      close() {
        closing ??= (async () => {
          await Promise.all(stop.map((f) => f()));
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
