import type { TurnNode } from '../../report/turn-node-schema.js';
import type { HostsTable } from '../transport/hosts-file.js';
import { type ProxyRoute, viaProxy } from '../transport/proxy-config.js';
import { ResolveError, resolveServerAll } from '../transport/resolve.js';
import type { TurnTarget } from '../url/turn-url.js';
import type { RequestObservation, ResolveObservation, TurnObservation } from './observations.js';

/** Limit of one host name lookup, in ms (the rest of the deadline is the servers'). */
export const DNS_TIMEOUT_MS = 2000;

/**
 * Checks running at once: a fleet name with dozens of addresses is checked this many at a time, all under
 * the run's one deadline (`--timeout` starts with the run, name lookups included). Never less than the number of URLs
 * given, so separate targets keep running in parallel as before.
 */
export const MAX_PARALLEL_CHECKS = 8;

/**
 * One address to check for a target: the resolve step as observed (shared by every address of the name),
 * and, when the name had several addresses, which one this is (without its RTT, measured by the check).
 */
export interface NodePlan {
  target: TurnTarget;
  resolved: ResolveObservation;
  node: Omit<TurnNode, 'rttMs'> | null;
}

/**
 * Resolves a target's host to every A/AAAA address (`resolveServerAll`, at most {@link DNS_TIMEOUT_MS} or
 * `timeoutMs`) and plans one check per address (issue 15 §2: each node of a fleet behind one name). A name
 * with one address, an IP literal, or a name that does not resolve gives one plan with `node` null — the
 * check as it always was. Through a proxy (`route`, a TCP/TLS target NO_PROXY does not skip at any address)
 * the tunnel is opened by NAME and the proxy picks the node, so per-node checks are not possible: one plan,
 * `node` null, the check by name.
 * @param hosts a hosts table consulted before DNS (tests; default /etc/hosts).
 */
export async function planNodes(
  target: TurnTarget,
  timeoutMs: number,
  hosts?: HostsTable,
  route?: ProxyRoute,
): Promise<NodePlan[]> {
  const start = performance.now();
  try {
    const all = await resolveServerAll(target, Math.min(DNS_TIMEOUT_MS, timeoutMs), hosts);
    const durationMs = performance.now() - start;
    const addresses = all.map((a) => a.address);
    if (all.length > 1 && all.every((a) => viaProxy(target, a, route))) {
      return [
        { target, resolved: { step: 'resolve', durationMs, address: all[0]!, error: null }, node: null },
      ];
    }
    return all.map((address) => ({
      target,
      resolved: { step: 'resolve', durationMs, address, error: null },
      node: all.length > 1 ? { host: target.host, address: address.address, addresses } : null,
    }));
  } catch (err) {
    const error = err instanceof ResolveError ? err.message : String(err);
    return [
      {
        target,
        resolved: { step: 'resolve', durationMs: performance.now() - start, address: null, error },
        node: null,
      },
    ];
  }
}

/**
 * Runs `work` over `items` with at most `limit` at once, keeping the order of the results.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The RTT shown for one node: the shortest round trip, in ms, of a request answered at its first send
 * without an authentication retry (CreatePermission, ChannelBind, Refresh … once the nonce is known: one
 * request, one response, over any transport); null when no request was answered that way.
 */
export function nodeRttMs(observations: readonly TurnObservation[]): number | null {
  const single = observations.filter(
    (o): o is RequestObservation =>
      'challenges' in o && o.sent === 1 && o.challenges.length === 0 && (o.success || o.errorCode !== null),
  );
  return single.length === 0 ? null : Math.min(...single.map((o) => o.durationMs));
}
