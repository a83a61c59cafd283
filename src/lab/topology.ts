import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsRun, run, sleep } from './exec.js';
import { installGuards } from './guard.js';
import { killPid, type LabProcess, pidAlive, startInNs } from './processes.js';
import { buildCarrier } from './topology-cgnat.js';
import { buildIpv6 } from './topology-ipv6.js';

/**
 * Addresses of the lab (documentation / shared ranges only): `lan` host 100.64.0.2 behind the router's
 * 100.64.0.1; router's public side 203.0.113.1; `pub` host with two addresses for an RFC 5780 server.
 */
export const ADDR = {
  lanNet: '100.64.0.0/24',
  lanHost: '100.64.0.2',
  routerLan: '100.64.0.1',
  routerPub: '203.0.113.1',
  pubPrimary: '203.0.113.10',
  pubSecondary: '203.0.113.11',
  /** Prefix length of both links. */
  prefix: 24,
} as const;

/**
 * Interface names inside the namespaces: lan `eth0` ↔ router `lan0`; router `wan0` ↔ pub `eth<site>`,
 * enslaved to pub's bridge `br0`, which holds pub's addresses (one public segment, like the internet).
 */
export const IFACE = { lan: 'eth0', routerLan: 'lan0', routerPub: 'wan0', pubBridge: 'br0' } as const;

/** Addresses of one site (a lan host behind its own NAT router). */
export interface SiteAddresses {
  readonly lanNet: string;
  readonly lanHost: string;
  readonly routerLan: string;
  readonly routerPub: string;
}

/** Site 0 is {@link ADDR}'s lan; site 1 (`lan2` behind `nat2`) exists when a lab is created with two sites. */
export const SITE_ADDR: readonly [SiteAddresses, SiteAddresses] = [
  { lanNet: ADDR.lanNet, lanHost: ADDR.lanHost, routerLan: ADDR.routerLan, routerPub: ADDR.routerPub },
  { lanNet: '100.64.1.0/24', lanHost: '100.64.1.2', routerLan: '100.64.1.1', routerPub: '203.0.113.2' },
];

/** The roles of the lab: `lan2` and `nat2` only in a two-site lab. */
export type Role = 'lan' | 'nat' | 'pub' | 'lan2' | 'nat2';

/** One lan host and its NAT router: namespaces and addresses. */
export interface Site {
  readonly ns: { readonly lan: string; readonly nat: string };
  readonly addr: SiteAddresses;
}

/**
 * A running lab: `lan` → `nat` → `pub` (and, with two sites, `lan2` → `nat2` → the same `pub` segment),
 * a temp dir, and the processes started in it.
 */
export interface Lab {
  /** Unique prefix of every name this lab creates, `idl-<pid>-<n>`. */
  readonly id: string;
  /** Namespace name per role, e.g. `{ lan: 'idl-123-0-lan', ... }`; `lan2`/`nat2` only with two sites. */
  readonly ns: Readonly<
    Record<'lan' | 'nat' | 'pub', string> & Partial<Record<'lan2' | 'nat2' | 'cgn', string>>
  >;
  /** The sites, site 0 first (`lan`/`nat`). */
  readonly sites: readonly Site[];
  /** Private temp dir for config files, removed at teardown. */
  readonly tmpDir: string;
  /**
   * Starts a tracked long-running process in the namespace of `role`; teardown kills it by PID.
   * @throws Error for `lan2`/`nat2` in a one-site lab.
   */
  start(role: Role, name: string, cmd: string, args: readonly string[]): LabProcess;
}

/** Options of {@link createLab}. */
export interface LabOptions {
  /** 1 (default) or 2: a second lan behind its own router, for calls between two NATed hosts. */
  sites?: 1 | 2;
  /** Dual stack: IPv6 addresses on pub and the routers, IPv6 forwarding (`topology-ipv6.ts`). */
  ipv6?: boolean;
  /** A carrier-grade NAT namespace `cgn` between site 0's router and pub (NAT444, `topology-cgnat.ts`). */
  cgnat?: boolean;
}

const NAME_PATTERN = /^idl-(\d+)-(\d+)-(lan|nat|pub|lan2|nat2|cgn)$/;
const TMP_PATTERN = /^idl-(\d+)-/;
let labCounter = 0;

/** Internal state that teardown needs, keyed by lab id. */
const tracked = new Map<string, Set<LabProcess>>();

/**
 * Creates the namespaces, veth links, the public bridge, addresses, routes and guards (no NAT scenario yet:
 * the routers forward nothing until {@link applyScenario} runs). Cleans leftovers of crashed runs first. On
 * any failure it tears down what it built and rethrows.
 */
export async function createLab(options: LabOptions = {}): Promise<Lab> {
  await cleanupLeftovers();
  const id = `idl-${process.pid}-${labCounter++}`;
  const two = options.sites === 2;
  const ns = {
    lan: `${id}-lan`,
    nat: `${id}-nat`,
    pub: `${id}-pub`,
    ...(two && { lan2: `${id}-lan2`, nat2: `${id}-nat2` }),
    ...(options.cgnat && { cgn: `${id}-cgn` }),
  };
  const sites: Site[] = [{ ns: { lan: ns.lan, nat: ns.nat }, addr: SITE_ADDR[0] }];
  if (ns.lan2 !== undefined && ns.nat2 !== undefined)
    sites.push({ ns: { lan: ns.lan2, nat: ns.nat2 }, addr: SITE_ADDR[1] });
  const processes = new Set<LabProcess>();
  tracked.set(id, processes);
  const lab: Lab = {
    id,
    ns,
    sites,
    tmpDir: mkdtempSync(join(tmpdir(), `${id}-`)),
    start(role, name, cmd, args) {
      const where = ns[role];
      if (where === undefined) throw new Error(`this lab has no ${role} namespace (create it with sites: 2)`);
      const proc = startInNs(where, name, cmd, args);
      processes.add(proc);
      return proc;
    },
  };
  try {
    await buildPub(lab);
    for (const [index, site] of sites.entries()) await buildSite(lab, site, index);
    if (options.ipv6) await buildIpv6(lab);
    if (options.cgnat) await buildCarrier(lab);
    await waitBridgeForwarding(lab, sites.length);
    await installGuards(lab);
    return lab;
  } catch (err) {
    await destroyLab(lab);
    throw err;
  }
}

