/**
 * One relay bench run: starts every target at once (pinned to the server CPU; the ones not under load sit
 * idle), opens a flow set and an echo set per target, measures the cells in interleaved rounds, keeps the
 * best round of each, then measures allocations on fresh TURN servers, also in rounds.
 */
import { existsSync } from 'node:fs';
import { TURNSERVER } from '../../lab/coturn.js';
import type {
  AllocationResult,
  BindingCell,
  LatencyCell,
  TargetName,
  TargetResult,
  ThroughputCell,
} from '../../lab/relay-bench-results.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { measureAllocations } from './allocations.js';
import { startCoturn } from './coturn-target.js';
import { EchoClient } from './echo-api.js';
import { startForwarder } from './forwarder-target.js';
import { GeneratorClient, type Load } from './generator-api.js';
import { startIceDoctor } from './ice-doctor-target.js';
import { runLoad } from './load-run.js';
import { bindingCell, latencyCell, throughputCell } from './results.js';
import { bestAllocations, bestBinding, bestLatency, bestThroughput } from './rounds.js';
import type { BenchSettings } from './settings.js';
import type { RunningTarget, TurnTargetOptions } from './target.js';

/** The forwarder stops by itself after this long, in ms, whatever happens to the bench. */
const FORWARDER_LIFETIME_MS = 900_000;
/** A peer address for the allocation test's channels: nothing is sent to it. */
const IDLE_PEER: TransportAddress = { address: '127.0.0.1', port: 9, family: 'IPv4' };
/** Flow set name suffix of a TURN target's Binding flows. */
const BINDING_SET = '/binding';

