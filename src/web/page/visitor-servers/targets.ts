import type { PathKind } from '../../../report/browser-schema.js';
import type { IceConfig, IceServer, PathTarget } from '../../api-schema.js';
import { mintRestCredential } from './rest-mint.js';
import type { CheckedServer } from './validate.js';

/**
 * The visitor's checked servers (validate.ts) as path targets of the page's matrix, tested and proved like the
 * bundled ones: `server` label {@link VISITOR_LABEL}, ids `visitor-<kind>-<n>` numbered per kind from 1 in the
 * list's order (`visitor-turn-udp-1`), TURN credentials static or minted now from the shared secret
 * (rest-mint.ts). Also every string that must never appear in an export: usernames, credentials, secrets.
 */

/** `pathTargetSchema.server` of the visitor's targets (the operator's are `bundled` or a host). */
export const VISITOR_LABEL = 'visitor';

/** The visitor's targets and the strings to redact. */
export interface VisitorTargets {
  targets: PathTarget[];
  /** Usernames, credentials (static and minted) and shared secrets, for the export's redaction. */
  secrets: string[];
  /** Why an entry could not get a credential (WebCrypto missing …), `Server 2, shared secret: …`. */
  problems: string[];
}

/**
 * Builds the {@link VisitorTargets} of `servers`, minting REST credentials valid from `nowMs`.
 * Never rejects: an entry whose credential cannot be minted is left out with a problem.
 */
export async function visitorTargets(
  servers: readonly CheckedServer[],
  nowMs = Date.now(),
): Promise<VisitorTargets> {
  const counts = new Map<PathKind, number>();
  const out: VisitorTargets = { targets: [], secrets: [], problems: [] };
  for (const s of servers) {
    let iceServer: IceServer = { urls: s.url };
    if (s.auth.kind === 'static') {
      iceServer = { urls: s.url, username: s.auth.username, credential: s.auth.credential };
    } else if (s.auth.kind === 'rest') {
      out.secrets.push(s.auth.secret);
      try {
        const minted = await mintRestCredential(s.auth.secret, s.auth.user, s.auth.ttlS, nowMs);
        iceServer = { urls: s.url, username: minted.username, credential: minted.credential };
      } catch (err) {
        out.problems.push(
          `Server ${s.server}, shared secret: no credential could be minted (${err instanceof Error ? err.message : String(err)})`,
        );
        continue;
      }
    }
    if (iceServer.username) out.secrets.push(iceServer.username);
    if (iceServer.credential) out.secrets.push(iceServer.credential);
    const n = (counts.get(s.kind) ?? 0) + 1;
    counts.set(s.kind, n);
    out.targets.push({
      id: `${VISITOR_LABEL}-${s.kind}-${n}`,
      kind: s.kind,
      server: VISITOR_LABEL,
      iceServer,
    });
  }
  return out;
}

/**
 * `ice` (the server's `/api/ice-servers` answer) with the visitor's targets added after its own, their servers
 * in `iceServers` too (so the page's own call uses them). `credentialTtlS`/`expiresAt` stay the server's.
 */
export function withVisitorTargets(ice: IceConfig, targets: readonly PathTarget[]): IceConfig {
  return {
    ...ice,
    iceServers: [...ice.iceServers, ...targets.map((t) => t.iceServer)],
    targets: [...ice.targets, ...targets],
  };
}
