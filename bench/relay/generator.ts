/**
 * The relay bench's load generator (a worker thread; commands in generator-api.ts). Each flow is one UDP
 * socket connected to where it sends, so a send names no address (no lookup per datagram). The measured loop
 * re-sends datagrams built once per load: no allocation per datagram on the sending side. Every load is
 * bounded in time and count ({@link MAX_LOAD_MS}, {@link MAX_LOAD_DATAGRAMS}): past either it stops sending
 * by itself, whether or not the main thread ever says stop.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { percentile } from '../../src/shared/percentile.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { buildMessage } from '../../src/wire/build.js';
import { CHANNEL_DATA_HEADER_BYTES, MIN_CHANNEL } from '../../src/wire/channel-data.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import type {
  FlowPlan,
  GeneratorCommand,
  LatencySummary,
  Load,
  LoadTotals,
  Mark,
  OpenFlows,
} from './generator-api.js';
import { RelaySetupClient } from './setup-client.js';
import { serveRpc } from './worker-rpc.js';

/** How often a saturating load looks for flows that got nothing back (then refills their window), in ms. */
export const STALL_CHECK_MS = 100;
/** How often a paced load sends what is due, in ms. */
export const PACE_TICK_MS = 1;
/** Longest sampling window of a paced load, in s: the latency sample buffer holds rate × this. */
export const MAX_SAMPLED_S = 60;
/** A load stops sending by itself after this long, in ms, even if it is never told to stop. */
export const MAX_LOAD_MS = 60_000;
/** A load stops sending by itself after this many datagrams, even if it is never told to stop. */
export const MAX_LOAD_DATAGRAMS = 20_000_000;
/** Byte offset of the send-time stamp (float64, ms) in a paced datagram: right after the ChannelData header. */
const STAMP_OFFSET = CHANNEL_DATA_HEADER_BYTES;

interface Flow {
  socket: dgram.Socket;
  /** True while its set runs a load (until the load's drain ends): only then are its replies counted. */
  active: boolean;
  /** The datagram of the running load, built once. */
  packet: Buffer;
  inFlight: number;
  received: number;
  receivedAtLastCheck: number;
}

/** Open flows by set name (one set per target); `flows` is the set of the running or last load. */
const sets = new Map<string, Flow[]>();
let flows: Flow[] = [];
let load: Load | null = null;
let sent = 0;
let received = 0;
let errors = 0;
let stalls = 0;
let txCounter = 0;
let timer: NodeJS.Timeout | undefined;
let deadline: NodeJS.Timeout | undefined;
let halted = false;
let samples = new Float64Array(0);
let sampleCount = 0;
let sampling = false;
let marks = 0;

async function bound(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => {
    errors++;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function connect(socket: dgram.Socket, to: TransportAddress): Promise<void> {
  return new Promise((resolve) => socket.connect(to.port, to.address, resolve));
}

function localOf(socket: dgram.Socket): TransportAddress {
  const a = socket.address();
  return { address: a.address, port: a.port, family: 'IPv4' };
}

function send(f: Flow): void {
  if (sent >= MAX_LOAD_DATAGRAMS) {
    halt();
    return;
  }
  try {
    f.socket.send(f.packet);
    sent++;
    f.inFlight++;
  } catch {
    errors++;
  }
}

function onReply(f: Flow, bytes: Buffer): void {
  if (!f.active) return;
  received++;
  f.received++;
  if (f.inFlight > 0) f.inFlight--;
  if (load === null) return;
  if (load.kind === 'saturate') {
    if (halted) return;
    if (load.packet === 'binding') f.packet.writeUInt32BE(txCounter++ >>> 0, 16);
    send(f);
  } else if (sampling && sampleCount < samples.length && bytes.length >= STAMP_OFFSET + 8) {
    samples[sampleCount++] = performance.now() - bytes.readDoubleLE(STAMP_OFFSET);
  }
}

async function openFlow(plan: FlowPlan, i: number): Promise<{ flow: Flow; relayed?: TransportAddress }> {
  const socket = await bound();
  const flow: Flow = {
    socket,
    active: false,
    packet: Buffer.alloc(0),
    inFlight: 0,
    received: 0,
    receivedAtLastCheck: 0,
  };
  let relayed: TransportAddress | undefined;
  if (plan.kind === 'direct') {
    await connect(socket, plan.destinations[i]!);
  } else {
    const session = new RelaySetupClient(socket, plan.server, plan.credentials);
    try {
      relayed = await session.allocate();
      await session.channelBind(MIN_CHANNEL, plan.peers[i]!);
    } finally {
      session.detach();
    }
    await connect(socket, plan.server);
  }
  socket.on('message', (bytes) => onReply(flow, bytes));
  return relayed ? { flow, relayed } : { flow };
}

async function closeSet(name: string): Promise<void> {
  const set = sets.get(name) ?? [];
  sets.delete(name);
  if (set === flows) {
    stopTimer();
    load = null;
    flows = [];
  }
  await Promise.all(set.map((f) => new Promise<void>((resolve) => f.socket.close(() => resolve()))));
}

async function closeFlows(name?: string): Promise<void> {
  for (const n of name === undefined ? [...sets.keys()] : [name]) await closeSet(n);
}

async function open(name: string, plan: FlowPlan): Promise<OpenFlows> {
  await closeSet(name);
  const count = plan.kind === 'direct' ? plan.destinations.length : plan.peers.length;
  const opened = [];
  for (let i = 0; i < count; i++) opened.push(await openFlow(plan, i));
  const set = opened.map((o) => o.flow);
  sets.set(name, set);
  return { local: set.map((f) => localOf(f.socket)), relayed: opened.flatMap((o) => o.relayed ?? []) };
}

function channelData(payloadBytes: number): Buffer {
  const out = Buffer.alloc(CHANNEL_DATA_HEADER_BYTES + payloadBytes, 0x5a);
  out.writeUInt16BE(MIN_CHANNEL, 0);
  out.writeUInt16BE(payloadBytes, 2);
  return out;
}

function bindingRequest(): Buffer {
  return buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: newTransactionId(),
  });
}

