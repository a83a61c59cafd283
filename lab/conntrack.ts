import { nsRun } from '../src/lab/exec.js';

/** One direction of a conntrack entry: addresses and ports as the packets of that direction carry them. */
export interface FlowTuple {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
}

/** One UDP entry of a namespace's conntrack table (`conntrack -L -p udp`). */
export interface UdpFlow {
  /** Seconds left before the entry expires (refreshed by every packet of the flow). */
  readonly timeoutS: number;
  /** The first packet's direction (before NAT). */
  readonly original: FlowTuple;
  /** The direction an answer takes: after a source NAT its `dst` is the translated address. */
  readonly reply: FlowTuple;
}

const TUPLE = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/g;

/**
 * Parses one line of `conntrack -L -p udp` (`udp 17 <timeout s> src=… dst=… sport=… dport=… [UNREPLIED]
 * src=… dst=… sport=… dport=… …`), or null for any other line (the summary conntrack prints, other protocols).
 */
export function parseUdpFlow(line: string): UdpFlow | null {
  const head = /^udp\s+17\s+(\d+)\s/.exec(line);
  const tuples = [...line.matchAll(TUPLE)].map(
    ([, src, dst, sport, dport]): FlowTuple => ({
      src: src!,
      dst: dst!,
      sport: Number(sport),
      dport: Number(dport),
    }),
  );
  if (!head || tuples.length < 2) return null;
  return { timeoutS: Number(head[1]), original: tuples[0]!, reply: tuples[1]! };
}

/**
 * The UDP entries of network namespace `ns`'s conntrack table, read with `conntrack -L -p udp`.
 * @throws Error when conntrack fails (no such namespace, conntrack missing).
 */
export async function udpFlows(ns: string): Promise<UdpFlow[]> {
  const listed = await nsRun(ns, 'conntrack', ['-L', '-p', 'udp']);
  return listed.stdout
    .split('\n')
    .map(parseUdpFlow)
    .filter((flow): flow is UdpFlow => flow !== null);
}
