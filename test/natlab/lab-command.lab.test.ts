import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_PATH } from '../../lab/paths.js';
import { labAvailable } from '../../src/lab/available.js';
import { run } from '../../src/lab/exec.js';
import { LAB_NATS } from '../../src/lab/lab-nats.js';
import { pidAlive } from '../../src/lab/processes.js';
import { PROBE_EXPECTED } from '../../src/lab/scenarios.js';

// `ice-doctor lab` as a user runs it (dist/cli.js as a child process; `npm run build` first): the verdict a
// probe inside prints, the exit code passed through, and nothing left behind — no namespace of the lab's id
// (`idl-<CLI pid>-`), no process it started — after a normal end, after SIGINT, after a forwarded SIGTERM.
const available = await labAvailable();

/** Longest a lab command may take here (build ~2–5 s, server start, the command, teardown), in ms. */
const CLI_TIMEOUT_MS = 60_000;

/** A running `node dist/cli.js …` and how it ended. */
interface CliRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when it has exited: exit code (null after a signal), signal, all output. */
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  /** Resolves with stderr once a line matches `pattern` (rejects when the process exits first). */
  stderrLine(pattern: RegExp): Promise<string>;
}

/** This environment without sudo's SUDO_UID/SUDO_GID (with them `lab run` drops to that user), plus `extra`. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { SUDO_UID: _uid, SUDO_GID: _gid, ...rest } = process.env;
  return { ...rest, ...extra };
}

function startCli(args: readonly string[], extraEnv: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cliEnv(extraEnv),
  });
  if (child.pid === undefined) throw new Error('could not spawn the CLI');
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
    for (const w of waiters) w();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    pid: child.pid,
    done,
    stderrLine: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(stderr)) return;
          waiters.delete(check);
          resolve(stderr);
        };
        waiters.add(check);
        check();
        void done.then(() => {
          if (waiters.delete(check)) reject(new Error(`exited before ${pattern}; stderr:\n${stderr}`));
        });
      }),
  };
}

/** The first stdout line of `lab --json` (rejects when the CLI exits before printing it). */
function jsonLine(cli: CliRun): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = '';
    cli.child.stdout?.on('data', (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('\n')) resolve(seen);
    });
    void cli.done.then(({ stderr }) => reject(new Error(`exited before its JSON line:\n${stderr}`)));
  });
}

/** The network namespaces whose names start with the lab id of the CLI with PID `pid`. */
async function namespacesOf(pid: number): Promise<string[]> {
  const listed = await run('ip', ['netns', 'list']);
  return listed.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`idl-${pid}-`));
}

/** A shell command for `lab run` that prints the PIDs inside the lab's pub namespace, then exits with `code`. */
const PRINT_PUB_PIDS = (code: number): string[] => [
  'sh',
  '-c',
  `ip netns pids "\${ICE_DOCTOR_LAB_NETNS%-lan}-pub"; exit ${code}`,
];

/** The PIDs a {@link PRINT_PUB_PIDS} run printed (the bundled server among them). */
const pidsIn = (stdout: string): number[] => stdout.split(/\s+/).filter(Boolean).map(Number);

