import { describe, expect, it } from 'vitest';
import { type ProxyRoute, parseProxyUrl } from '../../src/client/transport/proxy-config.js';
import { planNodes } from '../../src/client/turn-check/nodes.js';
import { parseTurnTargets } from '../../src/client/url/turn-url.js';

// A fleet name with several addresses: checked per node directly, by name (one check) through a proxy, which
// opens the tunnel by name and picks the node itself.

const HOSTS = new Map([['turn.example.org', ['203.0.113.10', '203.0.113.11']]]);
const route = (noProxy: string[] = []): ProxyRoute => ({
  proxy: parseProxyUrl('http://127.0.0.1:3128'),
  source: 'flag',
  variable: null,
  noProxy,
});
const target = (url: string) => parseTurnTargets([url])[0]!;

describe('planNodes with a proxy', () => {
  it('without a proxy: one check per address', async () => {
    const plans = await planNodes(target('turns:turn.example.org:443'), 1000, HOSTS);
    expect(plans.map((p) => p.node?.address)).toEqual(['203.0.113.10', '203.0.113.11']);
  });

  it('TLS through the proxy: one check by name, no node', async () => {
    const plans = await planNodes(target('turns:turn.example.org:443'), 1000, HOSTS, route());
    expect(plans).toHaveLength(1);
    expect(plans[0]!.node).toBeNull();
    expect(plans[0]!.resolved.address?.address).toBe('203.0.113.10');
  });

  it.each([
    ['UDP never goes through the proxy', 'turn:turn.example.org:3478?transport=udp', []],
    ['NO_PROXY skips one of the addresses', 'turns:turn.example.org:443', ['203.0.113.11']],
  ])('per node still: %s', async (_why, url, noProxy) => {
    const plans = await planNodes(target(url), 1000, HOSTS, route(noProxy));
    expect(plans.map((p) => p.node?.address)).toEqual(['203.0.113.10', '203.0.113.11']);
  });
});
