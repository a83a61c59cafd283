import { clientKey } from './client-key.js';
import { type FdLimit, readFdLimit } from './fd-limit.js';

/** The limits of a {@link ConnectionBudget}, in connections. */
export interface ConnectionBudgetLimits {
  /** Accepted connections open at once over every listener of the process. */
  total: number;
  /** Of those, from one client (an IPv4 address, an IPv6 /64). */
  perIp: number;
}

/** Whether a connection was admitted; when it was, `release` must be called once when it closes. */
export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; reason: 'total' | 'per-ip'; limit: number };

/** Descriptors kept for the process itself: listeners, stdio, the event loop, files, DNS. */
export const FD_BASELINE = 64;
/** Connections one client may hold at once by default (`--max-connections-per-ip`). */
export const DEFAULT_CONNECTIONS_PER_IP = 100;
/** Where no descriptor limit can be read (not Linux), the connection budget assumes this soft limit. */
export const ASSUMED_FD_LIMIT = 1024;

/**
 * One budget of accepted connections (TURN over TCP and TLS, HTTP, HTTPS, and the WebSockets that live on
 * them) shared by every listener of a process, so that descriptors cannot run out for the whole process
 * from one kind of connection. A connection is admitted while the process holds fewer than `total` and
 * its client fewer than `perIp`; otherwise it is refused (the caller destroys the socket at once).
 * Clients are keyed as the auth limiter keys them (`clientKey`: an IPv4 address, an IPv6 /64,
 * IPv4-mapped IPv6 as IPv4).
 */
export class ConnectionBudget {
  private openNow = 0;
  private readonly perClient = new Map<string, number>();

  /** @throws RangeError when a limit is not a positive integer. */
  constructor(readonly limits: ConnectionBudgetLimits) {
    for (const [name, v] of Object.entries(limits))
      if (!(Number.isInteger(v) && v > 0))
        throw new RangeError(`connection budget ${name} must be a positive integer, not ${v}`);
  }

  /** Connections admitted and not yet released. */
  get open(): number {
    return this.openNow;
  }

  /** Connections held now by the client of `ip` (0 when none). */
  heldBy(ip: string): number {
    return this.perClient.get(clientKey(ip)) ?? 0;
  }

  /**
   * Admits one connection from `ip` (the socket's `remoteAddress`), or refuses it with the limit reached.
   * A socket without a remote address (already closed) is refused as over `total`.
   */
  admit(ip: string | undefined): Admission {
    if (ip === undefined) return { ok: false, reason: 'total', limit: this.limits.total };
    if (this.openNow >= this.limits.total) return { ok: false, reason: 'total', limit: this.limits.total };
    const key = clientKey(ip);
    const held = this.perClient.get(key) ?? 0;
    if (held >= this.limits.perIp) return { ok: false, reason: 'per-ip', limit: this.limits.perIp };
    this.openNow++;
    this.perClient.set(key, held + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.openNow--;
        const left = (this.perClient.get(key) ?? 1) - 1;
        if (left === 0) this.perClient.delete(key);
        else this.perClient.set(key, left);
      },
    };
  }
}

/**
 * The connection limit a descriptor limit allows: half of what is left above {@link FD_BASELINE}, so the
 * other half stays for relay sockets (one UDP socket per allocation) however many connections are open.
 * A soft limit of 1,024 gives 480 connections; 1,048,576 gives 524,256.
 * @param fd the process's limit (null: unknown, {@link ASSUMED_FD_LIMIT} is assumed).
 */
export function connectionLimitFor(fd: FdLimit | null): number {
  const soft = fd === null ? ASSUMED_FD_LIMIT : Math.min(fd.soft, 2 ** 30);
  return Math.max(16, Math.floor((soft - FD_BASELINE) / 2));
}

/**
 * Relay sockets the descriptor limit leaves once the connection budget is full: what allocations can
 * count on (an Allocate beyond it gets 508 with EMFILE).
 */
export function relaySocketsFor(fd: FdLimit | null, total: number): number {
  const soft = fd === null ? ASSUMED_FD_LIMIT : Math.min(fd.soft, 2 ** 30);
  return Math.max(0, soft - FD_BASELINE - total);
}

let processBudget: ConnectionBudget | undefined;

/**
 * The budget every listener of this process shares unless given its own: total from this process's
 * descriptor limit ({@link connectionLimitFor}), {@link DEFAULT_CONNECTIONS_PER_IP} per client. Created on
 * first use; `configure` (from `serve --max-connections-per-ip`) replaces it before any listener starts.
 */
export function processConnectionBudget(configure?: Partial<ConnectionBudgetLimits>): ConnectionBudget {
  if (configure !== undefined || processBudget === undefined)
    processBudget = new ConnectionBudget({
      total: configure?.total ?? connectionLimitFor(readFdLimit()),
      perIp: configure?.perIp ?? DEFAULT_CONNECTIONS_PER_IP,
    });
  return processBudget;
}
