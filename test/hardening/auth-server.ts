import type { TransportAddress } from '../../src/wire/address.js';
import { appendFingerprint } from '../../src/wire/integrity.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { EXCHANGE_TIMEOUT_MS, RawTurnClient } from '../support/turn-raw.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { freeTcpPort } from './ssrf/canary.js';
import { metricValue, scrape } from './ssrf/prom-text.js';

/** A hardening server child with its Prometheus endpoint. */
export interface MeteredServer {
  readonly server: ServerProcess;
  /** One series of the server's metrics now, e.g. `metric('ice_doctor_turn_auth_blocks_total')`. */
  metric(name: string, labels?: string): Promise<number>;
  /** The pino log lines (JSON on stderr) whose `msg` is `message`. */
  logLines(message: string): { msg: string; [key: string]: unknown }[];
}

/** Relay ports of the auth servers: above the ephemeral range, apart from the other hardening tests. */
export const AUTH_RELAY_PORTS = '63500-63599';

/**
 * Starts a hardening server child (see server-process.ts) with a metrics endpoint on a free port and
 * {@link AUTH_RELAY_PORTS}, plus `args`.
 */
export async function startMeteredServer(args: readonly string[]): Promise<MeteredServer> {
  const port = await freeTcpPort();
  const server = await startServerProcess([
    '--relay-ports',
    AUTH_RELAY_PORTS,
    '--metrics-port',
    String(port),
    ...args,
  ]);
  const url = `http://127.0.0.1:${port}/metrics`;
  return {
    server,
    metric: async (name, labels = '') => metricValue(await scrape(url), name, labels),
    logLines: (message) =>
      server
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string })
        .filter((l) => l.msg === message),
  };
}

/**
 * A UDP client of `server` from the loopback address `source` (127.0.0.1, 127.0.0.2 …): another client IP;
 * unanswered requests retransmitted.
 */
export function from(source: string, server: TransportAddress): Promise<RawTurnClient> {
  return RawTurnClient.udp(server, {
    localAddress: source,
    retransmit: true,
    timeoutMs: EXCHANGE_TIMEOUT_MS,
  });
}

/**
 * A captured signed request replayed under a new transaction ID: what an attacker without the password can
 * make of it. The FINGERPRINT is recomputed (it needs no key, and a wrong one is silently discarded, RFC 8489
 * §7.3), so the server gets as far as the nonce and MESSAGE-INTEGRITY, which covers the transaction ID.
 */
export function withNewTransactionId(signed: Buffer): Buffer {
  const out = Buffer.from(signed.subarray(0, signed.length - 8));
  newTransactionId().copy(out, 8);
  return appendFingerprint(out);
}

/**
 * A signed request with `attributes` appended after its MESSAGE-INTEGRITY (and before a recomputed
 * FINGERPRINT): what anyone on the path can do without the key, as the HMAC only covers what precedes it.
 */
export function appendAfterIntegrity(signed: Buffer, attributes: { type: number; raw: Buffer }[]): Buffer {
  const tail = attributes.map(({ type, raw }) => {
    const tlv = Buffer.alloc(4 + raw.length + ((4 - (raw.length % 4)) % 4));
    tlv.writeUInt16BE(type, 0);
    tlv.writeUInt16BE(raw.length, 2);
    raw.copy(tlv, 4);
    return tlv;
  });
  return appendFingerprint(Buffer.concat([signed.subarray(0, signed.length - 8), ...tail]));
}

/** The transaction ID of an encoded message (bytes 8–19). */
export function transactionIdOf(bytes: Buffer): Buffer {
  return Buffer.from(bytes.subarray(8, 20));
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
