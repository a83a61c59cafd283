import type { BrowserReport } from '../../../report/browser-schema.js';
import type { IceConfig } from '../../api-schema.js';
import { hostPort } from '../address.js';

/**
 * The header's facts: the visitor's address as the report server's socket saw it (`/api/config`; no proxy
 * header is trusted), and how long the TURN credentials minted for this page stay valid
 * (draft-uberti-behave-turn-rest-00 §2.2).
 */

/** `14:05` in the browser's time zone. */
export function clockTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** The visitor line: `203.0.113.7:51234 (IPv4; …)`, or why it is not known. */
export function visitorText(visitor: BrowserReport['visitor']): string {
  if (!visitor) return 'not known (or hidden in this report)';
  return `${hostPort(visitor.address, visitor.port)} (${visitor.family}; through a proxy or VPN, this is the proxy's address)`;
}

/** The credentials line: minted ones with their lifetime and expiry, static ones, or none. */
export function credentialsText(ice: IceConfig): string {
  const turn = ice.targets.some((t) => t.kind !== 'stun');
  if (!turn) return 'none needed: no TURN server is configured';
  if (ice.credentialTtlS === null || ice.expiresAt === null)
    return "the operator's static TURN user (the same for every visitor)";
  const minutes = Math.round(ice.credentialTtlS / 60);
  const validity = minutes >= 1 ? `${minutes} min` : `${ice.credentialTtlS} s`;
  return `minted for you, valid ${validity}, until ${clockTime(new Date(ice.expiresAt))} (reload the page for fresh ones)`;
}
