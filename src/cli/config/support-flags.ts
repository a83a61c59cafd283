import { readFileSync } from 'node:fs';
import { ConfigError, UserError } from '../../errors.js';
import { checkWebhookUrl } from '../../support-links/create-invite.js';
import { parseDuration } from './duration.js';

/** `serve --retention` when not given: 30 days, in ms. */
export const DEFAULT_RETENTION_MS = 30 * 86_400_000;

/** The support-link flags of `ice-doctor serve`, as commander hands them over. */
export interface SupportFlags {
  dataDir?: string;
  database?: string;
  retention?: string;
  scrubIps?: boolean;
  webhookUrl?: string;
  webhookSecretFile?: string;
}

/** Where the store is: a SQLite data directory or a PostgreSQL URL (src/store/open-store.ts `StoreLocation`). */
export type StoreFlagLocation = { readonly dataDir: string } | { readonly databaseUrl: string };

/** The support links' settings of `serve`. */
export interface SupportSettings {
  readonly location: StoreFlagLocation;
  /** Reports older than this are deleted, in ms; 0 keeps them. */
  readonly retentionMs: number;
  readonly scrubIps: boolean;
  readonly webhookUrl: string | null;
  /** The file holding the webhook HMAC key, or null (then no webhook is sent). */
  readonly webhookSecretFile: string | null;
}

/**
 * The store location of `--data-dir DIR` / `--database URL`, else `ICE_DOCTOR_DATA_DIR` /
 * `ICE_DOCTOR_DATABASE_URL`, or null when none is given (support links off).
 * @throws ConfigError when both are given, a value is empty, or the URL is not `postgres://`/`postgresql://`.
 */
export function storeLocation(
  flags: Pick<SupportFlags, 'dataDir' | 'database'>,
  env: NodeJS.ProcessEnv = process.env,
): StoreFlagLocation | null {
  const fromFlags = flags.dataDir !== undefined || flags.database !== undefined;
  const dataDir = fromFlags ? flags.dataDir : env.ICE_DOCTOR_DATA_DIR;
  const database = fromFlags ? flags.database : env.ICE_DOCTOR_DATABASE_URL;
  const [dirName, dbName] = fromFlags
    ? ['--data-dir', '--database']
    : ['ICE_DOCTOR_DATA_DIR', 'ICE_DOCTOR_DATABASE_URL'];
  if (dataDir !== undefined && database !== undefined)
    throw new ConfigError(`${dirName} and ${dbName}: give one store, SQLite or PostgreSQL, not both`);
  if (dataDir !== undefined) {
    if (dataDir.trim() === '') throw new ConfigError(`${dirName}: must be a directory, got ''`);
    return { dataDir };
  }
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(database))
      throw new ConfigError(`${dbName}: must be a postgres:// or postgresql:// URL`);
    return { databaseUrl: database };
  }
  return null;
}

/**
 * Parses the support-link flags of `serve`: null without a store (then none of the other support flags
 * may be given).
 * @param reportOn false with `--no-report` (support links live in the report page).
 * @throws ConfigError naming the flag: a bad store (see {@link storeLocation}), a bad `--retention`
 *   (`0` or a duration like `30d`), a `--webhook-url` that is not http(s), a webhook without
 *   `--webhook-secret-file`, a support flag without a store, a store with `--no-report`.
 */
export function parseSupportFlags(
  flags: SupportFlags,
  reportOn: boolean,
  env: NodeJS.ProcessEnv = process.env,
): SupportSettings | null {
  const location = storeLocation(flags, env);
  if (location === null) {
    const stray = (
      [
        ['--retention', flags.retention],
        ['--scrub-ips', flags.scrubIps],
        ['--webhook-url', flags.webhookUrl],
        ['--webhook-secret-file', flags.webhookSecretFile],
      ] as const
    ).find(([, v]) => v !== undefined && v !== false);
    if (stray)
      throw new ConfigError(`${stray[0]}: needs support links on: add --data-dir DIR or --database URL`);
    return null;
  }
  if (!reportOn)
    throw new ConfigError('--no-report: support links (--data-dir, --database) need the report page');
  const retention = flags.retention?.trim();
  const retentionMs =
    retention === undefined
      ? DEFAULT_RETENTION_MS
      : retention === '0'
        ? 0
        : parseDuration(retention, '--retention');
  let webhookUrl: string | null = null;
  try {
    webhookUrl = flags.webhookUrl === undefined ? null : checkWebhookUrl(flags.webhookUrl, '--webhook-url');
  } catch (err) {
    throw err instanceof UserError ? new ConfigError(err.message) : err;
  }
  if (webhookUrl !== null && flags.webhookSecretFile === undefined)
    throw new ConfigError(
      '--webhook-url: needs --webhook-secret-file FILE (the HMAC key that signs each POST)',
    );
  return {
    location,
    retentionMs,
    scrubIps: flags.scrubIps === true,
    webhookUrl,
    webhookSecretFile: flags.webhookSecretFile ?? null,
  };
}

/**
 * The webhook HMAC key from `--webhook-secret-file`: the file's content without surrounding white space,
 * at least 16 bytes.
 * @throws ConfigError naming `--webhook-secret-file` when it cannot be read or is too short.
 */
export function readWebhookSecret(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--webhook-secret-file: cannot read ${file}: ${(err as Error).message}`);
  }
  const secret = Buffer.from(text.trim(), 'utf8');
  if (secret.length < 16)
    throw new ConfigError(
      `--webhook-secret-file: ${file} must hold a secret of at least 16 bytes (e.g. openssl rand -hex 32)`,
    );
  return secret;
}