async function buildPub(lab: Lab): Promise<void> {
  const { pub } = lab.ns;
  await run('ip', ['netns', 'add', pub]);
  await run('ip', ['-n', pub, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', pub, 'link', 'add', IFACE.pubBridge, 'type', 'bridge']);
  for (const address of [ADDR.pubPrimary, ADDR.pubSecondary]) {
    await run('ip', ['-n', pub, 'addr', 'add', `${address}/${ADDR.prefix}`, 'dev', IFACE.pubBridge]);
  }
  await run('ip', ['-n', pub, 'link', 'set', IFACE.pubBridge, 'up']);
}

/** Longest wait for pub's bridge ports to forward, in ms (the kernel applies carrier changes within ~1 s). */
const BRIDGE_READY_MS = 5_000;

/**
 * Waits until all `ports` of pub's bridge are in the `forwarding` state: a new veth port stays `disabled`
 * until the kernel's link watcher has seen its carrier (up to ~1 s later), and drops every frame till then.
 * @throws Error when they are not forwarding within {@link BRIDGE_READY_MS}.
 */
async function waitBridgeForwarding(lab: Lab, ports: number): Promise<void> {
  const deadline = Date.now() + BRIDGE_READY_MS;
  for (;;) {
    const shown = await run('bridge', ['-n', lab.ns.pub, 'link', 'show']);
    if ((shown.stdout.match(/state forwarding/g) ?? []).length >= ports) return;
    if (Date.now() > deadline) throw new Error(`pub bridge ports not forwarding:\n${shown.stdout}`);
    await sleep(50);
  }
}

/** One site: lan and router namespaces, lan ↔ router veth, router ↔ pub veth on pub's bridge. */
async function buildSite(lab: Lab, site: Site, index: number): Promise<void> {
  const { lan, nat } = site.ns;
  const { pub } = lab.ns;
  const pubEnd = `eth${index}`;
  for (const name of [lan, nat]) {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  }
  await run('ip', [
    '-n',
    lan,
    'link',
    'add',
    IFACE.lan,
    'type',
    'veth',
    'peer',
    'name',
    IFACE.routerLan,
    'netns',
    nat,
  ]);
  await run('ip', [
    '-n',
    nat,
    'link',
    'add',
    IFACE.routerPub,
    'type',
    'veth',
    'peer',
    'name',
    pubEnd,
    'netns',
    pub,
  ]);
  await run('ip', ['-n', pub, 'link', 'set', pubEnd, 'master', IFACE.pubBridge]);
  const addrs: [string, string, string][] = [
    [lan, IFACE.lan, site.addr.lanHost],
    [nat, IFACE.routerLan, site.addr.routerLan],
    [nat, IFACE.routerPub, site.addr.routerPub],
  ];
  for (const [name, dev, address] of addrs) {
    await run('ip', ['-n', name, 'addr', 'add', `${address}/${ADDR.prefix}`, 'dev', dev]);
  }
  for (const [name, dev] of [
    [lan, IFACE.lan],
    [nat, IFACE.routerLan],
    [nat, IFACE.routerPub],
    [pub, pubEnd],
  ] as const) {
    await run('ip', ['-n', name, 'link', 'set', dev, 'up']);
  }
  await run('ip', ['-n', lan, 'route', 'add', 'default', 'via', site.addr.routerLan]);
  await nsRun(nat, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
}

/**
 * Tears a lab down, tolerating partial setup: kills its tracked processes by PID, then any process still
 * inside its namespaces (by PID, from `ip netns pids`), deletes the namespaces and the temp dir.
 */
export async function destroyLab(lab: Lab): Promise<void> {
  const processes = tracked.get(lab.id) ?? new Set<LabProcess>();
  await Promise.all([...processes].map((p) => p.stop()));
  tracked.delete(lab.id);
  for (const name of Object.values(lab.ns)) if (name !== undefined) await deleteNamespace(name);
  rmSync(lab.tmpDir, { recursive: true, force: true });
}

async function deleteNamespace(name: string): Promise<void> {
  const listed = await run('ip', ['netns', 'list'], { check: false });
  if (!listed.stdout.split('\n').some((line) => line.split(' ')[0] === name)) return;
  const pids = await run('ip', ['netns', 'pids', name], { check: false });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) killPid(pid, 'SIGKILL');
  await run('ip', ['netns', 'del', name], { check: false });
}

/**
 * Removes namespaces and temp dirs left by lab runs whose owning process (the PID in the name) is dead.
 * Labs of live processes (a concurrent test run or bench) are left alone.
 */
export async function cleanupLeftovers(): Promise<void> {
  const listed = await run('ip', ['netns', 'list'], { check: false });
  for (const line of listed.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = NAME_PATTERN.exec(name);
    if (match && !pidAlive(Number(match[1]))) await deleteNamespace(name);
  }
  for (const entry of readdirSync(tmpdir())) {
    const match = TMP_PATTERN.exec(entry);
    if (match && !pidAlive(Number(match[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}
