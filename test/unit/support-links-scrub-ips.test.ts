import { describe, expect, it } from 'vitest';
import { browserReportSchema } from '../../src/report/browser-schema.js';
import { ownAddresses, REDACTED } from '../../src/report/redact-ips.js';
import { scrubReportIps } from '../../src/support-links/scrub-ips.js';
import { exportReport } from '../../src/web/page/report-export.js';
import { draft } from '../support/browser-report-draft.js';

/** The page's export of the recorded Chromium runs, addresses kept (what an invite that collects IPs stores). */
const withIps = () => exportReport(draft(), { redactIps: false, secrets: [] });

/** Every string of `value` outside `url` and `page` members. */
function freeStrings(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return key === 'url' || key === 'page' ? [] : [value];
  if (Array.isArray(value)) return value.flatMap((v) => freeStrings(v, key));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => freeStrings(v, k));
  return [];
}

describe('scrubReportIps', () => {
  it('removes every address of the visitor from a real report, fields and free text, and marks it', () => {
    const report = withIps();
    const own = [...ownAddresses(report)];
    expect(own.length).toBeGreaterThan(3);
    expect(report.verdict.facts.join(' ')).toContain(report.publicAddress!.address);
    const scrubbed = scrubReportIps(report);
    expect(browserReportSchema.parse(scrubbed)).toEqual(scrubbed);
    expect(scrubbed.redacted).toEqual({ credentials: true, ips: true });
    expect(scrubbed.visitor).toEqual({ ...report.visitor!, address: REDACTED });
    expect(scrubbed.publicAddress).toEqual({ ...report.publicAddress!, address: REDACTED });
    for (const c of scrubbed.candidates) {
      expect(c.address).toBe(REDACTED);
      expect(c.relatedAddress === null || c.relatedAddress === REDACTED).toBe(true);
    }
    expect(scrubbed.selectedPair!.localAddress).toBe(REDACTED);
    expect(scrubbed.selectedPair!.remoteAddress).toBe(REDACTED);
    expect(scrubbed.paths[0]!.proof!.selectedPair!.localAddress).toBe(REDACTED);
    const text = freeStrings(scrubbed);
    for (const address of own) expect(text.filter((s) => s.includes(address))).toEqual([]);
    expect(scrubbed.candidates.map((c) => [c.type, c.port])).toEqual(
      report.candidates.map((c) => [c.type, c.port]),
    );
  });

  it('stores exactly what the page exports with "remove IP addresses" (one rule, src/report/redact-ips.ts)', () => {
    const d = draft();
    expect(scrubReportIps(exportReport(d, { redactIps: false, secrets: [] }))).toEqual(
      exportReport(d, { redactIps: true, secrets: [] }),
    );
  });

  it('removes the address the upload came from even where the report does not list it as its own', () => {
    const report = { ...withIps(), visitor: null, publicAddress: null, candidates: [], candidateErrors: [] };
    const hidden = {
      ...report,
      verdict: { ...report.verdict, facts: ['seen from 198.51.100.77 and [2001:db8::77]:5000'] },
    };
    const scrubbed = scrubReportIps(hidden, ['198.51.100.77', '2001:db8::77']);
    expect(scrubbed.verdict.facts).toEqual([`seen from ${REDACTED} and [${REDACTED}]:5000`]);
    expect(scrubReportIps(hidden).verdict.facts).toEqual(hidden.verdict.facts);
  });

  it('does not change its input and leaves server URLs alone', () => {
    const report = withIps();
    const before = JSON.stringify(report);
    const scrubbed = scrubReportIps(report);
    expect(JSON.stringify(report)).toBe(before);
    expect(scrubbed.paths.map((p) => p.url)).toEqual(report.paths.map((p) => p.url));
    expect(scrubbed.page).toBe(report.page);
  });

  it('finds an IPv6 address in text in brackets, but not as part of a longer address', () => {
    const report = {
      ...withIps(),
      visitor: { address: '2001:db8::7', port: 40000, family: 'IPv6' as const },
    };
    const withText = {
      ...report,
      verdict: {
        ...report.verdict,
        facts: ['Seen from [2001:db8::7]:40000.', 'Another host 2001:db8::71 stays.'],
      },
    };
    const scrubbed = scrubReportIps(withText);
    expect(scrubbed.verdict.facts).toEqual([
      `Seen from [${REDACTED}]:40000.`,
      'Another host 2001:db8::71 stays.',
    ]);
    expect(scrubbed.visitor).toEqual({ address: REDACTED, port: 40000, family: 'IPv6' });
  });
});
