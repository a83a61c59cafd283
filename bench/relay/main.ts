/**
 * Relay benchmark (`npm run bench`): on loopback, with the server under test pinned to CPU 0 and the load
 * generator and echo peer (worker threads of this process) pinned to CPU 1, measures side by side
 * - ice-doctor's bundled TURN server (`node dist/cli.js serve`),
 * - coturn (`/usr/bin/turnserver`, one relay thread),
 * - a plain Node UDP forwarder (no STUN, no lookups: the practical limit of a JavaScript relay),
 * - the generator's own ceiling (generator straight to the echo peer),
 * then prints the table and writes bench/results/relay-<timestamp>.json.
 *
 * Usage: `node bench/relay-bench.mjs [--quick] [--out FILE] [--targets ice-doctor,coturn,forwarder,ceiling]
 * [--cpu-prof DIR] [--cli PATH]`. `--quick` is the CI smoke test's mode (tiny durations and counts, well under
 * 40 s); `--cpu-prof DIR` runs the Node servers (ice-doctor, forwarder) with `node --cpu-prof`, profiles in
 * DIR; `--cli PATH` benches another build of ice-doctor's CLI than dist/cli.js (before/after comparisons).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { resolve } from 'node:path';
import type { TransportAddress } from '../../src/stun/address.js';
import { TURNSERVER } from '../../test/helpers/coturn.js';
import { measureAllocations } from './allocations.js';
import { startCoturn } from './coturn-target.js';
import { EchoClient } from './echo-api.js';
import { startForwarder } from './forwarder-target.js';
import { GeneratorClient, type OpenFlows } from './generator-api.js';
import { checkGoals } from './goals.js';
import { CLI, startIceDoctor } from './ice-doctor-target.js';
import { type RunTiming, runLoad } from './load-run.js';
import { pinProcess } from './pinned-child.js';
import {
  bindingCell,
  DEFINITIONS,
  latencyCell,
  type RelayBenchResults,
  type TargetResult,
  throughputCell,
  writeResults,
} from './results.js';
import { renderTable } from './table.js';
import { type RunningTarget, TARGET_NAMES, type TargetName, type TurnTargetOptions } from './target.js';

/** Everything that shapes a run. */
interface BenchSettings {
  /** CPU of the server under test; the generator and echo peer get `generatorCpu`. */
  serverCpu: number;
  generatorCpu: number;
  /**
   * Client flows (allocations, forwarder flows) and datagrams in flight per flow when saturating; the total
   * in flight (64) fits the default 208 KiB receive buffer of a server socket even at 1200 bytes.
   */
  flows: number;
  windowPerFlow: number;
  payloadsBytes: number[];
  throughput: RunTiming;
  latency: RunTiming & { ratePerS: number; payloadBytes: number };
  binding: RunTiming;
  allocations: { count: number; warmup: number; concurrency: number; settleMs: number };
  /** Relay port range of both TURN servers (outside Linux's default ephemeral range 32768–60999). */
  relayPorts: { min: number; max: number };
}

const FULL: BenchSettings = {
  serverCpu: 0,
  generatorCpu: 1,
  flows: 8,
  windowPerFlow: 8,
  payloadsBytes: [100, 500, 1200],
  throughput: { warmupMs: 1000, durationMs: 4000, drainMs: 300 },
  latency: { warmupMs: 500, durationMs: 3000, drainMs: 300, ratePerS: 2000, payloadBytes: 100 },
  binding: { warmupMs: 1000, durationMs: 3000, drainMs: 300 },
  allocations: { count: 2000, warmup: 50, concurrency: 16, settleMs: 1000 },
  relayPorts: { min: 61000, max: 64999 },
};

const QUICK: BenchSettings = {
  ...FULL,
  flows: 4,
  windowPerFlow: 8,
  throughput: { warmupMs: 200, durationMs: 500, drainMs: 200 },
  latency: { warmupMs: 200, durationMs: 500, drainMs: 200, ratePerS: 500, payloadBytes: 100 },
  binding: { warmupMs: 200, durationMs: 500, drainMs: 200 },
  allocations: { count: 40, warmup: 5, concurrency: 8, settleMs: 200 },
};

