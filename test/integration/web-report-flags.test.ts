/**
 * The report flags of `ice-doctor serve` and `--page-ice-server` values: defaults, what each form of a
 * value becomes, and the one-line ConfigError of each mistake.
 */
import { describe, expect, it } from 'vitest';
import { parsePageIceServer } from '../../src/cli/config/page-ice-server.js';
import { parseReportFlags, type ReportFlags } from '../../src/cli/config/report-flags.js';
import { ConfigError } from '../../src/errors.js';

const LISTEN = ['192.0.2.10', '192.0.2.11'];

describe('parseReportFlags', () => {
  it('defaults to 8080/8443 on the first --listen address, 0/0 with --port 0, null with --no-report', () => {
    expect(parseReportFlags({}, LISTEN, false)).toEqual({
      host: '192.0.2.10',
      httpPort: 8080,
      httpsPort: 8443,
      pageIceServers: [],
      publicHosts: [],
    });
    expect(parseReportFlags({}, LISTEN, true)).toMatchObject({ httpPort: 0, httpsPort: 0 });
    expect(
      parseReportFlags({ reportPort: '9000', reportHttpsPort: '0', reportHost: '::1' }, LISTEN, false),
    ).toMatchObject({
      host: '::1',
      httpPort: 9000,
      httpsPort: 0,
    });
    expect(parseReportFlags({ report: false, reportPort: 'nonsense' }, LISTEN, false)).toBeNull();
  });

  it('--public-host: names lowercased without a trailing dot, IPv4 as is, IPv6 in brackets', () => {
    expect(
      parseReportFlags(
        { publicHost: ['Turn.Example.ORG.', 'ice-doctor.test', '198.51.100.7', '2001:DB8::1', '[::1]'] },
        LISTEN,
        false,
      )?.publicHosts,
    ).toEqual(['turn.example.org', 'ice-doctor.test', '198.51.100.7', '[2001:db8::1]', '[::1]']);
  });

  it.each<[ReportFlags, string]>([
    [{ reportPort: '70000' }, "--report-port: must be a port number (0–65535), got '70000'"],
    [{ reportHttpsPort: '-1' }, "--report-https-port: must be a port number (0–65535), got '-1'"],
    [{ reportPort: '9000', reportHttpsPort: '9000' }, '--report-https-port: must differ from --report-port'],
    [{ reportHost: 'localhost' }, "--report-host: 'localhost' is not an IP address"],
    ...[
      'https://turn.example.org',
      'turn.example.org:8443',
      'turn.example.org/page',
      '*.example.org',
      '1.2.3.4.5',
      '',
    ].map((name): [ReportFlags, string] => [
      { publicHost: [name] },
      `--public-host: '${name}' is not a host name or IP address (like turn.example.org; no scheme, port or path)`,
    ]),
  ])('%j → ConfigError %s', (flags, message) => {
    expect(() => parseReportFlags(flags, LISTEN, false)).toThrow(new ConfigError(message));
  });
});

describe('parsePageIceServer', () => {
  it('stun: one UDP path, no credentials', () => {
    expect(parsePageIceServer('stun:stun.example.org')).toEqual({
      label: 'stun.example.org',
      urls: [{ kind: 'stun', url: 'stun:stun.example.org:3478' }],
      credentials: { kind: 'none' },
    });
  });

  it('turn: without ?transport is two paths; turns: one; credentials from secret, secret-env or user', () => {
    expect(parsePageIceServer('turn:[2001:db8::1]:3478;secret=a;b=c')).toEqual({
      label: '2001:db8::1',
      urls: [
        { kind: 'turn-udp', url: 'turn:[2001:db8::1]:3478?transport=udp' },
        { kind: 'turn-tcp', url: 'turn:[2001:db8::1]:3478?transport=tcp' },
      ],
      credentials: { kind: 'rest', secret: 'a;b=c' },
    });
    expect(parsePageIceServer('turns:turn.example.org;secret-env=S', { S: 'from-env' })).toEqual({
      label: 'turn.example.org',
      urls: [{ kind: 'turns', url: 'turns:turn.example.org:5349' }],
      credentials: { kind: 'rest', secret: 'from-env' },
    });
    expect(parsePageIceServer('turn:198.51.100.1?transport=tcp;user=bob:pa:ss')).toEqual({
      label: '198.51.100.1',
      urls: [{ kind: 'turn-tcp', url: 'turn:198.51.100.1:3478?transport=tcp' }],
      credentials: { kind: 'static', username: 'bob', password: 'pa:ss' },
    });
  });

  it.each([
    ['turn:turn.example.org', 'a TURN URL needs ;secret=S, ;secret-env=VAR or ;user=NAME:PASSWORD'],
    ['stun:stun.example.org;secret=x', 'a STUN URL takes no credentials'],
    ['stuns:stun.example.org', 'browsers use STUN over UDP only'],
    ['stun:stun.example.org?transport=tcp', 'browsers use STUN over UDP only'],
    ['turn:t.example.org;secret-env=MISSING', "environment variable 'MISSING' is not set"],
    ['turn:t.example.org;user=bob', 'user= needs the form NAME:PASSWORD'],
    ['turn:t.example.org;secret=', 'secret= is empty'],
    ['turn:t.example.org;password=x', "unknown ';password'"],
    ['turn:t.example.org?transport=sctp;secret=x', 'unknown transport'],
    ['http://example.org', 'not a STUN URL'],
  ])('%s → ConfigError naming the flag: %s', (spec, message) => {
    let thrown: unknown;
    try {
      parsePageIceServer(spec, {});
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/^--page-ice-server: /);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});
