import { randomBytes, randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import { BindError, bindUdpNow } from '../../stun/bind.js';
import { closeQuietly } from '../../stun/ports.js';

/** An inclusive UDP port range for relayed transport addresses, e.g. 49152–65535 (coturn's default). */
export interface PortRange {
  min: number;
  max: number;
}

/** The default relay port range: the IANA dynamic ports, as coturn. */
export const DEFAULT_RELAY_PORTS: PortRange = { min: 49152, max: 65535 };

/** How long a port reserved by EVEN-PORT's R bit is held for the RESERVATION-TOKEN, in ms (RFC 8656 §7.2: ~30 s). */
export const RESERVATION_HOLD_MS = 30_000;

/** Most ports tried for one relay socket before answering 508. */
export const MAX_PORT_TRIES = 64;

/** A bound relay socket, or why none could be had. */
export type RelayBind =
  | { ok: true; socket: dgram.Socket; port: number; reservationToken?: Buffer }
  | { ok: false; reason: 'port-range' | 'bad-token' };

interface Reservation {
  socket: dgram.Socket;
  port: number;
  expiresAtMs: number;
}

/**
 * Hands out relay sockets (RFC 8656 §7.2, steps for EVEN-PORT and RESERVATION-TOKEN) from one port range on
 * one relay IP, and owns the sockets it reserves: it knows which ports it gave out, tries random ports of the
 * range (at most {@link MAX_PORT_TRIES}), and keeps a port reserved by EVEN-PORT's R bit bound until the
 * token is redeemed or {@link RESERVATION_HOLD_MS} passes ({@link sweep}).
 */
export class RelayPorts {
  private readonly inUse = new Set<number>();
  private readonly reservations = new Map<string, Reservation>();

  constructor(
    private readonly ip: string,
    private readonly range: PortRange,
  ) {}

  /** Ports currently bound through this pool, reserved ones included. */
  get boundCount(): number {
    return this.inUse.size;
  }

  /** True when `port` is bound through this pool now (handed out or reserved). */
  isBound(port: number): boolean {
    return this.inUse.has(port);
  }

  private tryBind(port: number): dgram.Socket | null {
    if (this.inUse.has(port)) return null;
    try {
      const socket = bindUdpNow(this.ip, port);
      this.inUse.add(port);
      return socket;
    } catch (err) {
      if (err instanceof BindError && (err.code === 'EADDRINUSE' || err.code === 'EACCES')) return null;
      throw err;
    }
  }

  /**
   * Binds a relay socket, synchronously (one `bind` system call per port tried).
   * @param evenPort EVEN-PORT present: the port must be even; `reserveNext` (its R bit) also reserves port + 1
   *   and returns a RESERVATION-TOKEN (8 bytes) for it.
   * @returns `{ok: false, reason: 'port-range'}` when no port of the range could be bound (answered 508).
   * @throws BindError for bind failures other than a taken port (e.g. the relay IP is gone).
   */
  bind(evenPort = false, reserveNext = false): RelayBind {
    const { min, max } = this.range;
    const span = max - min + 1;
    const start = randomInt(0, span);
    for (let i = 0, tried = 0; i < span && tried < MAX_PORT_TRIES; i++) {
      const port = min + ((start + i) % span);
      if (evenPort && port % 2 !== 0) continue;
      if (reserveNext && (port + 1 > max || this.inUse.has(port + 1))) continue;
      tried++;
      const socket = this.tryBind(port);
      if (!socket) continue;
      if (!reserveNext) return { ok: true, socket, port };
      const next = this.tryBind(port + 1);
      if (!next) {
        this.release(port, socket);
        continue;
      }
      const token = randomBytes(8);
      this.reservations.set(token.toString('hex'), {
        socket: next,
        port: port + 1,
        expiresAtMs: Date.now() + RESERVATION_HOLD_MS,
      });
      return { ok: true, socket, port, reservationToken: token };
    }
    return { ok: false, reason: 'port-range' };
  }

  /** Redeems a RESERVATION-TOKEN: the reserved socket, or `bad-token` when unknown or expired (508). */
  redeem(token: Buffer): RelayBind {
    const key = token.toString('hex');
    const held = this.reservations.get(key);
    if (!held || held.expiresAtMs <= Date.now()) return { ok: false, reason: 'bad-token' };
    this.reservations.delete(key);
    return { ok: true, socket: held.socket, port: held.port };
  }

  /** Closes a relay socket this pool handed out and frees its port. */
  release(port: number, socket: dgram.Socket): void {
    this.inUse.delete(port);
    socket.removeAllListeners('message');
    void closeQuietly(socket);
  }

  /** Frees reservations older than {@link RESERVATION_HOLD_MS}; called by the engine's sweep. */
  sweep(nowMs: number): void {
    for (const [key, r] of this.reservations) {
      if (r.expiresAtMs > nowMs) continue;
      this.reservations.delete(key);
      this.release(r.port, r.socket);
    }
  }

  /** Frees every reservation (shutdown). Sockets handed out are closed by their allocations. */
  close(): void {
    this.sweep(Number.POSITIVE_INFINITY);
  }
}
