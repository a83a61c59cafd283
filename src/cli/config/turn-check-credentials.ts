import type { ResolvedTurnCredentials } from '../../client/turn-check/credentials.js';
import { ConfigError } from '../../errors.js';
import { mintRestCredentials } from '../../wire/rest-credentials.js';
import { DEFAULT_REST_TTL_S, DEFAULT_REST_USER } from './turn-check-defaults.js';

/** The credential flags of `turn-check`, as given (environment fallbacks applied by {@link credentialFlagsFromEnv}). */
export interface TurnCredentialFlags {
  user?: string;
  password?: string;
  authSecret?: string;
  /** The user part of a TURN REST username (`<expiry>:<restUser>`). */
  restUser?: string;
  /** Lifetime of minted REST credentials, in seconds. */
  restTtlS?: number;
}

/**
 * Picks the long-term credentials (RFC 8489 §9.2) of a check: `user` + `password` as given, or a TURN REST
 * username/password minted from `authSecret` (draft-uberti-behave-turn-rest-00 §2.2, coturn's
 * `use-auth-secret`) for `restUser`, valid `restTtlS` seconds from `nowMs`.
 * Environment fallbacks are the caller's: `ICE_DOCTOR_TURN_USER`, `ICE_DOCTOR_TURN_PASSWORD`,
 * `ICE_DOCTOR_TURN_SECRET` (see {@link credentialFlagsFromEnv}).
 * @throws ConfigError when neither or both kinds are given, or a password comes without a user.
 */
export function resolveTurnCredentials(
  flags: TurnCredentialFlags,
  nowMs: number = Date.now(),
): ResolvedTurnCredentials {
  const hasStatic = flags.user !== undefined || flags.password !== undefined;
  if (flags.authSecret !== undefined) {
    if (hasStatic) throw new ConfigError('give either --user/--password or --auth-secret, not both');
    if (flags.authSecret === '') throw new ConfigError('--auth-secret is empty');
    const minted = mintRestCredentials(
      flags.authSecret,
      flags.restUser ?? DEFAULT_REST_USER,
      flags.restTtlS ?? DEFAULT_REST_TTL_S,
      nowMs,
    );
    return { credentials: { username: minted.username, password: minted.password }, source: 'rest' };
  }
  if (flags.restUser !== undefined) throw new ConfigError('--rest-user needs --auth-secret');
  if (flags.user === undefined || flags.user === '')
    throw new ConfigError(
      'missing credentials: give --user and --password (or ICE_DOCTOR_TURN_USER and ICE_DOCTOR_TURN_PASSWORD), or --auth-secret (ICE_DOCTOR_TURN_SECRET, TURN REST)',
    );
  if (flags.password === undefined)
    throw new ConfigError(`missing --password for user "${flags.user}" (or ICE_DOCTOR_TURN_PASSWORD)`);
  return { credentials: { username: flags.user, password: flags.password }, source: 'long-term' };
}

/**
 * Fills credential flags left out from the environment (flags > environment):
 * `ICE_DOCTOR_TURN_USER`, `ICE_DOCTOR_TURN_PASSWORD`, `ICE_DOCTOR_TURN_SECRET` (an empty variable counts as
 * unset). The secret is taken only when no user or password flag is given, so a flag always wins over the
 * other kind in the environment.
 */
export function credentialFlagsFromEnv(
  flags: TurnCredentialFlags,
  env: NodeJS.ProcessEnv = process.env,
): TurnCredentialFlags {
  const staticGiven = flags.user !== undefined || flags.password !== undefined;
  const secretGiven = flags.authSecret !== undefined;
  const fromEnv = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  return {
    ...flags,
    user: flags.user ?? (secretGiven ? undefined : fromEnv('ICE_DOCTOR_TURN_USER')),
    password: flags.password ?? (secretGiven ? undefined : fromEnv('ICE_DOCTOR_TURN_PASSWORD')),
    authSecret: flags.authSecret ?? (staticGiven ? undefined : fromEnv('ICE_DOCTOR_TURN_SECRET')),
  };
}
