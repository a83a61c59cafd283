import pc from 'picocolors';
import type { TurnTargetReport } from '../../report/schema.js';

/** `expires 2026-12-10 (5 days)`, yellow under 14 days, red once expired. */
function expiryWords(c: NonNullable<TurnTargetReport['certificate']>): string {
  const date = c.notAfter.slice(0, 10);
  if (c.daysLeft < 0) return pc.red(`expired ${date}`);
  const text = `expires ${date} (${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'})`;
  return c.daysLeft < 14 ? pc.yellow(text) : text;
}

/**
 * The `turns:` certificate audit of a target in one line (issue 15 §2): names, expiry, whether the host is
 * named, the chain, the TLS versions accepted and the browser's verdict; null without an audit.
 */
export function certificateLine(t: TurnTargetReport): string | null {
  const c = t.certificate;
  if (!c) return null;
  const names = c.subjectAltNames.length > 0 ? c.subjectAltNames.join(' ') : 'no subjectAltName';
  const host = c.hostMatches === false ? pc.red('host NOT named') : c.hostMatches ? 'host named' : null;
  const chain = c.chain === 'trusted' ? 'chain trusted' : pc.yellow(`chain ${c.chain}`);
  const versions = c.tlsVersions.length > 0 ? c.tlsVersions.join(' ') : 'no TLS version';
  const browser =
    c.browserAccepts === true
      ? pc.green('browsers accept it')
      : c.browserAccepts === false
        ? pc.red('browsers refuse it')
        : 'browsers: unknown';
  const parts = [names, expiryWords(c), host, chain, versions, browser].filter(
    (x): x is string => x !== null,
  );
  return `    certificate: ${parts.join(' · ')}${c.reason ? pc.dim(` (${c.reason})`) : ''}`;
}
