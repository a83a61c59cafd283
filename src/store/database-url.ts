import { ConfigError } from '../errors.js';

/** Query parameters of a PostgreSQL URL that carry secrets and never appear in a description. */
const SECRET_PARAMS = ['password', 'sslpassword'];

/**
 * Checks a `--database` URL (postgres:// or postgresql://, parsable as a URL with a host) and returns its
 * description without secrets: the password and any `password`/`sslpassword` query parameter removed.
 * Throws {@link ConfigError} naming `--database`; the message never repeats the URL (it may hold a
 * password), only its scheme when that is what is wrong.
 */
export function describeDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      '--database: not a URL; use postgres://USER:PASSWORD@HOST:5432/DATABASE (or postgresql://)',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new ConfigError(
      `--database: use a postgres:// or postgresql:// URL, got the scheme '${parsed.protocol}'`,
    );
  if (parsed.hostname === '')
    throw new ConfigError(
      '--database: the URL names no host; use postgres://USER:PASSWORD@HOST:5432/DATABASE',
    );
  parsed.password = '';
  for (const p of SECRET_PARAMS) parsed.searchParams.delete(p);
  return parsed.toString();
}

/** The password of a PostgreSQL URL (decoded) and its secret query parameters, to scrub from driver errors. */
export function urlSecrets(url: string): string[] {
  const parsed = new URL(url);
  const secrets = [parsed.password, decodeURIComponent(parsed.password)];
  for (const p of SECRET_PARAMS) secrets.push(...parsed.searchParams.getAll(p));
  return secrets.filter((s) => s !== '');
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.split(s).join('***'), text);
}
