/**
 * The dashboard's request checks that need no server: the report filter's query (report-query.ts: ISO dates
 * and date-times, `to` through the end of a date, refusals in words), the session cookie reader and the
 * same-origin rule of the CSRF check (csrf.ts `sameOrigin`: Origin first, else Sec-Fetch-Site).
 */
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { sameOrigin } from '../../src/web/admin/server/csrf.js';
import { listQuerySchema, toReportFilter } from '../../src/web/admin/server/report-query.js';
import { readCookie } from '../../src/web/admin/server/session-cookie.js';

const parse = (query: Record<string, unknown>) => listQuerySchema.safeParse(query);

describe('dashboard report filter query', () => {
  it('turns dates and date-times into epoch ms, a date-only `to` through the end of that UTC day', () => {
    const q = parse({
      from: '2026-12-01',
      to: '2026-12-05',
      label: 'acme',
      mapping: 'unknown',
      verdict: 'direct',
    });
    expect(q.success).toBe(true);
    expect(toReportFilter(q.data!)).toEqual({
      filter: {
        fromMs: Date.UTC(2026, 11, 1),
        toMs: Date.UTC(2026, 11, 6),
        labelContains: 'acme',
        mapping: 'unknown',
        verdict: 'direct',
      },
    });
    const t = parse({ from: '2026-12-01T10:00:00+02:00', to: '2026-12-01T12:00:00Z' });
    expect(toReportFilter(t.data!)).toEqual({
      filter: { fromMs: Date.UTC(2026, 11, 1, 8), toMs: Date.UTC(2026, 11, 1, 12) },
    });
    expect(parse({}).data).toEqual({ limit: 50 });
    expect(toReportFilter({ label: '' })).toEqual({ filter: {} });
  });

  it('refuses what is not a filter, naming the parameter', () => {
    const bad: Record<string, unknown>[] = [
      { from: '2026-13-01' },
      { to: 'today' },
      { limit: '0' },
      { limit: '1.5' },
      { mapping: 'symmetric' },
      { verdict: 'Direct!' },
      { invite: 'x'.repeat(23) },
      { label: 'x'.repeat(201) },
      { cursor: '' },
      { sort: 'asc' },
      { verdict: ['a', 'b'] },
    ];
    for (const query of bad) {
      const r = parse(query);
      expect(r.success, JSON.stringify(query)).toBe(false);
      expect(r.error!.issues[0]!.path.join('.') || r.error!.issues[0]!.message).toMatch(
        new RegExp(Object.keys(query)[0]!),
      );
    }
    expect(toReportFilter({ from: '2026-12-02', to: '2026-12-01' })).toEqual({
      message: 'from (2026-12-02) must be before to (2026-12-01)',
    });
  });
});

describe('dashboard session cookie and same-origin rule', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; ice_doctor_admin=abc; b=2', 'ice_doctor_admin')).toBe('abc');
    expect(readCookie('xice_doctor_admin=abc', 'ice_doctor_admin')).toBeNull();
    expect(readCookie('ice_doctor_admin=first; ice_doctor_admin=second', 'ice_doctor_admin')).toBe('first');
    expect(readCookie(undefined, 'ice_doctor_admin')).toBeNull();
  });

  const req = (headers: Record<string, string>, secure = false) =>
    ({ headers, secure }) as unknown as Request;

  it('is same-origin only for this scheme, host and port (Origin first, else Sec-Fetch-Site)', () => {
    const host = { host: 'support.example.org:8080' };
    expect(sameOrigin(req({ ...host, origin: 'http://support.example.org:8080' }))).toBe(true);
    expect(sameOrigin(req({ ...host, origin: 'https://support.example.org:8080' }))).toBe(false);
    expect(sameOrigin(req({ ...host, origin: 'http://support.example.org:8081' }))).toBe(false);
    expect(sameOrigin(req({ ...host, origin: 'http://evil.example' }))).toBe(false);
    expect(sameOrigin(req({ ...host, origin: 'null' }))).toBe(false);
    expect(
      sameOrigin(req({ host: 'support.example.org', origin: 'https://support.example.org' }, true)),
    ).toBe(true);
    expect(
      sameOrigin(req({ host: 'support.example.org:443', origin: 'https://support.example.org' }, true)),
    ).toBe(true);
    expect(sameOrigin(req({ ...host, 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(sameOrigin(req({ ...host, 'sec-fetch-site': 'same-site' }))).toBe(false);
    expect(sameOrigin(req({ ...host, origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' }))).toBe(
      false,
    );
    expect(sameOrigin(req(host))).toBe(false);
  });
});
