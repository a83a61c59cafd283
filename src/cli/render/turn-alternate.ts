import type { TurnAlternate } from '../../report/turn-node-schema.js';
import { formatAddress } from '../../wire/address.js';

/** The redirect in words for the text report: `redirected by … (300 Try Alternate) to …; checked there`. */
export function alternateWords(a: TurnAlternate): string {
  const domain = a.domain ? ` (ALTERNATE-DOMAIN ${a.domain})` : '';
  const where = `${formatAddress(a.from)} answered Allocate with 300 Try Alternate to ${formatAddress(a.to)}${domain}`;
  if (!a.followed) return `${where}; not followed: ${a.why}`;
  const again = a.secondRedirect
    ? `, which redirected again to ${formatAddress(a.secondRedirect)} (not followed)`
    : '';
  return `${where}; the steps below ran there${again}`;
}
