import { describe, expect, it } from 'vitest';
import { parseMs, parseSeconds } from '../../src/cli/config/probe-flags.js';
import { parseReportFlags } from '../../src/cli/config/report-flags.js';
import { parseServeFlags } from '../../src/cli/config/serve-flags.js';
import { parseTurnFlags, type TurnFlags } from '../../src/cli/config/turn-flags.js';
import { ConfigError } from '../../src/errors.js';

// Issue 11 §6: the range a message states is the range accepted. For each numeric flag, a bad value's
// message names a range `(min–max)`; min and max must then be accepted, min − 1 and max + 1 refused.

const LISTEN = ['127.0.0.1'];
const turn = (flags: TurnFlags) => parseTurnFlags({ user: ['a:b'], ...flags }, LISTEN, true, {});

/** Flag → a parser of one value of it (throws ConfigError when it refuses the value). */
const PARSERS: [string, (v: string) => unknown][] = [
  ['--timeout', (v) => parseMs('--timeout', v)],
  // Port 0 picks both ports (no --alt-port); 65535 has no port + 1 (an --alt-port is needed).
  ['--port', (v) => parseServeFlags({ port: v, ...(v !== '0' && { altPort: '1' }) })],
  ['--alt-port', (v) => parseServeFlags({ port: '3478', altPort: v })],
  ['--tls-port', (v) => turn({ tlsPort: v })],
  ['--metrics-port', (v) => turn({ metricsPort: v })],
  // The maximum allocation lifetime may not be below the default one: pin the default to 1 s.
  ['--allocation-lifetime', (v) => turn({ allocationLifetime: v, maxAllocationLifetime: '999999999' })],
  ['--max-allocation-lifetime', (v) => turn({ allocationLifetime: '1', maxAllocationLifetime: v })],
  ['--permission-lifetime', (v) => turn({ permissionLifetime: v })],
  ['--channel-lifetime', (v) => turn({ channelLifetime: v })],
  ['--nonce-lifetime', (v) => turn({ nonceLifetime: v })],
  ['--auth-failure-limit', (v) => turn({ authFailureLimit: v })],
  ['--auth-block', (v) => turn({ authBlock: v })],
  ['--allocate-timeout', (v) => turn({ allocateTimeout: v })],
  ['--max-connections-per-ip', (v) => turn({ maxConnectionsPerIp: v })],
  ['--user-quota', (v) => turn({ userQuota: v })],
  ['--total-quota', (v) => turn({ totalQuota: v })],
  ['--bandwidth', (v) => turn({ bandwidth: v })],
  ['--report-port', (v) => parseReportFlags({ reportPort: v, reportHttpsPort: '1' }, LISTEN, false)],
  ['--report-https-port', (v) => parseReportFlags({ reportPort: '1', reportHttpsPort: v }, LISTEN, false)],
];

function message(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('numeric flags: the stated range is the accepted range', () => {
  it.each(PARSERS)('%s', (flag, parse) => {
    const text = message(() => parse('not-a-number'));
    expect(text.startsWith(`${flag}: `), text).toBe(true);
    const m = /\((\d+)–(\d+)\)/.exec(text);
    expect(m, text).not.toBeNull();
    const [min, max] = [Number(m![1]), Number(m![2])];
    expect(() => parse(String(min))).not.toThrow();
    expect(() => parse(String(max))).not.toThrow();
    if (min > 0)
      expect(message(() => parse(String(min - 1)))).toBe(text.replace('not-a-number', String(min - 1)));
    expect(message(() => parse(String(max + 1)))).toBe(text.replace('not-a-number', String(max + 1)));
  });

  it('seconds flags: more than 0, at most 3600, fractions allowed', () => {
    expect(message(() => parseSeconds('--rest-ttl', '0'))).toBe(
      "--rest-ttl: must be a number of seconds (more than 0, at most 3600), got '0'",
    );
    expect(parseSeconds('--rest-ttl', '0.5')).toBe(0.5);
    expect(parseSeconds('--rest-ttl', '3600')).toBe(3600);
    expect(() => parseSeconds('--rest-ttl', '3600.5')).toThrow(ConfigError);
  });
});
