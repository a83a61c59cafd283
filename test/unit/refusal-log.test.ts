import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  REFUSAL_LINE_BURST,
  REFUSAL_LINE_EVERY_MS,
  REFUSAL_SUMMARY_INTERVAL_MS,
  REFUSAL_SUMMARY_MAX_CLIENTS,
  RefusalLog,
} from '../../src/net/refusal-log.js';

/** A RefusalLog at `level` on a fake clock; its log lines parsed. */
function setup(level: 'info' | 'debug' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  const clock = { now: 0 };
  const refusals = new RefusalLog(log, 'upgrades refused', () => clock.now);
  return { lines, clock, refusals };
}

describe('RefusalLog', () => {
  it('one warn line per client per minute, with the count since the previous line', () => {
    const { lines, clock, refusals } = setup();
    for (let i = 0; i < 1000; i++) refusals.refused('203.0.113.5', { status: 403 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, client: '203.0.113.5', refused: 1, status: 403 });
    clock.now = REFUSAL_SUMMARY_INTERVAL_MS - 1;
    refusals.refused('203.0.113.5', { status: 403 });
    expect(lines).toHaveLength(1);
    clock.now = REFUSAL_SUMMARY_INTERVAL_MS;
    refusals.refused('203.0.113.5', { status: 429 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ client: '203.0.113.5', refused: 1001, sinceS: 60, status: 429 });
  });

  it('keys clients as IPv4 addresses and IPv6 /64s', () => {
    const { lines, refusals } = setup();
    refusals.refused('2001:db8:1:2::1', {});
    refusals.refused('2001:db8:1:2::ffff', {});
    refusals.refused('::ffff:198.51.100.1', {});
    refusals.refused('198.51.100.1', {});
    refusals.refused(undefined, {});
    expect(lines.map((l) => l.client)).toEqual(['2001:db8:1:2::/64', '198.51.100.1', 'unknown']);
  });

  it('logs each refusal at debug level', () => {
    const { lines, refusals } = setup('debug');
    refusals.refused('203.0.113.5', { origin: 'x' });
    refusals.refused('203.0.113.5', { origin: 'y' });
    expect(lines.map((l) => l.level)).toEqual([20, 40, 20]);
    expect(lines[2]).toMatchObject({ client: '203.0.113.5', origin: 'y' });
  });

  it(`paces lines over all clients: ${REFUSAL_LINE_BURST} at once, then one per ${REFUSAL_LINE_EVERY_MS} ms; the held-back count goes in the next line`, () => {
    const { lines, clock, refusals } = setup();
    for (let i = 0; i < 100; i++) refusals.refused(`198.51.100.${i}`, {});
    expect(lines).toHaveLength(REFUSAL_LINE_BURST);
    clock.now = REFUSAL_LINE_EVERY_MS;
    refusals.refused('203.0.113.9', {});
    expect(lines).toHaveLength(REFUSAL_LINE_BURST + 1);
    expect(lines.at(-1)).toMatchObject({ client: '203.0.113.9', linesHeldBack: 100 - REFUSAL_LINE_BURST });
    clock.now = 2 * REFUSAL_LINE_EVERY_MS;
    refusals.refused('198.51.100.50', {});
    expect(lines.at(-1)).toMatchObject({ client: '198.51.100.50', refused: 2 });
    expect(lines.at(-1)).not.toHaveProperty('linesHeldBack');
  });

  it(`remembers at most ${REFUSAL_SUMMARY_MAX_CLIENTS} clients`, () => {
    const { refusals } = setup();
    for (let i = 0; i < REFUSAL_SUMMARY_MAX_CLIENTS + 500; i++)
      refusals.refused(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, {});
    expect(refusals.size).toBe(REFUSAL_SUMMARY_MAX_CLIENTS);
  });
});
