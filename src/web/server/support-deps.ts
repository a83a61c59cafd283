import type { Logger } from 'pino';
import type { Store } from '../../store/types.js';

/**
 * What the report server's support-link routes (issue 17: `/i/:token`, `/api/invites/…`, `/admin…`) need;
 * present only when `serve` has a store (`--data-dir` or `--database`). Built by src/cli/commands/serve.ts.
 */
export interface SupportDeps {
  readonly store: Store;
  /** The invite-signing key (32 bytes, `INVITE_KEY_SETTING` in the store: the same on every server). */
  readonly inviteKey: Buffer;
  /** `--scrub-ips`: remove IP addresses from every report before it is stored, whatever the invite says. */
  readonly scrubIpsAlways: boolean;
  /** `--webhook-url`: every collected report is also POSTed here, or null. */
  readonly webhookUrl: string | null;
  /** The base of invite links, e.g. `https://support.example.org:8443` (no trailing slash). */
  readonly baseUrl: () => string;
  /** Epoch ms now (tests move it). */
  readonly now: () => number;
  readonly log: Logger;
}
