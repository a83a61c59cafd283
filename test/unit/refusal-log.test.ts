/**
 * The log of connections the connection budget refused (src/net/refusal-log.ts): every refusal at debug
 * level, a warn-level line at the first refusal and then at most one a minute, counting the refusals since
 * the last one — an attacker's thousands of connections cannot flood the log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { REFUSAL_WARN_EVERY_MS, refusalLog } from '../../src/net/refusal-log.js';

it('logs each refusal at debug and warns once per minute with the count since the last warning', () => {
  const lines: { level: number; refused?: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  let now = 1_000_000;
  const log = refusalLog(pino({ level: 'debug' }, sink), 'the report page (HTTP)', () => now);
  const refused = { reason: 'per-ip', limit: 100, ip: '127.0.0.66' } as const;
  for (let i = 0; i < 1_000; i++) {
    log(refused);
    now += 100;
  }
  now += REFUSAL_WARN_EVERY_MS;
  log(refused);
  const warns = lines.filter((l) => l.level === 40);
  expect(lines.filter((l) => l.level === 20)).toHaveLength(1_001);
  expect(warns.map((w) => w.refused)).toEqual([1, 600, 400]);
});
