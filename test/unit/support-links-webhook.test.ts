import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_WEBHOOK_ATTEMPTS, nextAttemptAt } from '../../src/support-links/webhook-dispatcher.js';
import { webhookBody } from '../../src/support-links/webhook-payload.js';
import { signWebhook, verifyWebhookSignature } from '../../src/support-links/webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY = '{"event":"report.collected","report":{"id":"x"},"body":{}}';
const NOW_S = 1_796_000_000;

describe('webhook signature', () => {
  it('is t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")> and verifies', () => {
    const header = signWebhook(SECRET, BODY, NOW_S);
    const mac = createHmac('sha256', SECRET).update(`${NOW_S}.${BODY}`).digest('hex');
    expect(header).toBe(`t=${NOW_S},v1=${mac}`);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW_S)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), NOW_S + 300)).toBe(true);
  });

  it('refuses another body, another secret, a time beyond the tolerance and malformed headers', () => {
    const header = signWebhook(SECRET, BODY, NOW_S);
    expect(verifyWebhookSignature(SECRET, header, `${BODY} `, NOW_S)).toBe(false);
    expect(verifyWebhookSignature('other-secret', header, BODY, NOW_S)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW_S + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW_S - 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW_S + 10, 5)).toBe(false);
    for (const bad of [
      undefined,
      '',
      header.replace(/v1=/, 'v0='),
      header.replace(/t=\d+/, 't=abc'),
      `${header},t=${NOW_S}`,
      header.slice(0, -2),
    ])
      expect(verifyWebhookSignature(SECRET, bad, BODY, NOW_S)).toBe(false);
  });

  it('accepts any matching v1 (a secret rotation signs twice)', () => {
    const old = signWebhook('old-secret', BODY, NOW_S).split(',')[1];
    const header = `${signWebhook(SECRET, BODY, NOW_S)},${old}`;
    expect(verifyWebhookSignature('old-secret', header, BODY, NOW_S)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW_S)).toBe(true);
  });
});

describe('webhook backoff', () => {
  it('waits 1 s, 2 s, 4 s … and gives up after 8 attempts', () => {
    const delays = Array.from({ length: MAX_WEBHOOK_ATTEMPTS }, (_, i) => nextAttemptAt(i + 1, 0));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, null]);
  });
});

describe('webhook body', () => {
  it('carries the summary with ISO times and the stored JSON byte for byte', () => {
    const stored = '{"kind":"browser","z":1,"a":"é"}';
    const body = webhookBody(
      {
        id: 'r'.repeat(22),
        inviteId: 'i'.repeat(22),
        label: 'ticket <b>42</b>',
        receivedAtMs: Date.UTC(2026, 11, 6, 5, 0, 0),
        startedAtMs: Date.UTC(2026, 11, 6, 4, 59, 58),
        sizeBytes: stored.length,
        verdict: 'direct',
        mapping: 'endpoint-independent',
        filtering: null,
        transportsOk: ['stun', 'turns'],
        relayNeeded: false,
        tlsOnly: false,
      },
      stored,
    );
    expect(body.endsWith(`"body":${stored}}`)).toBe(true);
    expect(JSON.parse(body)).toEqual({
      event: 'report.collected',
      report: {
        id: 'r'.repeat(22),
        inviteId: 'i'.repeat(22),
        label: 'ticket <b>42</b>',
        receivedAt: '2026-12-06T05:00:00.000Z',
        startedAt: '2026-12-06T04:59:58.000Z',
        verdict: 'direct',
        mapping: 'endpoint-independent',
        filtering: null,
        transportsOk: ['stun', 'turns'],
        relayNeeded: false,
        tlsOnly: false,
      },
      body: { kind: 'browser', z: 1, a: 'é' },
    });
  });
});
