import { describe, expect, it } from 'vitest';
import { resolveProxy } from '../../src/cli/config/proxy-flag.js';
import {
  bypassesProxy,
  ProxyUrlError,
  parseProxyUrl,
  proxyFromEnv,
  proxyUse,
} from '../../src/client/transport/proxy-config.js';
import { ConfigError } from '../../src/errors.js';
import { transportAddress } from '../../src/wire/address.js';

describe('parseProxyUrl', () => {
  it('http://host:port, port 80 when omitted, IPv6 in brackets', () => {
    expect(parseProxyUrl('http://proxy.example.org:3128')).toEqual({
      host: 'proxy.example.org',
      port: 3128,
      url: 'http://proxy.example.org:3128',
      authorization: null,
    });
    expect(parseProxyUrl('http://10.0.0.1').port).toBe(80);
    expect(parseProxyUrl('http://[2001:db8::1]:8080/')).toMatchObject({ host: '2001:db8::1', port: 8080 });
  });

  it('user:password become Basic Proxy-Authorization and leave the URL', () => {
    const p = parseProxyUrl('http://al%20ice:pa%3Ass@proxy:3128');
    expect(p.url).toBe('http://proxy:3128');
    expect(p.authorization).toBe(`Basic ${Buffer.from('al ice:pa:ss').toString('base64')}`);
  });

  it.each([
    ['https://proxy:3128', /'https:' proxies are not supported/],
    ['socks5://proxy:1080', /'socks5:' proxies are not supported/],
    ['proxy:3128', /not supported|not a URL/],
    ['http://proxy:3128/path', /more than a host and port/],
    ['not a url', /is not a URL/],
  ])('refuses %s', (text, words) => {
    expect(() => parseProxyUrl(text)).toThrow(ProxyUrlError);
    expect(() => parseProxyUrl(text)).toThrow(words);
  });

  it('never repeats a password in its error', () => {
    expect(() => parseProxyUrl('http://u:Secret-1@proxy:3128/x')).toThrow(/\/\/\*\*\*@proxy/);
  });

  it.each([
    ['a / in the password (not a URL)', 'http://user:pa/ss@proxy:3128', /is not a URL/],
    ['an @ and / in the password', 'http://user:p@a/ss@proxy:3128', /has more than a host and port/],
    ['a bare % in the password', 'http://user:100%@proxy:3128', /'%' not followed by two hex digits/],
    ['a bare % in the user name', 'http://us%er:pass@proxy:3128', /'%' not followed by two hex digits/],
  ])('never repeats a password in its error: %s', (_why, text, words) => {
    let message = '';
    try {
      parseProxyUrl(text);
    } catch (err) {
      expect(err).toBeInstanceOf(ProxyUrlError);
      message = (err as Error).message;
    }
    expect(message).toMatch(words);
    expect(message).toContain("'http://***@proxy:3128'");
    expect(message).not.toMatch(/pa\/ss|100%|:pass@|us%er|p@a/);
  });

  it('a bad % in HTTPS_PROXY or --proxy is a ConfigError naming where it came from, not a crash', () => {
    expect(() => resolveProxy(undefined, { HTTPS_PROXY: 'http://u:100%@p:3128' })).toThrow(ConfigError);
    expect(() => resolveProxy(undefined, { HTTPS_PROXY: 'http://u:100%@p:3128' })).toThrow(/^HTTPS_PROXY: /);
    expect(() => resolveProxy('http://u:100%@p:3128', {})).toThrow(/^--proxy: .*write % as %25/);
  });
});

describe('proxy from the environment (curl’s order: lower case first)', () => {
  it('https_proxy before HTTPS_PROXY; no_proxy entries trimmed and lower-cased', () => {
    const r = proxyFromEnv({
      https_proxy: 'http://a:1',
      HTTPS_PROXY: 'http://b:2',
      NO_PROXY: ' Example.ORG , ,10.0.0.0/8',
    });
    expect(r).toEqual({
      proxy: { host: 'a', port: 1, url: 'http://a:1', authorization: null },
      source: 'env',
      variable: 'https_proxy',
      noProxy: ['example.org', '10.0.0.0/8'],
    });
    expect(proxyUse(r!)).toEqual({
      url: 'http://a:1',
      source: 'env',
      variable: 'https_proxy',
      noProxy: ['example.org', '10.0.0.0/8'],
    });
  });

  it('none set (or empty): no proxy', () => {
    expect(proxyFromEnv({ HTTPS_PROXY: '  ' })).toBeNull();
    expect(proxyFromEnv({ HTTP_PROXY: 'http://a:1' })).toBeNull();
  });

  it('the CLI: --proxy wins over HTTPS_PROXY; a bad value is a ConfigError naming where it came from', () => {
    expect(resolveProxy('http://f:1', { HTTPS_PROXY: 'http://e:2' })).toMatchObject({
      source: 'flag',
      variable: null,
      proxy: { url: 'http://f:1' },
    });
    expect(() => resolveProxy('socks5://x:1', {})).toThrow(ConfigError);
    expect(() => resolveProxy('socks5://x:1', {})).toThrow(
      /^--proxy: 'socks5:' proxies are not supported.*\(accepted: http:\/\/host:port or http:\/\/user:password@host:port\)$/,
    );
    expect(() => resolveProxy(undefined, { HTTPS_PROXY: 'ftp://x' })).toThrow(/^HTTPS_PROXY: 'ftp:'/);
    expect(resolveProxy(undefined, {})).toBeUndefined();
  });
});

describe('NO_PROXY', () => {
  const at = (ip: string, port = 443) => transportAddress(ip, port);
  it.each([
    [['*'], 'turn.example.org', at('203.0.113.10'), true],
    [['example.org'], 'turn.example.org', at('203.0.113.10'), true],
    [['.example.org'], 'turn.example.org', at('203.0.113.10'), true],
    [['example.org'], 'example.org', at('203.0.113.10'), true],
    [['example.org'], 'badexample.org', at('203.0.113.10'), false],
    [['203.0.113.10'], undefined, at('203.0.113.10'), true],
    [['203.0.113.10'], 'turn.example.org', at('203.0.113.10'), true],
    [['203.0.113.0/24'], 'turn.example.org', at('203.0.113.10'), true],
    [['198.51.100.0/24'], 'turn.example.org', at('203.0.113.10'), false],
    [['example.org:443'], 'turn.example.org', at('203.0.113.10', 443), true],
    [['example.org:443'], 'turn.example.org', at('203.0.113.10', 3478), false],
    [['[2001:db8::1]:443'], '2001:db8::1', at('2001:db8::1'), true],
    [['2001:db8::/32'], undefined, at('2001:db8::1'), true],
    [[], 'turn.example.org', at('203.0.113.10'), false],
  ])('%j, host %s at %j: direct = %s', (noProxy, host, to, direct) => {
    expect(bypassesProxy(noProxy, host, to)).toBe(direct);
  });
});
