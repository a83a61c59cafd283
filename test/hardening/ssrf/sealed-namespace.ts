import { spawnSync } from 'node:child_process';
import { run } from '../../../src/lab/exec.js';
import { createSandbox, SANDBOX_IP } from '../../e2e/sandbox.js';

/** The namespace's IPv6 address on `d0` (documentation prefix: itself a denied peer range). */
export const SEALED_IP6 = '2001:db8:90::1';
/** On-link addresses with no host behind them, opened with `--allow-peer` for the positive control. */
export const CONTROL_IP4 = '100.64.90.2';
export const CONTROL_IP6 = '2001:db8:90::2';

/** Packets the namespace's nftables table counted (and dropped). */
export interface EgressCounts {
  /** UDP packets sent from a relay port (any destination): relayed traffic. */
  relay: number;
  /** Other TCP/UDP packets to anywhere but the namespace's own addresses. */
  stray: number;
}

/** A network namespace the server and the scanner run in, from which no packet can leave. */
export interface SealedNamespace {
  readonly ns: string;
  /** Reads the nftables counters. */
  counts(): Promise<EgressCounts>;
  /** Kills what runs inside (by PID) and deletes the namespace, its links and its table. */
  close(): Promise<void>;
}

/** True when this process can create namespaces and nftables tables: root, with `ip` and `nft` installed. */
export function namespacesAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const works = (cmd: string, args: string[]): boolean =>
    spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  return works('ip', ['netns', 'list']) && works('nft', ['--version']);
}

/**
 * Loads an nftables ruleset into namespace `ns` (`nft -f -`).
 * @throws Error with nft's message when it refuses the ruleset.
 */
function loadRuleset(ns: string, ruleset: string): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft -f: ${r.stderr.trim()}`);
}

/**
 * The namespace's ephemeral ports (its `net.ipv4.ip_local_port_range`, pinned; it covers IPv6 too). The relay
 * range must lie outside it: the output chain drops every UDP packet whose source port is a relay port, so a
 * `--port 0` listener or a scanner socket that the kernel happened to give a port in the relay range would
 * have its packets dropped (an unanswered Allocate, about once in fifty runs with a range inside it).
 */
const EPHEMERAL = { min: 32768, max: 60999 } as const;

/**
 * The sandbox of test/e2e/sandbox.ts (`lo`, veth `d0` 100.64.90.1/24 with a default route, an
 * address-less `d1` that drops what reaches it) plus {@link SEALED_IP6}/64 on `d0` with an IPv6 default
 * route (so every destination routes, and a relayed packet reaches the output hook instead of failing
 * with ENETUNREACH), and an `inet` nftables table whose output chain counts and drops every UDP packet
 * from `relayPorts` and every other TCP/UDP packet not addressed to the namespace's own addresses.
 * @throws Error when `relayPorts` overlaps the ephemeral ports, or when a step fails (the namespace is
 *   deleted first).
 */
export async function createSealedNamespace(relayPorts: {
  min: number;
  max: number;
}): Promise<SealedNamespace> {
  if (relayPorts.max >= EPHEMERAL.min && relayPorts.min <= EPHEMERAL.max) {
    throw new Error(
      `relay ports ${relayPorts.min}-${relayPorts.max} overlap the ephemeral ports ${EPHEMERAL.min}-${EPHEMERAL.max}`,
    );
  }
  const sandbox = await createSandbox();
  const { ns } = sandbox;
  try {
    await run('ip', [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-qw',
      `net.ipv4.ip_local_port_range=${EPHEMERAL.min} ${EPHEMERAL.max}`,
    ]);
    await run('ip', ['-n', ns, '-6', 'addr', 'add', `${SEALED_IP6}/64`, 'dev', 'd0', 'nodad']);
    await run('ip', ['-n', ns, '-6', 'route', 'add', 'default', 'dev', 'd0']);
    loadRuleset(
      ns,
      [
        'table inet ssrf {',
        '  counter relay {}',
        '  counter stray {}',
        '  chain out {',
        '    type filter hook output priority 0; policy accept;',
        `    udp sport ${relayPorts.min}-${relayPorts.max} counter name "relay" drop`,
        `    meta nfproto ipv4 meta l4proto { tcp, udp } ip daddr != ${SANDBOX_IP} counter name "stray" drop`,
        `    meta nfproto ipv6 meta l4proto { tcp, udp } ip6 daddr != ${SEALED_IP6} counter name "stray" drop`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  } catch (err) {
    await sandbox.close();
    throw err;
  }
  return {
    ns,
    async counts() {
      const listed = await run('ip', [
        'netns',
        'exec',
        ns,
        'nft',
        '-j',
        'list',
        'counters',
        'table',
        'inet',
        'ssrf',
      ]);
      const items = (
        JSON.parse(listed.stdout) as { nftables: { counter?: { name: string; packets: number } }[] }
      ).nftables;
      const packets = (name: string): number => {
        const found = items.find((i) => i.counter?.name === name)?.counter;
        if (!found) throw new Error(`nft counter ${name} missing:\n${listed.stdout}`);
        return found.packets;
      };
      return { relay: packets('relay'), stray: packets('stray') };
    },
    close: () => sandbox.close(),
  };
}