function stopTimer(): void {
  clearInterval(timer);
  clearTimeout(deadline);
  timer = deadline = undefined;
}

/** Stops sending (a bound of the load was reached); replies still count until the load is stopped. */
function halt(): void {
  stopTimer();
  halted = true;
}

/** Sends until the flow has `windowPerFlow` datagrams in flight (or the load is halted). */
function fill(f: Flow, windowPerFlow: number): void {
  while (!halted && f.inFlight < windowPerFlow) send(f);
}

function startSaturating(windowPerFlow: number): void {
  for (const f of flows) fill(f, windowPerFlow);
  timer = setInterval(() => {
    for (const f of flows) {
      if (f.received === f.receivedAtLastCheck && f.inFlight > 0) {
        stalls++;
        f.inFlight = 0;
        fill(f, windowPerFlow);
      }
      f.receivedAtLastCheck = f.received;
    }
  }, STALL_CHECK_MS);
}

function startPaced(ratePerS: number): void {
  samples = new Float64Array(Math.ceil(ratePerS * MAX_SAMPLED_S));
  const t0 = performance.now();
  let due = 0;
  let next = 0;
  timer = setInterval(() => {
    const target = Math.floor(((performance.now() - t0) * ratePerS) / 1000);
    for (; due < target && !halted; due++) {
      const f = flows[next++ % flows.length]!;
      f.packet.writeDoubleLE(performance.now(), STAMP_OFFSET);
      send(f);
    }
  }, PACE_TICK_MS);
}

function start(name: string, l: Load): void {
  const set = sets.get(name);
  if (!set || set.length === 0) throw new Error(`no flows open in set ${name}`);
  stopTimer();
  for (const f of flows) f.active = false;
  flows = set;
  sent = received = errors = stalls = sampleCount = marks = 0;
  sampling = halted = false;
  deadline = setTimeout(halt, MAX_LOAD_MS);
  for (const f of flows) {
    f.active = true;
    f.inFlight = f.received = f.receivedAtLastCheck = 0;
    f.packet =
      l.kind === 'saturate' && l.packet === 'binding'
        ? bindingRequest()
        : channelData(Math.max(l.payloadBytes, l.kind === 'paced' ? 8 : 0));
  }
  load = l;
  if (l.kind === 'saturate') startSaturating(l.windowPerFlow);
  else startPaced(l.ratePerS);
}

function mark(): Mark {
  marks++;
  if (load?.kind === 'paced') sampling = marks === 1;
  return { atMs: performance.now(), sent, received };
}

function latency(): LatencySummary | null {
  if (load?.kind !== 'paced') return null;
  const sorted = samples.slice(0, sampleCount).sort();
  return {
    samples: sampleCount,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sampleCount > 0 ? sorted[sampleCount - 1]! : null,
  };
}

async function stop(drainMs: number): Promise<LoadTotals> {
  stopTimer();
  sampling = false;
  const summary = latency();
  load = null;
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  for (const f of flows) f.active = false;
  return { sent, received, lost: Math.max(0, sent - received), stalls, errors, latency: summary };
}

serveRpc(async (command) => {
  const c = command as GeneratorCommand;
  switch (c.type) {
    case 'open':
      return open(c.set, c.plan);
    case 'start':
      return start(c.set, c.load);
    case 'mark':
      return mark();
    case 'stop':
      return stop(c.drainMs);
    case 'close':
      return closeFlows(c.set);
  }
});
