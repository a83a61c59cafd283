import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { reportSchema } from '../../src/report/report-schema.js';
import { exportReport, REDACTED } from '../../src/web/page/report-export.js';
import {
  decodeShareFragment,
  encodeShareFragment,
  MAX_FRAGMENT_CHARS,
  ShareLinkError,
} from '../../src/web/page/share-link.js';
import { SHARE_PREFIX } from '../../src/web/page/share-prefix.js';
import { draft, TURN_PASS, TURN_USER, UDP_URL } from '../support/browser-report-draft.js';

describe('exportReport', () => {
  it('validates, sets the constant fields, and never carries credentials', () => {
    const withExtra = {
      ...draft(),
      iceServers: [{ urls: UDP_URL, username: TURN_USER, credential: TURN_PASS }],
    };
    const r = exportReport(withExtra, { redactIps: false, secrets: [TURN_USER, TURN_PASS, 'u'] });
    expect(reportSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      schemaVersion: 1,
      tool: 'ice-doctor',
      kind: 'browser',
      redacted: { credentials: true, ips: false },
    });
    const json = JSON.stringify(r);
    expect(json).not.toContain(TURN_PASS);
    expect(json).not.toContain('alice');
    expect(json).not.toContain('iceServers');
    expect(r.paths[0]!.url).toBe(UDP_URL);
    expect(r.paths[0]!.error).toBe(`allocation as ${REDACTED} with ${REDACTED} took long`);
    expect(r.signaling[0]!.url).toBe('ws://100.64.90.1:8080/signal');
    // A one-letter user name is replaced only as a whole token: 'turn:' and 'udp' stay intact.
    expect(r.candidates[0]!.url).toBe(UDP_URL);
    expect(r.candidates[0]!.address).toBe('100.64.90.1');
  });

  it('redacts the addresses on request, keeping types, ports and families; URLs keep their host', () => {
    const d = draft();
    const r = exportReport(d, { redactIps: true, secrets: [] });
    expect(r.redacted).toEqual({ credentials: true, ips: true });
    for (const c of r.candidates) {
      expect(c.address).toBe(REDACTED);
      expect(c.relatedAddress === null || c.relatedAddress === REDACTED).toBe(true);
    }
    expect(r.candidates.map((c) => [c.type, c.port])).toEqual(d.candidates.map((c) => [c.type, c.port]));
    expect(r.candidateErrors.every((e) => e.address === REDACTED)).toBe(true);
    expect(r.publicAddress).toEqual({ address: REDACTED, port: d.publicAddress!.port, family: 'IPv4' });
    expect(r.visitor).toEqual({ address: REDACTED, port: 51234, family: 'IPv4' });
    expect(r.selectedPair).toMatchObject({
      localAddress: REDACTED,
      remoteAddress: REDACTED,
      localPort: d.selectedPair!.localPort,
    });
    expect(r.paths[0]!.proof!.selectedPair!.localAddress).toBe(REDACTED);
    expect(r.paths[0]!.url).toBe(UDP_URL);
    expect(r.page).toBe('http://100.64.90.1:8080');
    const free = JSON.stringify([r.reasons, r.verdict, r.candidateErrors.map((e) => e.explanation)]);
    expect(d.verdict.facts.join(' ')).toContain('Public address: 100.64.90.1');
    expect(free).not.toContain('100.64.90.1');
    expect(r.verdict.facts).toContain(`Public address: ${REDACTED} port ${d.publicAddress!.port}`);
    expect(JSON.stringify(r)).not.toContain('.local');
  });

  it('throws on a draft that does not fit the schema', () => {
    expect(() =>
      exportReport(
        { ...draft(), durationMs: 'long' as unknown as number },
        { redactIps: false, secrets: [] },
      ),
    ).toThrow(ZodError);
  });
});

describe('share link', () => {
  const report = exportReport(draft(), { redactIps: true, secrets: [] });
  const fragmentOf = (bytes: Uint8Array): string => SHARE_PREFIX + Buffer.from(bytes).toString('base64url');

  it('round-trips through #report= (with or without the #)', async () => {
    const fragment = await encodeShareFragment(report);
    expect(fragment.startsWith('#report=')).toBe(true);
    expect(fragment).toMatch(/^#report=[A-Za-z0-9_-]+$/);
    expect(fragment.length).toBeLessThan(JSON.stringify(report).length / 2);
    expect(await decodeShareFragment(fragment)).toEqual(report);
    expect(await decodeShareFragment(fragment.slice(1))).toEqual(report);
  });

  it('is raw DEFLATE of the JSON, readable by zlib', async () => {
    const fragment = await encodeShareFragment(report);
    const { inflateRawSync } = await import('node:zlib');
    const json = inflateRawSync(Buffer.from(fragment.slice(SHARE_PREFIX.length), 'base64url')).toString(
      'utf8',
    );
    expect(JSON.parse(json)).toEqual(report);
  });

  it('refuses a report too large for a link', async () => {
    const big = {
      ...report,
      verdict: { ...report.verdict, facts: [randomBytes(40_000).toString('base64')] },
    };
    await expect(encodeShareFragment(big)).rejects.toMatchObject({
      name: 'ShareLinkError',
      code: 'share-too-large',
    });
  });

  it.each<[string, () => string, string]>([
    ['no #report=', () => '#other=abc', 'share-not-a-link'],
    ['over the length limit', () => SHARE_PREFIX + 'A'.repeat(MAX_FRAGMENT_CHARS), 'share-too-large'],
    ['not base64url', () => `${SHARE_PREFIX}abc$def`, 'share-bad-encoding'],
    [
      'not raw DEFLATE',
      () => fragmentOf(Buffer.from('just some bytes, not deflate at all')),
      'share-bad-encoding',
    ],
    ['a deflate bomb', () => fragmentOf(deflateRawSync(Buffer.alloc(2_000_000, 32))), 'share-too-large'],
    ['not JSON', () => fragmentOf(deflateRawSync(Buffer.from('{not json'))), 'share-bad-json'],
    [
      'not a report',
      () => fragmentOf(deflateRawSync(Buffer.from('{"kind":"browser"}'))),
      'share-invalid-report',
    ],
    [
      'a report of another kind',
      () =>
        fragmentOf(
          deflateRawSync(
            Buffer.from(
              JSON.stringify({
                schemaVersion: 1,
                tool: 'ice-doctor',
                kind: 'turn-check',
                startedAt: '',
                ok: true,
                summary: '',
                targets: [],
                durationMs: 1,
              }),
            ),
          ),
        ),
      'share-invalid-report',
    ],
  ])('rejects %s', async (_name, fragment, code) => {
    const error = await decodeShareFragment(fragment()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareLinkError);
    expect(error).toMatchObject({ code });
  });
});