/** One column while it is measured: its process, its result so far, every round's cells. */
interface Column {
  name: TargetName;
  target: RunningTarget | undefined;
  result: TargetResult;
  throughput: Map<number, ThroughputCell[]>;
  latency: LatencyCell[];
  binding: BindingCell[];
  allocations: AllocationResult[];
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `items` rotated left by `by` (the targets' turn order in a round). */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The bench's workers, its settings, and every target process alive. */
export class BenchRun {
  private readonly generator = GeneratorClient.start();
  private readonly echo = EchoClient.start();
  private readonly alive = new Set<RunningTarget>();

  constructor(
    private readonly s: BenchSettings,
    private readonly nodeFlags: readonly string[],
    private readonly cli: string,
  ) {}

  /** PIDs of the targets alive now (for cleanup when the bench is interrupted). */
  get pids(): number[] {
    return [...this.alive].map((t) => t.pid);
  }

  private async launch(name: TargetName, peers: TransportAddress[]): Promise<RunningTarget | undefined> {
    const turn: TurnTargetOptions = {
      cpu: this.s.serverCpu,
      relayPorts: this.s.relayPorts,
      // Both allocation phases: coturn keeps a deleted allocation's session and port for a while.
      quota: 2 * this.s.allocations.count + this.s.allocations.warmup + 2 * this.s.flows + 100,
      nodeFlags: this.nodeFlags,
      cli: this.cli,
    };
    let target: RunningTarget | undefined;
    if (name === 'ice-doctor') target = await startIceDoctor(turn);
    else if (name === 'coturn') {
      if (!existsSync(TURNSERVER)) throw new Error(`${TURNSERVER} is not installed`);
      target = await startCoturn(turn);
    } else if (name === 'forwarder')
      target = await startForwarder(this.s.serverCpu, peers, FORWARDER_LIFETIME_MS, this.nodeFlags);
    if (target) this.alive.add(target);
    return target;
  }

  private async stop(target: RunningTarget | undefined): Promise<void> {
    if (!target) return;
    this.alive.delete(target);
    await target.stop();
  }

  /** Starts the column's target and opens its flows (and Binding flows), the echo sockets pointing back. */
  private async open(c: Column): Promise<void> {
    const peers = await this.echo.open(c.name, this.s.flows);
    const target = await this.launch(c.name, peers);
    c.target = target;
    c.result.command = target?.command ?? 'generator → echo peer, no relay (both on the generator CPU)';
    c.result.cpus = target?.cpus ?? null;
    if (target?.turn) {
      const opened = await this.generator.open(c.name, { kind: 'turn', ...target.turn, peers });
      await this.echo.connect(c.name, opened.relayed);
      const server = target.turn.server;
      await this.generator.open(c.name + BINDING_SET, {
        kind: 'direct',
        destinations: peers.map(() => server),
      });
    } else if (target?.forwarded) {
      await this.generator.open(c.name, {
        kind: 'direct',
        destinations: target.forwarded.map((f) => f.front),
      });
      await this.echo.connect(
        c.name,
        target.forwarded.map((f) => f.back),
      );
    } else {
      const opened = await this.generator.open(c.name, { kind: 'direct', destinations: peers });
      await this.echo.connect(c.name, opened.local);
    }
  }

  /** Runs one cell on every column still without an error, in `order`; a failure ends that column. */
  private async cell(order: readonly Column[], measure: (c: Column) => Promise<void>): Promise<void> {
    for (const c of order) {
      if (c.result.error) continue;
      try {
        await measure(c);
      } catch (err) {
        c.result.error = message(err);
      }
    }
  }

  /** One round: every payload size, then latency, then Binding, each cell on every column in turn. */
  private async round(columns: readonly Column[], index: number): Promise<void> {
    const { s } = this;
    const order = rotated(columns, index);
    const pid = (c: Column): number | null => c.target?.pid ?? null;
    for (const payloadBytes of s.payloadsBytes) {
      const load: Load = {
        kind: 'saturate',
        packet: 'channel-data',
        payloadBytes,
        windowPerFlow: s.windowPerFlow,
      };
      await this.cell(order, async (c) => {
        const w = await runLoad(this.generator, c.name, load, pid(c), s.throughput);
        c.throughput.get(payloadBytes)!.push(throughputCell(w, payloadBytes));
      });
    }
    const { ratePerS, payloadBytes } = s.latency;
    await this.cell(order, async (c) => {
      const w = await runLoad(
        this.generator,
        c.name,
        { kind: 'paced', payloadBytes, ratePerS },
        pid(c),
        s.latency,
      );
      c.latency.push(latencyCell(w, ratePerS, payloadBytes));
    });
    const binding: Load = {
      kind: 'saturate',
      packet: 'binding',
      payloadBytes: 0,
      windowPerFlow: s.windowPerFlow,
    };
    await this.cell(
      order.filter((c) => c.target?.turn),
      async (c) => {
        c.binding.push(
          bindingCell(await runLoad(this.generator, c.name + BINDING_SET, binding, pid(c), s.binding)),
        );
      },
    );
  }

  /** Allocations/s and memory per allocation of one column, on a fresh server. */
  private async allocationRound(c: Column): Promise<void> {
    const target = await this.launch(c.name, []);
    try {
      if (target?.turn)
        c.allocations.push(
          await measureAllocations(target.turn, target.pid, { ...this.s.allocations, peer: IDLE_PEER }),
        );
    } finally {
      await this.stop(target);
    }
  }

  /** Measures every column of `names`; a column that fails keeps its error and what it measured before. */
  async run(names: readonly TargetName[], progress: (line: string) => void): Promise<TargetResult[]> {
    const columns: Column[] = names.map((name) => ({
      name,
      target: undefined,
      result: {
        name,
        command: null,
        cpus: null,
        throughput: [],
        latency: null,
        binding: null,
        allocations: null,
      },
      throughput: new Map(this.s.payloadsBytes.map((p) => [p, []])),
      latency: [],
      binding: [],
      allocations: [],
    }));
    try {
      for (const c of columns) {
        progress(`starting ${c.name}`);
        try {
          await this.open(c);
        } catch (err) {
          c.result.error = message(err);
        }
      }
      for (let r = 0; r < this.s.rounds; r++) {
        progress(`round ${r + 1} of ${this.s.rounds}`);
        await this.round(columns, r);
      }
    } finally {
      await this.generator.close();
      await this.echo.close();
      for (const c of columns) await this.stop(c.target);
    }
    const turn = columns.filter((c) => (c.name === 'ice-doctor' || c.name === 'coturn') && !c.result.error);
    for (let r = 0; r < this.s.allocations.rounds; r++) {
      progress(`allocations, round ${r + 1} of ${this.s.allocations.rounds}`);
      await this.cell(rotated(turn, r), (c) => this.allocationRound(c));
    }
    for (const c of columns) {
      c.result.throughput = this.s.payloadsBytes.flatMap((p) => bestThroughput(c.throughput.get(p)!) ?? []);
      c.result.latency = bestLatency(c.latency) ?? null;
      c.result.binding = bestBinding(c.binding) ?? null;
      c.result.allocations = bestAllocations(c.allocations) ?? null;
    }
    return columns.map((c) => c.result);
  }

  /** Ends both worker threads and stops any target still alive. */
  async close(): Promise<void> {
    for (const t of [...this.alive]) await this.stop(t);
    await Promise.all([this.generator.terminate(), this.echo.terminate()]);
  }
}