describe.skipIf(!available)('natlab: ice-doctor lab', { timeout: 90_000 }, () => {
  it.each([
    ['symmetric', 'masquerade-random'],
    ['port-restricted', 'masquerade'],
  ] as const)('lab run --nat %s -- probe --json prints the verdict of the NAT', async (nat, scenario) => {
    expect(LAB_NATS[nat].scenario).toBe(scenario);
    const cli = startCli(['lab', 'run', '--nat', nat, '--', process.execPath, CLI_PATH, 'probe', '--json']);
    const { code, stdout, stderr } = await cli.done;
    const context = `exit ${String(code)}\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr.slice(-2000)}`;
    expect(code, context).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    // No URL given: ICE_DOCTOR_STUN_SERVERS from the lab names the bundled server in pub.
    expect(report.servers, context).toEqual(['stun:203.0.113.10:3478']);
    const expected = PROBE_EXPECTED[scenario];
    expect(
      {
        udp: report.udp,
        natPresent: report.natPresent,
        mapping: report.mapping,
        filtering: report.filtering,
        legacyNatType: report.legacyNatType,
      },
      context,
    ).toEqual(expected);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it("passes the command's exit code through and leaves no namespace or process behind", async () => {
    const cli = startCli(['lab', 'run', '--nat', 'open', '--', ...PRINT_PUB_PIDS(7)]);
    const { code, stdout, stderr } = await cli.done;
    expect(code, stderr).toBe(7);
    const pids = pidsIn(stdout);
    expect(pids.length, stdout).toBeGreaterThanOrEqual(1);
    expect(pids.filter(pidAlive)).toEqual([]);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('lab --nat port-restricted --json holds the lab until SIGINT, then tears it all down (exit 0)', async () => {
    const cli = startCli(['lab', '--nat', 'port-restricted', '--json']);
    const line = await jsonLine(cli);
    const built = JSON.parse(line) as {
      nat: string;
      id: string;
      namespaces: Record<string, string>;
      serverPid: number;
      stun: string[];
      env: Record<string, string>;
    };
    expect(built.nat).toBe('port-restricted');
    expect(built.id).toMatch(new RegExp(`^idl-${cli.pid}-`));
    expect(built.stun).toEqual(['stun:203.0.113.10:3478']);
    expect(built.env.ICE_DOCTOR_LAB_STUN).toBe('stun:203.0.113.10:3478');
    expect((await namespacesOf(cli.pid)).sort()).toEqual(Object.values(built.namespaces).sort());
    expect(pidAlive(built.serverPid)).toBe(true);
    process.kill(cli.pid, 'SIGINT');
    const { code, signal, stderr } = await cli.done;
    expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    expect(pidAlive(built.serverPid)).toBe(false);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('lab --nat nat66 --json: dual stack, the server relays to the lab IPv4 and IPv6 ranges', async () => {
    const cli = startCli(['lab', '--nat', 'nat66', '--json']);
    const line = await jsonLine(cli);
    const built = JSON.parse(line) as { stun: string[]; serve: { turn: { allowPeers: string[] } } };
    process.kill(cli.pid, 'SIGINT');
    const { code, stderr } = await cli.done;
    expect(code, stderr).toBe(0);
    // pub's two IPv6 addresses (2001:db8:ff::10, ::11) both serve; `ip addr` lists IPv6 newest first.
    expect(built.stun).toHaveLength(2);
    expect(built.stun[0]).toBe('stun:203.0.113.10:3478');
    expect(built.stun[1]).toMatch(/^stun:\[2001:db8:ff::1[01]\]:3478$/);
    expect(built.serve.turn.allowPeers).toEqual([
      '100.64.0.0/10',
      '203.0.113.0/24',
      '2001:db8::/32',
      'fd00::/8',
    ]);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('lab run forwards SIGTERM to the command by PID, exits 143 and tears the lab down', async () => {
    const cli = startCli(['lab', 'run', '--nat', 'symmetric', '--', 'sleep', '60']);
    await cli.stderrLine(/ready; running sleep/);
    const inLan = await run('ip', ['netns', 'pids', `idl-${cli.pid}-0-lan`]);
    const inPub = await run('ip', ['netns', 'pids', `idl-${cli.pid}-0-pub`]);
    const started = [...pidsIn(inLan.stdout), ...pidsIn(inPub.stdout)];
    expect(started.length).toBeGreaterThanOrEqual(1);
    process.kill(cli.pid, 'SIGTERM');
    const { code, stderr } = await cli.done;
    expect(code, stderr).toBe(143);
    expect(started.filter(pidAlive)).toEqual([]);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('SIGTERM while the lab is being built: the build ends, is torn down, exit 143', async () => {
    const cli = startCli(['lab', '--nat', 'symmetric']);
    await cli.stderrLine(/creating the network namespaces/);
    process.kill(cli.pid, 'SIGTERM');
    const { code, stdout, stderr } = await cli.done;
    expect(code, stderr).toBe(143);
    expect(stdout).toBe('');
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('started via sudo (SUDO_UID/SUDO_GID): the command runs as that user, with its HOME', async () => {
    const cli = startCli(['lab', 'run', '--nat', 'open', '--', 'sh', '-c', 'id -u; id -g; echo "$HOME"'], {
      SUDO_UID: '65534',
      SUDO_GID: '65534',
    });
    const { code, stdout, stderr } = await cli.done;
    expect(code, stderr).toBe(0);
    const home = (await run('getent', ['passwd', '65534'])).stdout.split(':')[5];
    expect(stdout.trim().split('\n')).toEqual(['65534', '65534', home]);
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });

  it('not started via sudo: the command runs as root', async () => {
    const cli = startCli(['lab', 'run', '--nat', 'open', '--', 'id', '-u']);
    const { code, stdout, stderr } = await cli.done;
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('0');
  });

  it('a command that does not exist: one line, exit 127, nothing built', async () => {
    const cli = startCli(['lab', 'run', '--nat', 'symmetric', '--', 'no-such-command-icd']);
    const { code, stderr } = await cli.done;
    expect(code).toBe(127);
    expect(stderr.trim()).toBe('ice-doctor: lab run: command not found: no-such-command-icd');
    expect(await namespacesOf(cli.pid)).toEqual([]);
  });
});
