import { randomBytes } from 'node:crypto';
import type { PathKind } from '../../report/browser-schema.js';
import { mintRestCredentials } from '../../wire/rest-credentials.js';
import type { IceConfig, IceServer, PathTarget } from '../api-schema.js';

/**
 * How the page gets credentials for one server's TURN URLs: none (STUN only), minted per request from a
 * TURN REST API shared secret (draft-uberti-behave-turn-rest-00 §2.2), or an operator's static user that
 * is meant to be shown to every visitor of the page.
 */
export type PageCredentials =
  | { kind: 'none' }
  | { kind: 'rest'; secret: string }
  | { kind: 'static'; username: string; password: string };

/** One URL of the path matrix: `stun:`, `turn:…?transport=udp|tcp` or `turns:` (RFC 7064/7065). */
export interface PageIceUrl {
  kind: PathKind;
  url: string;
  /** A TURN URL's relay port range (RFC 8656 §6.2), when known: the bundled server's `relayPorts`. */
  relayPorts?: { min: number; max: number };
}

/** A STUN/TURN server the page tests: its label, its URLs (one path each) and its credentials. */
export interface PageIceServer {
  /** `bundled`, or the host of a configured URL; `pathTargetSchema.server`. */
  label: string;
  urls: PageIceUrl[];
  credentials: PageCredentials;
}

/** Lifetime of minted TURN credentials, in s (coturn's and the REST draft's usual 10 minutes). */
export const DEFAULT_CREDENTIAL_TTL_S = 600;

/** Bytes of randomness in the user part of a minted username (`<expiry>:page-<base64url>`). */
const USER_ID_BYTES = 6;

/**
 * Builds the `GET /api/ice-servers` body (`iceConfigSchema`) for one visitor: every URL as a path target
 * with ids `<kind>-<n>` numbered per kind from 1 in the order given, and all of them in `iceServers`.
 * TURN credentials of a `rest` server are minted now, once per server, for a fresh random user
 * (`<expiry>:page-<8 base64url chars>`), so two requests never get the same pair; `static` ones are copied;
 * STUN URLs carry none. `credentialTtlS`/`expiresAt` describe the minted ones (the earliest expiry), or are
 * null when nothing was minted.
 * @param ttlS credential lifetime in s (> 0).
 * @param nowMs current time, ms since the epoch.
 * @throws RangeError when `ttlS` is not positive (from `mintRestCredentials`).
 */
export function buildIceConfig(
  servers: readonly PageIceServer[],
  ttlS: number,
  nowMs: number = Date.now(),
): IceConfig {
  const counts = new Map<PathKind, number>();
  const targets: PathTarget[] = [];
  let expiresAtS: number | null = null;
  for (const server of servers) {
    let turnAuth: { username: string; credential: string } | null = null;
    if (server.credentials.kind === 'rest') {
      const user = `page-${randomBytes(USER_ID_BYTES).toString('base64url')}`;
      const minted = mintRestCredentials(server.credentials.secret, user, ttlS, nowMs);
      turnAuth = { username: minted.username, credential: minted.password };
      expiresAtS = Math.min(expiresAtS ?? minted.expiresAtS, minted.expiresAtS);
    } else if (server.credentials.kind === 'static') {
      turnAuth = { username: server.credentials.username, credential: server.credentials.password };
    }
    for (const u of server.urls) {
      const n = (counts.get(u.kind) ?? 0) + 1;
      counts.set(u.kind, n);
      const iceServer: IceServer = { urls: u.url, ...(u.kind !== 'stun' && turnAuth) };
      targets.push({
        id: `${u.kind}-${n}`,
        kind: u.kind,
        server: server.label,
        iceServer,
        ...(u.relayPorts && { relayPorts: u.relayPorts }),
      });
    }
  }
  return {
    iceServers: targets.map((t) => t.iceServer),
    targets,
    credentialTtlS: expiresAtS === null ? null : ttlS,
    expiresAt: expiresAtS === null ? null : new Date(expiresAtS * 1000).toISOString(),
  };
}
