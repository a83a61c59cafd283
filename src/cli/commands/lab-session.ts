import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { UserError } from '../../errors.js';
import type { LabNat } from '../../lab/lab-nats.js';
import { labRefusal } from '../../lab/preflight.js';
import { killPid } from '../../lab/processes.js';
import { destroyLab } from '../../lab/topology.js';
import { labEnv, openUserLab, type UserLab } from '../../lab/user-lab.js';
import { findCommand } from '../config/lab-flags.js';
import { labLine, renderLabText } from '../render/lab.js';
import { labRunAs } from './lab-run-as.js';

/** How often `lab` checks that its bundled server still runs, in ms. */
const SERVER_WATCH_MS = 500;

/** Exit code of `lab run` when the command is not found (as a shell says it). */
const COMMAND_NOT_FOUND = 127;

/** One progress line on stderr (stdout stays the output: the description, the JSON line, the command's). */
function say(line: string): void {
  process.stderr.write(`lab: ${line}\n`);
}

/** The shell's exit code for a process ended by `signal`: 128 + its number (SIGINT → 130). */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * The first SIGINT/SIGTERM/SIGHUP received while the lab is up, instead of Node's default of dying at once
 * (which would leave the namespaces behind). `listen` gets every one; `release` restores the defaults.
 */
interface SignalCatcher {
  readonly first: () => NodeJS.Signals | null;
  listen(handler: (signal: NodeJS.Signals) => void): void;
  release(): void;
}

function catchSignals(): SignalCatcher {
  let first: NodeJS.Signals | null = null;
  const handlers: ((signal: NodeJS.Signals) => void)[] = [];
  const onSignal = (signal: NodeJS.Signals): void => {
    first ??= signal;
    for (const handler of handlers) handler(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  return {
    first: () => first,
    listen: (handler) => void handlers.push(handler),
    release: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}

/**
 * Refuses, with one line naming why (not Linux, not root, no `ip netns` …), when the lab cannot run here.
 * @throws UserError `lab-unavailable`, exit 2.
 */
async function refuseUnlessAvailable(): Promise<void> {
  const refusal = await labRefusal();
  if (refusal !== null) throw new UserError('lab-unavailable', refusal, 2);
}

/** This CLI's own entry script, which the lab runs as the bundled server (`node <it> serve …`). */
function ownCliPath(): string {
  const script = process.argv[1];
  if (script === undefined) throw new Error('lab: cannot tell which script this CLI runs from');
  return realpathSync(script);
}

/**
 * Builds the lab of `nat` and runs `body` with it, with signals caught from before the first namespace
 * exists until the last is gone; tears the lab down whatever happens. A signal during the build skips
 * `body` and sets the exit code to 128 + the signal's number (a terminal's Ctrl-C also reaches the build's
 * own commands, so the build may fail then: that is not reported).
 * @throws UserError `lab-build` (exit 1) when the build fails without a signal (what was built is gone).
 */
async function withUserLab(
  nat: LabNat,
  body: (userLab: UserLab, signals: SignalCatcher) => Promise<void>,
): Promise<void> {
  const signals = catchSignals();
  let userLab: UserLab | undefined;
  try {
    try {
      userLab = await openUserLab(nat, ownCliPath(), say);
    } catch (err) {
      if (signals.first() === null)
        throw new UserError('lab-build', `could not build the lab: ${(err as Error).message}`, 1);
    }
    const early = signals.first();
    if (early !== null) process.exitCode = signalExitCode(early);
    else if (userLab !== undefined) await body(userLab, signals);
  } finally {
    if (userLab !== undefined) {
      say('tearing down');
      await destroyLab(userLab.lab);
    }
    signals.release();
  }
}

/**
 * `ice-doctor lab --nat NAME`: builds the lab, prints what was built (text, or one JSON line with `json`)
 * and keeps it until SIGINT/SIGTERM/SIGHUP (exit 0), then tears it down.
 * @param program how to run this CLI from the user's shell, for the printed hints.
 * @throws UserError `lab-unavailable` (exit 2) when the lab cannot run here; `lab-server` (exit 1) when the
 *   bundled server exits while the lab runs (the lab is torn down first).
 */
export async function holdLab(nat: LabNat, options: { json: boolean; program: string }): Promise<void> {
  await refuseUnlessAvailable();
  let serverDied = false;
  await withUserLab(nat, async (userLab, signals) => {
    process.stdout.write(
      options.json ? `${JSON.stringify(labLine(userLab))}\n` : renderLabText(userLab, options.program),
    );
    await new Promise<void>((resolve) => {
      const watch = setInterval(() => {
        if (userLab.server.proc.isRunning()) return;
        serverDied = true;
        stop();
      }, SERVER_WATCH_MS);
      const stop = (): void => {
        clearInterval(watch);
        resolve();
      };
      signals.listen(stop);
    });
    if (serverDied)
      say(`the bundled server exited; its last lines:\n${userLab.server.proc.lines.slice(-10).join('\n')}`);
  });
  if (serverDied) throw new UserError('lab-server', 'the bundled server in the lab exited; lab torn down', 1);
}

/**
 * `ice-doctor lab run --nat NAME -- CMD ARGS…`: builds the lab, runs CMD in its client namespace (`ip netns
 * exec <lan> CMD ARGS…`, stdio inherited, the caller's environment plus {@link labEnv}'s variables; started
 * via sudo, as the sudo user through `setpriv`: {@link labRunAs}), and
 * exits with CMD's exit code (128 + n when a signal ended it). SIGINT/SIGTERM/SIGHUP are forwarded to CMD
 * by its PID; a second one kills it (SIGKILL). The lab is torn down once CMD has exited.
 * @throws UserError `lab-unavailable` (exit 2) when the lab cannot run here. A CMD not found is said on one
 *   line before anything is built, exit 127. UserError `lab-run-as` (exit 2) when started via sudo and
 *   `setpriv` is missing (nothing built).
 */
export async function runInLab(nat: LabNat, argv: readonly string[]): Promise<void> {
  await refuseUnlessAvailable();
  const [command, ...args] = argv;
  if (command === undefined || findCommand(command, process.env.PATH ?? '') === null) {
    process.stderr.write(`ice-doctor: lab run: command not found: ${command ?? '(none)'}\n`);
    process.exitCode = COMMAND_NOT_FOUND;
    return;
  }
  let runAs: ReturnType<typeof labRunAs>;
  try {
    runAs = labRunAs(process.env, process.geteuid?.() ?? -1);
  } catch (err) {
    throw new UserError('lab-run-as', (err as Error).message, 2);
  }
  await withUserLab(nat, async (userLab, signals) => {
    say(`${nat} ready; running ${command} in ${userLab.lab.ns.lan}`);
    const child = spawn('ip', ['netns', 'exec', userLab.lab.ns.lan, ...runAs.prefix, command, ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...runAs.env, ...labEnv(userLab) },
    });
    const ended = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(signal ? signalExitCode(signal) : (code ?? 1)));
    });
    let forwarded = 0;
    signals.listen((signal) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      killPid(child.pid, forwarded++ === 0 ? signal : 'SIGKILL');
    });
    process.exitCode = await ended;
  });
}
