import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsRun, run } from './exec.js';
import { installGuards } from './guard.js';
import { killPid, type LabProcess, pidAlive, startInNs } from './processes.js';

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

/** Interface names inside the namespaces: lan `eth0` ↔ router `lan0`; router `wan0` ↔ pub `eth0`. */
export const IFACE = { lan: 'eth0', routerLan: 'lan0', routerPub: 'wan0', pub: 'eth0' } as const;

/** The three roles of the lab. */
export type Role = 'lan' | 'nat' | 'pub';

/** A running lab: three namespaces (`lan` → `nat` → `pub`), a temp dir, and the processes started in it. */
export interface Lab {
  /** Unique prefix of every name this lab creates, `idl-<pid>-<n>`. */
  readonly id: string;
  /** Namespace name per role, e.g. `{ lan: 'idl-123-0-lan', ... }`. */
  readonly ns: Readonly<Record<Role, string>>;
  /** Private temp dir for config files, removed at teardown. */
  readonly tmpDir: string;
  /** Starts a tracked long-running process in the namespace of `role`; teardown kills it by PID. */
  start(role: Role, name: string, cmd: string, args: readonly string[]): LabProcess;
}

const NAME_PATTERN = /^idl-(\d+)-(\d+)-(lan|nat|pub)$/;
const TMP_PATTERN = /^idl-(\d+)-/;
let labCounter = 0;

/** Internal state that teardown needs, keyed by lab id. */
const tracked = new Map<string, Set<LabProcess>>();

/**
 * Creates the namespaces, veth links, addresses, routes and guards (no NAT scenario yet: the router
 * forwards nothing until {@link applyScenario} runs). Cleans leftovers of crashed runs first. On any
 * failure it tears down what it built and rethrows.
 */
export async function createLab(): Promise<Lab> {
  await cleanupLeftovers();
  const id = `idl-${process.pid}-${labCounter++}`;
  const ns = { lan: `${id}-lan`, nat: `${id}-nat`, pub: `${id}-pub` };
  const processes = new Set<LabProcess>();
  tracked.set(id, processes);
  const lab: Lab = {
    id,
    ns,
    tmpDir: mkdtempSync(join(tmpdir(), `${id}-`)),
    start(role, name, cmd, args) {
      const proc = startInNs(ns[role], name, cmd, args);
      processes.add(proc);
      return proc;
    },
  };
  try {
    await buildTopology(lab);
    await installGuards(lab);
    return lab;
  } catch (err) {
    await destroyLab(lab);
    throw err;
  }
}

async function buildTopology(lab: Lab): Promise<void> {
  const { lan, nat, pub } = lab.ns;
  for (const name of [lan, nat, pub]) {
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
    IFACE.pub,
    'netns',
    pub,
  ]);
  const addrs: [string, string, string][] = [
    [lan, IFACE.lan, ADDR.lanHost],
    [nat, IFACE.routerLan, ADDR.routerLan],
    [nat, IFACE.routerPub, ADDR.routerPub],
    [pub, IFACE.pub, ADDR.pubPrimary],
    [pub, IFACE.pub, ADDR.pubSecondary],
  ];
  for (const [name, dev, address] of addrs) {
    await run('ip', ['-n', name, 'addr', 'add', `${address}/${ADDR.prefix}`, 'dev', dev]);
  }
  for (const [name, dev] of [
    [lan, IFACE.lan],
    [nat, IFACE.routerLan],
    [nat, IFACE.routerPub],
    [pub, IFACE.pub],
  ] as const) {
    await run('ip', ['-n', name, 'link', 'set', dev, 'up']);
  }
  await run('ip', ['-n', lan, 'route', 'add', 'default', 'via', ADDR.routerLan]);
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
  for (const name of Object.values(lab.ns)) await deleteNamespace(name);
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