/** The forwarder stops by itself after this long, in ms, whatever happens to the bench. */
const FORWARDER_MAX_MS = 300_000;
/** A peer address for the allocation test's channels: nothing is sent to it. */
const IDLE_PEER: TransportAddress = { address: '127.0.0.1', port: 9, family: 'IPv4' };

interface Args {
  quick: boolean;
  out: string | undefined;
  targets: TargetName[];
  /** Node flags of the Node servers under test. */
  nodeFlags: string[];
  /** ice-doctor's CLI under test. */
  cli: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, out: undefined, targets: [...TARGET_NAMES], nodeFlags: [], cli: CLI };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') args.quick = true;
    else if (argv[i] === '--out') args.out = argv[++i];
    else if (argv[i] === '--cli') args.cli = resolve(argv[++i] ?? CLI);
    else if (argv[i] === '--cpu-prof') args.nodeFlags = ['--cpu-prof', '--cpu-prof-dir', argv[++i] ?? '.'];
    else if (argv[i] === '--targets') {
      const names = (argv[++i] ?? '').split(',');
      const bad = names.filter((n) => !(TARGET_NAMES as readonly string[]).includes(n));
      if (bad.length > 0)
        throw new Error(`unknown target(s) ${bad.join(', ')}; known: ${TARGET_NAMES.join(', ')}`);
      args.targets = names as TargetName[];
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

function coturnVersion(): string | null {
  if (!existsSync(TURNSERVER)) return null;
  try {
    return execFileSync(TURNSERVER, ['--version'], { encoding: 'utf8' }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** The running bench: its workers, settings, and the one target process alive at a time. */
class RelayBench {
  private readonly generator = GeneratorClient.start();
  private readonly echo = EchoClient.start();
  private current: RunningTarget | undefined;

  constructor(
    private readonly s: BenchSettings,
    private readonly nodeFlags: readonly string[],
    private readonly cli: string,
  ) {}

  /** The PID of the target alive now, if any (for cleanup when the bench is interrupted). */
  get currentPid(): number | undefined {
    return this.current?.pid;
  }

  private async launch(name: TargetName, peers: TransportAddress[]): Promise<RunningTarget | undefined> {
    const turn: TurnTargetOptions = {
      cpu: this.s.serverCpu,
      relayPorts: this.s.relayPorts,
      quota: this.s.allocations.count + this.s.allocations.warmup + this.s.flows + 100,
      nodeFlags: this.nodeFlags,
      cli: this.cli,
    };
    if (name === 'ice-doctor') this.current = await startIceDoctor(turn);
    else if (name === 'coturn') this.current = await startCoturn(turn);
    else if (name === 'forwarder')
      this.current = await startForwarder(this.s.serverCpu, peers, FORWARDER_MAX_MS, this.nodeFlags);
    else this.current = undefined;
    return this.current;
  }

  private async stopTarget(): Promise<void> {
    const t = this.current;
    this.current = undefined;
    await t?.stop();
  }

  /** Opens the generator's flows through `target` and points the echo sockets back at whatever sends to them. */
  private async openFlows(target: RunningTarget | undefined, peers: TransportAddress[]): Promise<OpenFlows> {
    let opened: OpenFlows;
    if (target?.turn) {
      opened = await this.generator.open({ kind: 'turn', ...target.turn, peers });
      await this.echo.connect(opened.relayed);
    } else if (target?.forwarded) {
      opened = await this.generator.open({
        kind: 'direct',
        destinations: target.forwarded.map((f) => f.front),
      });
      await this.echo.connect(target.forwarded.map((f) => f.back));
    } else {
      opened = await this.generator.open({ kind: 'direct', destinations: peers });
      await this.echo.connect(opened.local);
    }
    return opened;
  }

  /** Throughput at every payload size, latency at the fixed rate, and Binding requests/s for TURN servers. */
  private async relayFigures(name: TargetName, result: TargetResult): Promise<void> {
    const { s } = this;
    const peers = await this.echo.open(s.flows);
    try {
      const target = await this.launch(name, peers);
      result.command = target?.command ?? 'generator → echo peer, no relay (both on the generator CPU)';
      result.cpus = target?.cpus ?? null;
      const pid = target?.pid ?? null;
      await this.openFlows(target, peers);
      for (const payloadBytes of s.payloadsBytes) {
        const load = {
          kind: 'saturate',
          packet: 'channel-data',
          payloadBytes,
          windowPerFlow: s.windowPerFlow,
        } as const;
        result.throughput.push(
          throughputCell(await runLoad(this.generator, load, pid, s.throughput), payloadBytes),
        );
      }
      const { ratePerS, payloadBytes } = s.latency;
      const paced = await runLoad(this.generator, { kind: 'paced', payloadBytes, ratePerS }, pid, s.latency);
      result.latency = latencyCell(paced, ratePerS, payloadBytes);
      if (target?.turn) {
        await this.generator.open({ kind: 'direct', destinations: peers.map(() => target.turn!.server) });
        const load = {
          kind: 'saturate',
          packet: 'binding',
          payloadBytes: 0,
          windowPerFlow: s.windowPerFlow,
        } as const;
        result.binding = bindingCell(await runLoad(this.generator, load, pid, s.binding));
      }
    } finally {
      await this.generator.close();
      await this.echo.close();
      await this.stopTarget();
    }
  }

  /** Allocations/s and memory per allocation, on a fresh TURN server. */
  private async allocationFigures(name: TargetName, result: TargetResult): Promise<void> {
    try {
      const target = await this.launch(name, []);
      if (!target?.turn) return;
      result.allocations = await measureAllocations(target.turn, target.pid, {
        ...this.s.allocations,
        peer: IDLE_PEER,
      });
    } finally {
      await this.stopTarget();
    }
  }

  /** Every figure of one column; a failure is recorded in the column and the bench goes on. */
  async column(name: TargetName): Promise<TargetResult> {
    const result: TargetResult = {
      name,
      command: null,
      cpus: null,
      throughput: [],
      latency: null,
      binding: null,
      allocations: null,
    };
    try {
      if (name === 'coturn' && !existsSync(TURNSERVER)) throw new Error(`${TURNSERVER} is not installed`);
      await this.relayFigures(name, result);
      if (name === 'ice-doctor' || name === 'coturn') await this.allocationFigures(name, result);
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
    }
    return result;
  }

  /** Ends both worker threads. */
  async close(): Promise<void> {
    await Promise.all([this.generator.terminate(), this.echo.terminate()]);
  }
}

/** Runs the bench, prints the table and the results path. */
export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const s = args.quick ? QUICK : FULL;
  const started = new Date();
  const cpus = availableParallelism();
  const pinned = cpus >= 2;
  if (pinned) pinProcess(process.pid, s.generatorCpu);
  else process.stderr.write('fewer than 2 CPUs: nothing is pinned, figures mix generator and server\n');
  const bench = new RelayBench(s, args.nodeFlags, args.cli);
  const cleanup = (): void => {
    const pid = bench.currentPid;
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  const targets: TargetResult[] = [];
  try {
    for (const name of args.targets) {
      process.stderr.write(`relay bench: ${name} ...\n`);
      targets.push(await bench.column(name));
    }
  } finally {
    await bench.close();
  }
  const goals = checkGoals(targets);
  const results: RelayBenchResults = {
    schemaVersion: 1,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    quick: args.quick,
    environment: { node: process.version, kernel: release(), cpus, coturn: coturnVersion() },
    settings: { ...s, pinned, iceDoctorCli: args.cli },
    definitions: DEFINITIONS,
    targets,
    goals,
  };
  process.stdout.write(`${renderTable(targets, goals, s.latency.ratePerS)}\n`);
  process.stdout.write(`results: ${writeResults(results, args.out)}\n`);
}
