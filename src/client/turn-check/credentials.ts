import type { TurnCredentials } from './auth-dance.js';

/**
 * The long-term credentials (RFC 8489 §9.2) a check uses and where they came from: a static user and
 * password (`long-term`), or a TURN REST username and password minted from a shared secret (`rest`,
 * draft-uberti-behave-turn-rest-00 §2.2). The CLI picks them from its flags and ICE_DOCTOR_TURN_*
 * (src/cli/config/turn-check-credentials.ts); an API caller builds one.
 */
export interface ResolvedTurnCredentials {
  credentials: TurnCredentials;
  source: 'long-term' | 'rest';
}
